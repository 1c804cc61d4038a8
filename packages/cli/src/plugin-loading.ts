import { statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RegistryKitError } from '@registrykit/core';
import { findPackage, packageFolderEntry } from './package-resolution.js';

/** Where installed packages are looked for: node_modules up from the current directory, then from the CLI itself. */
export interface PackageSearch {
  readonly cwd: string;
  readonly cliDirectory: string;
}

export function searchDirectories(search: PackageSearch): readonly string[] {
  return [search.cwd, search.cliDirectory];
}

export function installCommand(packageName: string): string {
  return `npm install ${packageName}`;
}

/** Imports an installed package by name; NOT_FOUND with the install command when it is missing. */
export async function importInstalledPackage(packageName: string, search: PackageSearch, purpose: string): Promise<Record<string, unknown>> {
  const found = findPackage(packageName, searchDirectories(search));
  if (!found) {
    throw new RegistryKitError(
      'NOT_FOUND',
      `${purpose} needs the package ${packageName}, which is not installed: run \`${installCommand(packageName)}\` in your project (or with -g next to a global registrykit).`,
      { details: { package: packageName } },
    );
  }
  return importFile(found.entry, `the package ${packageName}`);
}

/** A source is a path when written as one (`./x`, `../x`, `/x`); anything else is a package name. */
export function isPathSource(source: string): boolean {
  return isAbsolute(source) || /^\.\.?([/\\]|$)/.test(source);
}

/** The file a path source points at: a module file, or a package folder's entry. */
export function resolvePathSource(source: string, cwd: string): string {
  const path = resolve(cwd, source);
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) {
    throw new RegistryKitError('NOT_FOUND', `No module at ${path}: check the path (it is relative to the current directory).`, { details: { source, path } });
  }
  if (!info.isDirectory()) return path;
  const entry = packageFolderEntry(path) ?? join(path, 'index.js');
  if (!statSync(entry, { throwIfNoEntry: false })?.isFile()) {
    throw new RegistryKitError('NOT_FOUND', `The folder ${path} has no module to import (looked for ${entry}): point at the module file, or add "exports" or "main" to its package.json.`, {
      details: { source, path: entry },
    });
  }
  return entry;
}

/** Imports a module file; a failure keeps the module's own error as the cause and in the message. */
export async function importFile(path: string, what: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new RegistryKitError('INVALID_FLAVOR', `Cannot import ${what} (${path}): ${reason}`, { cause: error, details: { path } });
  }
}
