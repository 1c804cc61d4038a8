import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What identifies one version of a file without reading it: git's index keeps the same. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

// A file changed within this long before its hash was taken may still carry the same stamp
// after another change (coarse timestamps: FAT has 2 s): it is hashed again, as git treats
// "racily clean" entries.
const RACY_MS = 2_000;
const VERSION = 1;

type Remembered = [size: number, mtimeMs: number, ctimeMs: number, ino: number, hashedAt: number, hash: string];

/**
 * Content hashes of a context's files, remembered between builds by stamp, so deciding that an
 * unchanged context needs no build reads no file. A stamp that differs in size, mtime, ctime or
 * inode (ctime changes on every write, and cannot be set back) means the file is read again.
 */
export interface FileHashCache {
  /** The remembered hash of `path`, when its stamp is the same and was not racy. */
  get(path: string, stamp: FileStamp): string | undefined;
  set(path: string, stamp: FileStamp, hash: string): void;
  /** Writes what changed; a cache that cannot be written is left as it was. */
  save(): Promise<void>;
}

/** The default place: `$XDG_CACHE_HOME/registrykit/file-hashes`, else `~/.cache/registrykit/file-hashes`. */
export function defaultHashCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'registrykit', 'file-hashes');
}

/** Opens the cache of one context root in `directory`; an unreadable or foreign cache starts empty. */
export async function openFileHashCache(directory: string, contextRoot: string): Promise<FileHashCache> {
  const path = join(directory, `${createHash('sha256').update(contextRoot).digest('hex').slice(0, 32)}.json`);
  let files: Record<string, Remembered> = {};
  try {
    const stored = JSON.parse(await readFile(path, 'utf8')) as { version?: unknown; root?: unknown; files?: unknown };
    if (stored.version === VERSION && stored.root === contextRoot && typeof stored.files === 'object' && stored.files !== null) {
      files = stored.files as Record<string, Remembered>;
    }
  } catch {
    // No cache yet, or one this version cannot read: every file is hashed.
  }
  const seen: Record<string, Remembered> = {};
  let changed = false;
  return {
    get(file, stamp) {
      const known = Object.hasOwn(files, file) ? files[file] : undefined;
      if (known) seen[file] = known;
      if (!known || known[0] !== stamp.size || known[1] !== stamp.mtimeMs || known[2] !== stamp.ctimeMs || known[3] !== stamp.ino) return undefined;
      return Math.max(stamp.mtimeMs, stamp.ctimeMs) < known[4] - RACY_MS ? known[5] : undefined;
    },
    set(file, stamp, hash) {
      seen[file] = [stamp.size, stamp.mtimeMs, stamp.ctimeMs, stamp.ino, Date.now(), hash];
      changed = true;
    },
    async save() {
      // Only this build's files are kept: the cache never outgrows the context.
      if (!changed && Object.keys(seen).length === Object.keys(files).length) return;
      files = { ...seen };
      const temporary = `${path}.${randomBytes(6).toString('hex')}`;
      try {
        await mkdir(directory, { recursive: true });
        await writeFile(temporary, JSON.stringify({ version: VERSION, root: contextRoot, files: seen }));
        // Whole or not at all, even with two builds of one context at once.
        await rename(temporary, path);
        changed = false;
      } catch {
        await rm(temporary, { force: true });
      }
    },
  };
}
