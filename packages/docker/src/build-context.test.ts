import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextTar, generatedEntry, listBuildContext } from './build-context.js';
import { openFilesAfterClosing, openFilesUnder } from './test-support/open-files.js';

const run = promisify(execFile);
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rk-context-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

let counter = 0;
/** A context directory holding `files` (path → content); `null` makes a directory. */
async function context(files: Record<string, string | null>): Promise<string> {
  const root = join(workDir, `context-${++counter}`);
  for (const [path, content] of Object.entries(files)) {
    if (content === null) {
      await mkdir(join(root, path), { recursive: true });
    } else {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
  }
  return root;
}

const paths = async (root: string) => (await listBuildContext(root)).map((entry) => (entry.type === 'directory' ? `${entry.path}/` : entry.path));

describe('listBuildContext and .dockerignore', () => {
  it('sends everything, sorted, when there is no .dockerignore', async () => {
    const root = await context({ 'b.txt': 'b', 'a/z.txt': 'z', 'a/y/x.txt': 'x', empty: null });
    expect(await paths(root)).toEqual(['a/', 'a/y/', 'a/y/x.txt', 'a/z.txt', 'b.txt', 'empty/']);
  });

  it('follows Docker: root-relative patterns, **, the last match wins, and ! exceptions', async () => {
    const root = await context({
      '.dockerignore': ['# comment', 'node_modules', '/dist', '**/*.log', '*.md', '!README.md', 'secrets/', '!secrets/public.pem', 'build', '!build/keep.txt'].join('\n'),
      'node_modules/x/index.js': 'x',
      'src/node_modules/y.js': 'y',
      'dist/app.js': 'a',
      'src/dist/kept.js': 'k',
      'src/deep/debug.log': 'l',
      'debug.log': 'l',
      'NOTES.md': 'n',
      'README.md': 'r',
      'docs/guide.md': 'g',
      'secrets/private.pem': 'p',
      'secrets/public.pem': 'p',
      'build/out.o': 'o',
      'build/keep.txt': 'k',
      'src/main.py': 'm',
    });
    expect(await paths(root)).toEqual([
      '.dockerignore',
      'README.md',
      'build/keep.txt',
      'docs/',
      'docs/guide.md',
      'secrets/public.pem',
      'src/',
      'src/deep/',
      'src/dist/',
      'src/dist/kept.js',
      'src/main.py',
      'src/node_modules/',
      'src/node_modules/y.js',
    ]);
  });

  it('leaves out a .dockerignore that lists itself', async () => {
    const root = await context({ '.dockerignore': '.dockerignore\n*.tmp\n', 'a.tmp': 't', 'b.txt': 'b' });
    expect(await paths(root)).toEqual(['b.txt']);
  });

  it('records symlinks as links and modes the way git does', async () => {
    const root = await context({ 'run.sh': '#!/bin/sh\n', 'data.txt': 'd' });
    await chmod(join(root, 'run.sh'), 0o700);
    await chmod(join(root, 'data.txt'), 0o600);
    await symlink('data.txt', join(root, 'link'));
    const entries = await listBuildContext(root);
    expect(entries.map(({ path, type, mode, linkTarget }) => ({ path, type, mode: mode.toString(8), linkTarget }))).toEqual([
      { path: 'data.txt', type: 'file', mode: '644', linkTarget: undefined },
      { path: 'link', type: 'symlink', mode: '777', linkTarget: 'data.txt' },
      { path: 'run.sh', type: 'file', mode: '755', linkTarget: undefined },
    ]);
  });
});

describe('contextTar', () => {
  it('streams the entries with owner 0, normalized modes and a fixed time, as tar reads them', async () => {
    const root = await context({ 'app/main.py': 'print(1)\n', 'run.sh': '#!/bin/sh\n' });
    await chmod(join(root, 'run.sh'), 0o775);
    await symlink('app/main.py', join(root, 'main'));
    const entries = [...(await listBuildContext(root)), generatedEntry('registrykit/requirements.txt', 'requests\n')];
    const archive = join(workDir, `context-${++counter}.tar`);
    await pipeline(contextTar(entries), createWriteStream(archive));

    const { stdout } = await run('tar', ['--list', '--verbose', '--numeric-owner', '--full-time', '--file', archive]);
    const lines = stdout.trim().split('\n').map((line) => line.split(/\s+/));
    expect(lines.map((line) => [line[0], line[1], line.slice(5).join(' ')])).toEqual([
      ['drwxr-xr-x', '0/0', 'app'],
      ['-rw-r--r--', '0/0', 'app/main.py'],
      ['lrwxrwxrwx', '0/0', 'main -> app/main.py'],
      ['-rwxr-xr-x', '0/0', 'run.sh'],
      ['-rw-r--r--', '0/0', 'registrykit/requirements.txt'],
    ]);
    expect(new Set(lines.map((line) => line[3]))).toEqual(new Set(['1980-01-01']));
    const extracted = join(workDir, `extracted-${counter}`);
    await mkdir(extracted);
    await run('tar', ['--extract', '--file', archive, '--directory', extracted]);
    const { stdout: content } = await run('cat', [join(extracted, 'app/main.py'), join(extracted, 'registrykit/requirements.txt')]);
    expect(content).toBe('print(1)\nrequests\n');
  });

  it('fails the stream when a file changes size while it is sent', async () => {
    const root = await context({ 'grows.txt': 'short' });
    const entries = await listBuildContext(root);
    await writeFile(join(root, 'grows.txt'), 'much longer than before');
    const done = pipeline(contextTar(entries), createWriteStream(join(workDir, `broken-${++counter}.tar`)));
    await expect(done).rejects.toThrow(/changed while the build context was sent/);
  });

  it('closes the file it reads when the reader destroys the stream (a build that failed or was aborted)', async () => {
    const root = await context({ 'big.bin': 'x'.repeat(8 * 1024 * 1024) });
    const stream = contextTar(await listBuildContext(root));
    await new Promise((resolve) => stream.once('data', resolve));
    expect(await openFilesUnder(root)).toEqual([join(root, 'big.bin')]);
    stream.destroy();
    expect(await openFilesAfterClosing(root)).toEqual([]);
  });

  it('fails the stream with BUILD_FAILED naming a file that went away before it was sent', async () => {
    const root = await context({ 'keep.txt': 'kept', 'vanishes.swp': 'an editor file' });
    const entries = await listBuildContext(root);
    await rm(join(root, 'vanishes.swp'));
    const error = await pipeline(contextTar(entries), createWriteStream(join(workDir, `vanished-${++counter}.tar`))).catch((caught: unknown) => caught);
    // A bare ENOENT here reached the builder as "Cannot reach the Docker engine".
    expect(error).toMatchObject({ code: 'BUILD_FAILED', details: { path: join(root, 'vanishes.swp') } });
    expect((error as Error).message).toContain(join(root, 'vanishes.swp'));
  });
});
