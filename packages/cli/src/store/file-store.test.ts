import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireFileLock } from './file-lock.js';
import { configDirectory, openFileStore } from './file-store.js';
import { STORE_FORMAT_VERSION } from './store-document.js';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rk-file-store-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

function freshStore(lockTimeoutMs?: number) {
  return openFileStore({ directory: join(root, `store-${++counter}`, 'registrykit'), env: {}, lockTimeoutMs });
}

const record = (name: string) => ({ name, flavor: 'default', config: { uri: `localhost:5000/${name}` }, secretFields: [], createdAt: 'now', updatedAt: 'now' });

/** The pid of a process that has exited, so a lock it "holds" is stale. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the file store', () => {
  it('starts empty, writes a versioned JSON file with mode 0600 in a 0700 directory, and reads it back', async () => {
    const store = freshStore();
    expect(await store.read()).toEqual({ formatVersion: STORE_FORMAT_VERSION, flavors: {}, connectors: {}, registries: {} });
    await store.update((document) => {
      document.registries['a'] = record('a');
    });
    expect((await store.read()).registries['a']).toEqual(record('a'));
    expect(JSON.parse(await readFile(store.path, 'utf8'))).toMatchObject({ formatVersion: STORE_FORMAT_VERSION });
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect((await stat(store.directory)).mode & 0o777).toBe(0o700);
    expect(await readdir(store.directory)).toEqual(['store.json']);
  });

  it("treats names that Object's prototype also has (constructor, toString) as ordinary names", async () => {
    const store = freshStore();
    for (const document of [await store.read(), await store.update((document) => document)]) {
      expect(document.registries['constructor']).toBeUndefined();
      expect(document.connectors['toString']).toBeUndefined();
      expect(document.flavors['constructor']).toBeUndefined();
    }
    await store.update((document) => {
      document.registries['constructor'] = record('constructor');
    });
    expect((await store.read()).registries['constructor']).toEqual(record('constructor'));
  });

  it('writes nothing when the change throws', async () => {
    const store = freshStore();
    await store.update((document) => {
      document.registries['a'] = record('a');
    });
    const before = await readFile(store.path, 'utf8');
    await expect(
      store.update((document) => {
        document.registries['b'] = record('b');
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await readFile(store.path, 'utf8')).toBe(before);
  });

  it('loses no change when many updates run at once', async () => {
    const store = freshStore();
    await Promise.all(
      Array.from({ length: 25 }, (_, index) =>
        store.update((document) => {
          document.registries[`r${index}`] = record(`r${index}`);
        }),
      ),
    );
    expect(Object.keys((await store.read()).registries)).toHaveLength(25);
  });

  it('takes over a lock left by a dead process, and removes temporary files left by an interrupted write', async () => {
    const store = freshStore(2_000);
    await mkdir(store.directory, { recursive: true });
    await writeFile(join(store.directory, 'store.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), token: 'dead', createdAt: Date.now() }));
    await writeFile(`${store.path}.12345.abcdef12.tmp`, '{"formatVersion": 1, "regis');
    await store.update((document) => {
      document.registries['a'] = record('a');
    });
    expect(Object.keys((await store.read()).registries)).toEqual(['a']);
    expect(await readdir(store.directory)).toEqual(['store.json']);
  });

  it('waits for a live lock and then says who holds it', async () => {
    const store = freshStore(300);
    await mkdir(store.directory, { recursive: true });
    await writeFile(join(store.directory, 'store.lock'), JSON.stringify({ pid: process.pid, host: hostname(), token: 'live', createdAt: Date.now() }));
    await expect(store.update(() => undefined)).rejects.toMatchObject({
      code: 'STORE_FAILED',
      message: expect.stringMatching(new RegExp(`locked by process ${process.pid} on .* If no registrykit command is running, delete .*store\\.lock`)),
    });
  });

  it('reports a lock it cannot create (a directory it may not write) as STORE_FAILED, saying what to do', async () => {
    // Tests run as root, whom a read-only directory does not stop: a missing one fails the same way.
    const lock = join(root, 'no-such-directory', 'store.lock');
    await expect(acquireFileLock(lock, { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'STORE_FAILED',
      message: expect.stringMatching(/^Cannot lock the registrykit store \(.*no-such-directory\/store\.lock\): ENOENT.* Make its directory writable, or point REGISTRYKIT_CONFIG_DIR at one that is\.$/),
      details: { lock },
    });
  });

  it('refuses a broken file or one from a newer version, naming the file and what to do', async () => {
    const broken = freshStore();
    await mkdir(broken.directory, { recursive: true });
    await writeFile(broken.path, '{"formatVersion": 1, "registries": {');
    await expect(broken.read()).rejects.toMatchObject({ code: 'STORE_FAILED', message: expect.stringContaining(`${broken.path} cannot be read: it is not valid JSON`) });
    const newer = freshStore();
    await mkdir(newer.directory, { recursive: true });
    await writeFile(newer.path, JSON.stringify({ formatVersion: STORE_FORMAT_VERSION + 1 }));
    await expect(newer.update(() => undefined)).rejects.toMatchObject({ code: 'STORE_FAILED', message: expect.stringContaining('written by a newer registrykit') });
  });

  it('lives in REGISTRYKIT_CONFIG_DIR, else $XDG_CONFIG_HOME/registrykit, else ~/.config/registrykit', () => {
    expect(configDirectory({ REGISTRYKIT_CONFIG_DIR: '/x/rk', XDG_CONFIG_HOME: '/y' })).toBe('/x/rk');
    expect(configDirectory({ XDG_CONFIG_HOME: '/y' })).toBe('/y/registrykit');
    expect(configDirectory({})).toMatch(/\.config\/registrykit$/);
  });
});
