import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RegistryKitError } from '@registrykit/core';
import { acquireFileLock } from './file-lock.js';
import { emptyDocument, parseDocument, serializeDocument, type StoreDocument } from './store-document.js';

const STORE_FILE = 'store.json';
const LOCK_FILE = 'store.lock';

/** Where the CLI keeps its store: REGISTRYKIT_CONFIG_DIR, else $XDG_CONFIG_HOME/registrykit, else ~/.config/registrykit. */
export function configDirectory(env: NodeJS.ProcessEnv): string {
  const explicit = env['REGISTRYKIT_CONFIG_DIR'];
  if (explicit) return explicit;
  const xdg = env['XDG_CONFIG_HOME'];
  return join(xdg ? xdg : join(homedir(), '.config'), 'registrykit');
}

export interface FileStoreOptions {
  readonly directory: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log?: ((message: string) => void) | undefined;
  readonly lockTimeoutMs?: number | undefined;
}

export interface FileStore {
  readonly directory: string;
  /** The store file, `<directory>/store.json`. */
  readonly path: string;
  /** The current contents. Lock-free: writes replace the file atomically, so a read sees the old or the new one. */
  read(): Promise<StoreDocument>;
  /**
   * Runs `change` on the current contents under the store lock and writes the result back.
   * When `change` throws, nothing is written.
   */
  update<T>(change: (document: StoreDocument) => T | Promise<T>): Promise<T>;
}

/**
 * The CLI's durable store: one JSON file with a format version, mode 0600, in a 0700 directory.
 * A write goes to a temporary file that is fsynced and renamed over the store, then the directory
 * is fsynced, so a process killed at any point leaves the old or the new store, never a mix.
 * Concurrent commands serialize their read-modify-write with a lock file, so none loses another's
 * change.
 */
export function openFileStore(options: FileStoreOptions): FileStore {
  const { directory, env } = options;
  const path = join(directory, STORE_FILE);
  const log = options.log ?? (() => undefined);

  async function read(): Promise<StoreDocument> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyDocument();
      throw storeError(`Cannot read the registrykit store ${path}`, error);
    }
    return parseDocument(text, path);
  }

  async function write(document: StoreDocument, stillLocked: () => Promise<boolean>): Promise<void> {
    const text = serializeDocument(document);
    const temporary = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    const handle = await open(temporary, 'wx', 0o600).catch((error: unknown) => {
      throw storeError(`Cannot write the registrykit store in ${directory}`, error);
    });
    try {
      const half = Math.floor(text.length / 2);
      await handle.write(text.slice(0, half));
      await pauseIfAsked(env, 'partial-write');
      await handle.write(text.slice(half));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await pauseIfAsked(env, 'before-rename');
    if (!(await stillLocked())) {
      await unlink(temporary).catch(() => undefined);
      throw new RegistryKitError('STORE_FAILED', 'Another registrykit process took over the store lock while this one held it; nothing was written. Run the command again.', {
        details: { path },
      });
    }
    await rename(temporary, path);
    await syncDirectory(directory);
    log(`wrote ${path}`);
  }

  async function removeLeftovers(): Promise<void> {
    // Only the lock holder writes temporary store files, so any found now were left by a killed process.
    const names = await readdir(directory).catch(() => [] as string[]);
    const leftovers = names.filter((name) => name.startsWith(`${STORE_FILE}.`) && name.endsWith('.tmp'));
    await Promise.all(leftovers.map((name) => unlink(join(directory, name)).catch(() => undefined)));
    if (leftovers.length > 0) log(`removed ${leftovers.length} temporary file(s) left by an interrupted write`);
  }

  return {
    directory,
    path,
    read,
    async update(change) {
      await mkdir(directory, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
        throw storeError(`Cannot create the registrykit config directory ${directory}`, error);
      });
      const lock = await acquireFileLock(join(directory, LOCK_FILE), { timeoutMs: options.lockTimeoutMs, log });
      try {
        await pauseIfAsked(env, 'locked');
        await removeLeftovers();
        const document = await read();
        const result = await change(document);
        await write(document, () => lock.isHeld());
        await pauseIfAsked(env, 'written');
        return result;
      } finally {
        await lock.release();
      }
    },
  };
}

async function syncDirectory(directory: string): Promise<void> {
  // Makes the rename itself durable; some platforms cannot open a directory, which is fine there.
  const handle = await open(directory, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // EINVAL/EISDIR on platforms without directory fsync.
  } finally {
    await handle.close();
  }
}

/**
 * A test hook: with REGISTRYKIT_DEBUG_PAUSE_AT=<point> the write stops at that point, says so on
 * stderr and waits to be killed, so tests can SIGKILL a command exactly mid-write.
 */
async function pauseIfAsked(env: NodeJS.ProcessEnv, point: 'locked' | 'partial-write' | 'before-rename' | 'written'): Promise<void> {
  if (env['REGISTRYKIT_DEBUG_PAUSE_AT'] !== point) return;
  process.stderr.write(`registrykit: paused at ${point} (pid ${process.pid})\n`);
  await new Promise(() => setInterval(() => undefined, 60_000));
}

function storeError(message: string, cause: unknown): RegistryKitError {
  return new RegistryKitError('STORE_FAILED', `${message}: ${(cause as Error).message}`, { cause });
}
