import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeBuildChecksum } from './build-checksum.js';
import { listBuildContext } from './build-context.js';
import { defaultHashCacheDirectory, openFileHashCache } from './file-hash-cache.js';

let workDir: string;
let context: string;
let cacheDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rk-hash-cache-'));
  context = join(workDir, 'context');
  cacheDir = join(workDir, 'cache');
  await mkdir(join(context, 'src'), { recursive: true });
  await writeFile(join(context, 'src', 'a.py'), 'print("a")\n');
  await writeFile(join(context, 'src', 'b.py'), 'print("b")\n');
  // Hashes of files changed less than two seconds before they were taken are never trusted.
  await new Promise((resolve) => setTimeout(resolve, 2_100));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function checksum(withCache: boolean): Promise<string> {
  const hashCache = withCache ? await openFileHashCache(cacheDir, context) : undefined;
  const result = await computeBuildChecksum({ settings: {}, dockerfile: 'FROM scratch\n', platform: 'linux/amd64', baseImages: [], entries: await listBuildContext(context), hashCache });
  await hashCache?.save();
  return result.checksum;
}

async function cacheFile(): Promise<{ path: string; content: { files: Record<string, unknown[]> } }> {
  const [name] = await readdir(cacheDir);
  const path = join(cacheDir, name!);
  return { path, content: JSON.parse(await readFile(path, 'utf8')) as { files: Record<string, unknown[]> } };
}

describe('the file hash cache', () => {
  it('gives the checksum of reading every file, and then reads none of the unchanged ones', async () => {
    const expected = await checksum(false);
    expect(await checksum(true)).toBe(expected);
    // Proof that the remembered hash is used: a forged one changes the checksum.
    const { path, content } = await cacheFile();
    content.files[join(context, 'src', 'a.py')]![5] = 'f'.repeat(64);
    await writeFile(path, JSON.stringify(content));
    expect(await checksum(true)).not.toBe(expected);
    await rm(cacheDir, { recursive: true });
  });

  it('reads a file again when it changed, even with the same size and mtime', async () => {
    const before = await checksum(true);
    const file = join(context, 'src', 'b.py');
    const { mtime } = await stat(file);
    await writeFile(file, 'print("B")\n');
    await utimes(file, mtime, mtime);
    const after = await checksum(true);
    expect(after).not.toBe(before);
    expect(after).toBe(await checksum(false));
  });

  it('keeps only the files of the last build, and survives a broken cache file', async () => {
    await writeFile(join(context, 'src', 'c.py'), '');
    await checksum(true);
    await rm(join(context, 'src', 'c.py'));
    await checksum(true);
    const { path, content } = await cacheFile();
    expect(Object.keys(content.files).sort()).toEqual([join(context, 'src', 'a.py'), join(context, 'src', 'b.py')]);
    await writeFile(path, '{ not json');
    expect(await checksum(true)).toBe(await checksum(false));
  });

  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultHashCacheDirectory({ XDG_CACHE_HOME: '/var/cache/me' })).toBe('/var/cache/me/registrykit/file-hashes');
    expect(defaultHashCacheDirectory({})).toMatch(/\/\.cache\/registrykit\/file-hashes$/);
  });
});
