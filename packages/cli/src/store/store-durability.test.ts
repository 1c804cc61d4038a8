import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cli, collect } from '../test-support/cli-runner.js';

let cli: Cli;
beforeEach(async () => {
  cli = await Cli.create();
});
afterEach(() => rm(cli.configDir, { recursive: true, force: true }));

const registerArgs = (name: string) => ['container-registry', 'register', name, '--flavor', 'default', '--uri', `127.0.0.1:5000/${name}`];

async function registryNames(): Promise<string[]> {
  return (await cli.json<{ name: string }[]>(['container-registry', 'list'])).map((registry) => registry.name).sort();
}

/** Starts a command that stops at `point` in its store write, and resolves once it is there. */
async function pausedAt(point: string, args: string[]) {
  const child = cli.spawn(args, { env: { REGISTRYKIT_DEBUG_PAUSE_AT: point } });
  const done = collect(child);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer | string) => {
      seen += String(chunk);
      if (seen.includes(`paused at ${point}`)) resolve();
    });
    child.on('close', () => reject(new Error(`the command ended before pausing at ${point}: ${seen}`)));
  });
  return { child, done };
}

describe('the store under concurrent and interrupted commands', () => {
  it('loses nothing when 20 register commands run at once', async () => {
    const names = Array.from({ length: 20 }, (_, index) => `concurrent-${String(index).padStart(2, '0')}`);
    const results = await Promise.all(names.map((name) => cli.run(registerArgs(name))));
    expect(results.map((result) => result.code)).toEqual(names.map(() => 0));
    expect(await registryNames()).toEqual(names);
  });

  it('loses nothing when connectors and registries are registered at once', async () => {
    const commands = Array.from({ length: 10 }, (_, index) => [
      registerArgs(`registry-${index}`),
      ['service-connector', 'register', `connector-${index}`, '--type', 'docker', '--username', 'u', '--password', 'env:RK_PW', '--registry', '127.0.0.1:5000', '--no-verify'],
    ]).flat();
    const results = await Promise.all(commands.map((args) => cli.run(args, { env: { RK_PW: 'pw-value' } })));
    expect(results.every((result) => result.code === 0)).toBe(true);
    expect(await registryNames()).toHaveLength(10);
    expect(await cli.json<unknown[]>(['service-connector', 'list'])).toHaveLength(10);
  });

  for (const point of ['locked', 'partial-write', 'before-rename', 'written']) {
    it(`leaves a store that loads when a command is killed at "${point}", and the next command takes over its lock`, async () => {
      await cli.ok(registerArgs('before'));
      const { child, done } = await pausedAt(point, registerArgs('killed'));
      child.kill('SIGKILL');
      expect((await done).signal).toBe('SIGKILL');

      const left = await readdir(cli.configDir);
      expect(left).toContain('store.lock');
      if (point === 'partial-write' || point === 'before-rename') expect(left.some((name) => /^store\.json\..*\.tmp$/.test(name))).toBe(true);

      // The rename is the commit point: before it the store is the old one, after it the new one.
      const expected = point === 'written' ? ['before', 'killed'] : ['before'];
      expect(await registryNames()).toEqual(expected);
      const started = Date.now();
      await cli.ok(registerArgs('after'));
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await registryNames()).toEqual([...expected, 'after'].sort());
      expect((await readdir(cli.configDir)).sort()).toEqual(['store.json']);
    });
  }

  it('leaves a store that loads after many commands killed at random moments', async () => {
    const children = Array.from({ length: 24 }, (_, index) => {
      const child = cli.spawn(registerArgs(`random-${index}`));
      const done = collect(child);
      setTimeout(() => child.kill('SIGKILL'), 40 + Math.random() * 400);
      return done;
    });
    const results = await Promise.all(children);
    const completed = results.flatMap((result, index) => (result.code === 0 ? [`random-${index}`] : []));
    const text = await readFile(join(cli.configDir, 'store.json'), 'utf8').catch(() => '{"formatVersion":1}');
    expect(() => JSON.parse(text)).not.toThrow();
    const names = await registryNames();
    // Every command that reported success is in the store; a killed one may or may not be.
    for (const name of completed) expect(names).toContain(name);
    await cli.ok(registerArgs('survivor'));
    expect(await registryNames()).toContain('survivor');
  });
});
