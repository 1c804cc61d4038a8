import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertFlavor, type ContainerRegistryFlavor, RegistryKitError } from '@registrykit/core';
import { findPackage } from '../package-resolution.js';
import { importFile, importInstalledPackage, isPathSource, type PackageSearch, resolvePathSource, searchDirectories } from '../plugin-loading.js';
import type { CustomFlavorRecord, StoreDocument } from '../store/store-document.js';
import { BUILT_IN_FLAVORS, builtInFlavor } from './flavor-catalog.js';

/** A flavor imported from a `flavor register` source, before it is checked. */
export interface ImportedFlavor {
  /** The module's `flavor` export, else its default export. */
  readonly value: unknown;
  readonly source: string;
  readonly sourceKind: CustomFlavorRecord['sourceKind'];
  /** The file that was imported. */
  readonly file: string;
}

/**
 * Imports the flavor a source names: a path to a module file or package folder, or the name of an
 * installed package. Throws NOT_FOUND when there is nothing there, INVALID_FLAVOR when it cannot be
 * imported or exports no flavor; does not check the flavor itself.
 */
export async function importFlavorSource(source: string, search: PackageSearch): Promise<ImportedFlavor> {
  let file: string;
  let sourceKind: CustomFlavorRecord['sourceKind'];
  let recorded: string;
  if (isPathSource(source)) {
    file = resolvePathSource(source, search.cwd);
    sourceKind = 'path';
    recorded = file;
  } else {
    const found = findPackage(source, searchDirectories(search));
    if (!found) {
      const local = existsSync(resolve(search.cwd, source)) ? ` There is a file or folder "${source}" here: to use it, write ./${source}.` : '';
      throw new RegistryKitError(
        'NOT_FOUND',
        `No installed package "${source}" (looked in node_modules from ${search.cwd} and from the registrykit CLI). ` +
          `Install it, or give a path starting with ./ or /.${local}`,
        { details: { source } },
      );
    }
    file = found.entry;
    sourceKind = 'package';
    recorded = source;
  }
  const module = await importFile(file, `the flavor module "${source}"`);
  const value = module['flavor'] ?? module['default'];
  if (value === undefined) {
    throw new RegistryKitError(
      'INVALID_FLAVOR',
      `The module "${source}" (${file}) exports no flavor: export the result of defineFlavor() as \`flavor\` (or as the default export).`,
      { details: { source, exports: Object.keys(module) } },
    );
  }
  return { value, source: recorded, sourceKind, file };
}

/** Loads a flavor by id: built-in from its package, custom from where it was registered. Imports only that flavor. */
export async function loadFlavor(id: string, document: StoreDocument, search: PackageSearch): Promise<ContainerRegistryFlavor> {
  if (id === 'default') return (await import('@registrykit/core')).defaultFlavor;
  const builtIn = builtInFlavor(id);
  if (builtIn) {
    const module = await importInstalledPackage(builtIn.packageName, search, `The "${id}" flavor`);
    return checked(module['flavor'], id, builtIn.packageName);
  }
  const custom = document.flavors[id];
  if (!custom) {
    const known = [...BUILT_IN_FLAVORS.map((flavor) => flavor.id), ...Object.keys(document.flavors)].join(', ');
    throw new RegistryKitError('NOT_FOUND', `Unknown flavor "${id}". Known flavors: ${known}. Register a custom one with \`registrykit container-registry flavor register <source>\`.`, {
      details: { flavor: id },
    });
  }
  let imported: ImportedFlavor;
  try {
    imported = await importFlavorSource(custom.source, search);
  } catch (error) {
    throw new RegistryKitError(
      RegistryKitError.isInstance(error) ? error.code : 'INVALID_FLAVOR',
      `Cannot load the custom flavor "${id}" from ${custom.source}: ${(error as Error).message} ` +
        `Put it back, or remove the flavor with \`registrykit container-registry flavor delete ${id}\`.`,
      { cause: error, details: { flavor: id, source: custom.source } },
    );
  }
  return checked(imported.value, id, custom.source);
}

function checked(value: unknown, id: string, source: string): ContainerRegistryFlavor {
  assertFlavor(value, source);
  if (value.id !== id) {
    throw new RegistryKitError('INVALID_FLAVOR', `${source} provides a flavor with id "${value.id}", not "${id}".`, {
      details: { flavor: id, source, providedId: value.id },
    });
  }
  return value;
}
