import { existsSync } from 'node:fs';
import { findPackage } from '../package-resolution.js';
import { installCommand, type PackageSearch, searchDirectories } from '../plugin-loading.js';
import type { StoreDocument } from '../store/store-document.js';

/** The flavors registrykit ships, each in its own package. This table is all the CLI knows about them. */
export const BUILT_IN_FLAVORS: readonly { readonly id: string; readonly packageName: string }[] = [
  { id: 'default', packageName: '@registrykit/core' },
  { id: 'dockerhub', packageName: '@registrykit/dockerhub' },
  { id: 'github', packageName: '@registrykit/github' },
  { id: 'gcp', packageName: '@registrykit/gcp' },
  { id: 'azure', packageName: '@registrykit/azure' },
  { id: 'aws', packageName: '@registrykit/aws' },
];

export interface FlavorListing {
  readonly id: string;
  readonly kind: 'built-in' | 'custom';
  /** The package that provides it (built-in, or a custom flavor registered by package name). */
  readonly package?: string | undefined;
  /** Where a custom flavor is imported from. */
  readonly source?: string | undefined;
  readonly installed: boolean;
  readonly version?: string | undefined;
  /** How to install it, when it is not installed. */
  readonly installCommand?: string | undefined;
  /** What a custom flavor said about itself when it was registered. */
  readonly displayName?: string | undefined;
}

/** Every flavor with whether it can be loaded, found on disk without importing anything. */
export function listFlavors(document: StoreDocument, search: PackageSearch): FlavorListing[] {
  const directories = searchDirectories(search);
  const builtIn = BUILT_IN_FLAVORS.map((flavor): FlavorListing => {
    const found = findPackage(flavor.packageName, directories);
    return found
      ? { id: flavor.id, kind: 'built-in', package: flavor.packageName, installed: true, version: found.version }
      : { id: flavor.id, kind: 'built-in', package: flavor.packageName, installed: false, installCommand: installCommand(flavor.packageName) };
  });
  const custom = Object.values(document.flavors)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((flavor): FlavorListing => {
      if (flavor.sourceKind === 'path') {
        return { id: flavor.id, kind: 'custom', source: flavor.source, installed: existsSync(flavor.source), displayName: flavor.displayName };
      }
      const found = findPackage(flavor.source, directories);
      return {
        id: flavor.id,
        kind: 'custom',
        package: flavor.source,
        source: flavor.source,
        installed: found !== undefined,
        version: found?.version,
        installCommand: found ? undefined : installCommand(flavor.source),
        displayName: flavor.displayName,
      };
    });
  return [...builtIn, ...custom];
}

export function builtInFlavor(id: string): { readonly id: string; readonly packageName: string } | undefined {
  return BUILT_IN_FLAVORS.find((flavor) => flavor.id === id);
}
