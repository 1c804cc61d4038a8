import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** An installed package found on disk, not imported. */
export interface ResolvedPackage {
  readonly name: string;
  readonly directory: string;
  readonly version: string | undefined;
  /** The file `import(name)` would load. */
  readonly entry: string;
}

interface PackageManifest {
  readonly name?: unknown;
  readonly version?: unknown;
  readonly exports?: unknown;
  readonly main?: unknown;
}

/**
 * Finds an installed package the way Node looks for it (node_modules folders from each start
 * directory up to the root) without importing it, so listing what is installed costs a few stat
 * calls. The first start directory that has it wins.
 */
export function findPackage(name: string, startDirectories: readonly string[]): ResolvedPackage | undefined {
  for (const start of startDirectories) {
    for (let directory = resolve(start); ; directory = dirname(directory)) {
      const candidate = join(directory, 'node_modules', name);
      const manifest = readManifest(candidate);
      if (manifest) return { name, directory: candidate, version: typeof manifest.version === 'string' ? manifest.version : undefined, entry: packageEntry(candidate, manifest) };
      if (dirname(directory) === directory) break;
    }
  }
  return undefined;
}

/** The entry file of a package folder (its `exports` for `import`, else `main`, else index.js); undefined without package.json. */
export function packageFolderEntry(directory: string): string | undefined {
  const manifest = readManifest(directory);
  return manifest ? packageEntry(directory, manifest) : undefined;
}

function readManifest(directory: string): PackageManifest | undefined {
  if (!statSync(join(directory, 'package.json'), { throwIfNoEntry: false })?.isFile()) return undefined;
  try {
    return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as PackageManifest;
  } catch {
    // A broken package.json: report the package as present; importing it will say what is wrong.
    return {};
  }
}

function packageEntry(directory: string, manifest: PackageManifest): string {
  const target = manifest.exports === undefined ? undefined : exportTarget(manifest.exports);
  const main = typeof manifest.main === 'string' ? manifest.main : 'index.js';
  return join(directory, target ?? main);
}

// The conditions an ESM import in Node matches, in package.json key order as Node does.
const CONDITIONS = new Set(['import', 'node', 'module-sync', 'default']);

function exportTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const target = exportTarget(item);
      if (target) return target;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const map = value as Record<string, unknown>;
  if (Object.keys(map).some((key) => key.startsWith('.'))) return map['.'] === undefined ? undefined : exportTarget(map['.']);
  for (const [condition, target] of Object.entries(map)) {
    if (!CONDITIONS.has(condition)) continue;
    const found = exportTarget(target);
    if (found) return found;
  }
  return undefined;
}
