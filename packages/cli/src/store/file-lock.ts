import { randomUUID } from 'node:crypto';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { RegistryKitError } from '@registrykit/core';

export interface FileLockOptions {
  /** Give up after this long. Default 30 s: commands hold the lock for milliseconds. */
  readonly timeoutMs?: number | undefined;
  /** A lock older than this is taken over even if its process seems alive (pid reuse, another host). Default 60 s. */
  readonly staleMs?: number | undefined;
  readonly log?: ((message: string) => void) | undefined;
}

export interface FileLock {
  release(): Promise<void>;
  /** True while the lock file is still the one this process created. */
  isHeld(): Promise<boolean>;
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly createdAt: number;
}

/**
 * Takes an exclusive lock on `path` (a lock file next to the store). The lock file is written
 * complete under a temporary name and hard-linked into place, so it is never seen half-written;
 * `link` fails when the lock exists, which makes taking it atomic. A lock whose process is dead
 * (same host) or that is older than `staleMs` is removed, under a short-lived breaker lock so two
 * waiting processes cannot both remove it and then each take a lock of their own.
 */
export async function acquireFileLock(path: string, options: FileLockOptions = {}): Promise<FileLock> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 60_000;
  const owner: LockOwner = { pid: process.pid, host: hostname(), token: randomUUID(), createdAt: Date.now() };
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    if (await tryCreate(path, owner)) {
      options.log?.(`locked ${path}`);
      return {
        release: () => release(path, owner.token),
        isHeld: async () => (await readOwner(path))?.token === owner.token,
      };
    }
    const holder = await readOwner(path);
    if (holder && isStale(holder, staleMs)) {
      options.log?.(`taking over the stale lock of process ${holder.pid} (${new Date(holder.createdAt).toISOString()})`);
      await breakStaleLock(path, holder);
      continue;
    }
    if (Date.now() > deadline) {
      const who = holder ? `process ${holder.pid} on ${holder.host} since ${new Date(holder.createdAt).toISOString()}` : 'another process';
      throw new RegistryKitError(
        'STORE_FAILED',
        `The registrykit store is locked by ${who} and stayed locked for ${Math.round(timeoutMs / 1000)} s. ` +
          `If no registrykit command is running, delete ${path}.`,
        { details: { lock: path } },
      );
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  const temporary = `${path}.${owner.token}.tmp`;
  await writeFile(temporary, JSON.stringify(owner), { mode: 0o600 }).catch((error: unknown) => {
    throw lockError(path, error);
  });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockError(path, error);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function release(path: string, token: string): Promise<void> {
  // Only remove the lock if it is still ours: had it been taken over as stale, it is someone else's now.
  if ((await readOwner(path))?.token === token) await unlink(path).catch(() => undefined);
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw lockError(path, error);
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.token === 'string' && typeof owner.createdAt === 'number') {
      return { pid: owner.pid, token: owner.token, createdAt: owner.createdAt, host: String(owner.host) };
    }
  } catch {
    // Lock files are linked in complete, so garbage was not written by registrykit; treat it as stale.
  }
  const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: 0 }));
  return { pid: -1, host: hostname(), token: `garbage:${mtimeMs}`, createdAt: mtimeMs };
}

function isStale(owner: LockOwner, staleMs: number): boolean {
  if (Date.now() - owner.createdAt > staleMs) return true;
  return owner.host === hostname() && !processAlive(owner.pid);
}

function processAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function breakStaleLock(path: string, stale: LockOwner): Promise<void> {
  const breaker = `${path}.break`;
  const self: LockOwner = { pid: process.pid, host: hostname(), token: randomUUID(), createdAt: Date.now() };
  if (!(await tryCreate(breaker, self))) {
    // Another process is breaking it. A breaker left by a killed process is cleared after a while.
    const other = await readOwner(breaker);
    if (other && isStale(other, 5_000)) await unlink(breaker).catch(() => undefined);
    await sleep(5);
    return;
  }
  try {
    // Remove the lock only if it is still the stale one we looked at, not one taken since.
    if ((await readOwner(path))?.token === stale.token) await unlink(path).catch(() => undefined);
  } finally {
    await release(breaker, self.token);
  }
}

function lockError(path: string, cause: unknown): RegistryKitError {
  return new RegistryKitError(
    'STORE_FAILED',
    `Cannot lock the registrykit store (${path}): ${(cause as Error).message}. Make its directory writable, or point REGISTRYKIT_CONFIG_DIR at one that is.`,
    { cause, details: { lock: path } },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
