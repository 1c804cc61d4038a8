import { createReadStream, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { RegistryKitError } from '@registrykit/core';
import type { Headers, Pack } from 'tar-stream';
import type { FileStamp } from './file-hash-cache.js';

/** One thing the context sends: its path relative to the context root, with `/` separators. */
export interface ContextEntry {
  readonly path: string;
  readonly type: 'file' | 'directory' | 'symlink';
  /**
   * The mode the engine receives, normalized as git records it: 0755 for directories and for
   * files with any execute bit, 0644 for other files, 0777 for symlinks. A checkout's umask
   * then changes neither the checksum nor the image.
   */
  readonly mode: number;
  readonly size: number;
  readonly linkTarget?: string | undefined;
  /** Where to read it; absent for generated files. */
  readonly source?: string | undefined;
  /** The content of a generated file. */
  readonly content?: Buffer | undefined;
  /** Size, times and inode of a file on disk, which tell whether a remembered hash still holds. */
  readonly stamp?: FileStamp | undefined;
}

/**
 * Lists the files of `root` that a build sends, honouring `root/.dockerignore` with Docker's
 * rules (patterns relative to the root, `**`, the last matching pattern wins, `!` re-includes,
 * and an excluded directory is entered only when an exception could match inside it), sorted
 * by path. Sockets and other special files are left out, as `docker build` does.
 */
export async function listBuildContext(root: string): Promise<ContextEntry[]> {
  const matcher = await readDockerignore(root);
  const mayReinclude = matcher.hasExceptions;
  const entries: ContextEntry[] = [];
  const pending: string[] = [''];
  const slice = timeSlicer();
  while (pending.length > 0) {
    await slice();
    const directory = pending.pop()!;
    const children = readContext(join(root, directory), (at) => readdirSync(at, { withFileTypes: true }));
    for (const child of children) {
      const path = directory === '' ? child.name : `${directory}/${child.name}`;
      const ignored = matcher.ignores(path);
      if (child.isDirectory()) {
        if (ignored && !mayReinclude) continue;
        if (!ignored) entries.push({ path, type: 'directory', mode: 0o755, size: 0 });
        pending.push(path);
      } else if (ignored) {
        continue;
      } else if (child.isFile()) {
        const source = join(root, path);
        const { mode, size, mtimeMs, ctimeMs, ino } = readContext(source, (at) => lstatSync(at));
        entries.push({ path, type: 'file', mode: mode & 0o111 ? 0o755 : 0o644, size, source, stamp: { size, mtimeMs, ctimeMs, ino } });
      } else if (child.isSymbolicLink()) {
        entries.push({ path, type: 'symlink', mode: 0o777, size: 0, linkTarget: readContext(join(root, path), (at) => readlinkSync(at)) });
      }
    }
  }
  return entries.sort((a, b) => comparePaths(a.path, b.path));
}

/** `read(path)`, with a failure turned into BUILD_FAILED naming the path. */
export function readContext<T>(path: string, read: (path: string) => T): T {
  try {
    return read(path);
  } catch (error) {
    throw contextReadFailure(path, error);
  }
}

// Files come and go while a build runs (an editor's swap file): name the one, and say what to do.
function contextReadFailure(path: string, error: unknown): RegistryKitError {
  return new RegistryKitError(
    'BUILD_FAILED',
    `Cannot read ${path} in the build context (${(error as Error).message}). If it changed or went away during the build, build again; otherwise fix its permissions or list it in .dockerignore.`,
    { cause: error, details: { path } },
  );
}

/**
 * Synchronous file system calls, in slices of about 10 ms with the event loop let through in
 * between: for thousands of small files they are several times faster than promises, which
 * pay a thread-pool round trip per call, while timers, signals and sockets still get their turn.
 */
export function timeSlicer(sliceMs = 10): () => Promise<void> {
  let sliceStart = performance.now();
  return async () => {
    if (performance.now() - sliceStart < sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  };
}

/** Orders paths by their UTF-16 code units, the same on every machine and locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface IgnoreMatcher {
  ignores(path: string): boolean;
  readonly hasExceptions: boolean;
}

async function readDockerignore(root: string): Promise<IgnoreMatcher> {
  let text: string;
  try {
    text = await readFile(join(root, '.dockerignore'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ignores: () => false, hasExceptions: false };
    throw error;
  }
  // Loaded here, as tar-stream is in contextTar: a package used only to push should not pay for them.
  // A CommonJS module whose typings declare the factory as `default`; at run time it is both.
  const { default: dockerignore } = await import('@balena/dockerignore');
  const rules = dockerignore.default({ ignorecase: false }).add(text);
  const hasExceptions = text.split(/\r?\n/).some((line) => line.trim().startsWith('!'));
  return { ignores: (path) => rules.ignores(path), hasExceptions };
}

/** A generated file placed into the context. */
export function generatedEntry(path: string, content: string | Buffer): ContextEntry {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return { path, type: 'file', mode: 0o644, size: bytes.length, content: bytes };
}

/** The same entries, moved under `prefix/` (a directory entry for the prefix included). */
export function underDirectory(prefix: string, entries: readonly ContextEntry[]): ContextEntry[] {
  return [{ path: prefix, type: 'directory', mode: 0o755, size: 0 }, ...entries.map((entry) => ({ ...entry, path: `${prefix}/${entry.path}` }))];
}

// A fixed time for every entry: the files' own mtimes would make equal contexts give different
// layers (COPY keeps mtimes), and the checksum leaves mtimes out.
const MTIME = new Date('1980-01-01T00:00:00Z');

/**
 * Streams `entries` as an uncompressed tar, read from disk as it goes, with owner 0:0, the
 * normalized modes and a fixed mtime, in the order given.
 */
export function contextTar(entries: readonly ContextEntry[]): Readable {
  // tar-stream destroys its pack without a reason when an entry goes wrong; the reason travels
  // through this stream instead.
  const out = new PassThrough();
  let pack: Pack | undefined;
  // A reader that stops early (a build that failed or was aborted) destroys `out`: the pack
  // goes with it, and so does the file being read, which would otherwise stay open.
  out.once('close', () => pack?.destroy());
  void (async () => {
    const { default: tar } = await import('tar-stream');
    if (out.destroyed) return;
    pack = tar.pack();
    pack.pipe(out);
    for (const entry of entries) {
      if (out.destroyed) return;
      const header = { name: entry.path, mode: entry.mode, mtime: MTIME, uid: 0, gid: 0, uname: '', gname: '' };
      if (entry.type === 'directory') {
        await addEntry(pack, { ...header, type: 'directory' });
      } else if (entry.type === 'symlink') {
        await addEntry(pack, { ...header, type: 'symlink', linkname: entry.linkTarget ?? '' });
      } else if (entry.content) {
        await addEntry(pack, { ...header, type: 'file', size: entry.content.length }, entry.content);
      } else {
        await addFile(pack, { ...header, type: 'file', size: entry.size }, entry.source!);
      }
    }
    pack.finalize();
  })().catch((error: unknown) => out.destroy(error as Error));
  return out;
}

function addEntry(pack: Pack, header: Headers, content?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, content ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolve()));
  });
}

function addFile(pack: Pack, header: Headers, source: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const file = createReadStream(source);
    const sink = pack.entry(header, (error) => {
      if (!error) return resolve();
      file.destroy();
      reject(new Error(`${source} changed while the build context was sent (${error.message}); build again.`));
    });
    file.on('error', (error) => reject(contextReadFailure(source, error)));
    file.pipe(sink);
  });
}
