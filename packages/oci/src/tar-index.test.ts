import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile, link } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { blobPrefix, fileBlob } from './blob-source.js';
import { indexTar, normalizeName, resolveTarFile } from './tar-index.js';

const run = promisify(execFile);

describe('indexTar', () => {
  it.each(['gnu', 'pax', 'ustar'])('finds every file of a %s archive made by GNU tar, with links, long names and their exact bytes', async (format) => {
    const dir = await mkdtemp(join(tmpdir(), 'rk-tar-'));
    try {
      const tree = join(dir, 'tree');
      const longFolder = `${'deep/'.repeat(12)}folder`;
      await mkdir(join(tree, 'layer'), { recursive: true });
      await mkdir(join(tree, longFolder), { recursive: true });
      const data = randomBytes(70_000);
      await writeFile(join(tree, 'layer', 'layer.tar'), data);
      await writeFile(join(tree, longFolder, 'file.bin'), Buffer.from('long name'));
      await symlink('../layer/layer.tar', join(tree, 'other-layer.tar'));
      await mkdir(join(tree, 'other'));
      await symlink('../layer/layer.tar', join(tree, 'other', 'layer.tar'));
      await link(join(tree, 'layer', 'layer.tar'), join(tree, 'hard.tar'));
      const archive = join(dir, 'archive.tar');
      // ustar cannot hold the long name; it gets the short files only.
      const members = format === 'ustar' ? ['./layer', './other', './hard.tar'] : ['.'];
      await run('tar', [`--format=${format}`, '-cf', archive, '-C', tree, ...members]);

      const entries = await indexTar(archive);
      const read = async (name: string) => {
        const entry = resolveTarFile(entries, name);
        return entry && blobPrefix(fileBlob(archive, '', entry.size, entry.offset), entry.size);
      };
      expect((await read('layer/layer.tar'))?.equals(data)).toBe(true);
      expect((await read('./other/layer.tar'))?.equals(data)).toBe(true);
      expect((await read('hard.tar'))?.equals(data)).toBe(true);
      if (format !== 'ustar') {
        expect((await read('other-layer.tar'))?.equals(data)).toBe(true);
        expect((await read(`${longFolder}/file.bin`))?.toString()).toBe('long name');
      }
      expect(resolveTarFile(entries, 'missing')).toBeUndefined();
      expect(resolveTarFile(entries, 'layer')).toBeUndefined();
      expect((await readFile(archive)).length).toBeGreaterThan(data.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not a tar archive, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rk-tar-'));
    try {
      await writeFile(join(dir, 'not.tar'), randomBytes(2048));
      await expect(indexTar(join(dir, 'not.tar'))).rejects.toThrow(/not\.tar is not readable: a header at byte 0 has a bad checksum/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('normalizes names', () => {
    expect(normalizeName('./a/../b/c/')).toBe('b/c');
    expect(normalizeName('/x//y')).toBe('x/y');
  });
});
