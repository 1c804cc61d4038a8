import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryKitError } from '@registrykit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDockerSettings } from './docker-settings.js';

let outside: string;
let root: string;

beforeAll(async () => {
  outside = await mkdtemp(join(tmpdir(), 'rk-settings-'));
  root = join(outside, 'project');
  await mkdir(join(root, 'app', 'deploy'), { recursive: true });
  await writeFile(join(root, 'app', 'Dockerfile'), 'FROM scratch\n');
  await writeFile(join(root, 'app', 'requirements.txt'), 'requests\n');
  await writeFile(join(outside, 'Dockerfile'), 'FROM scratch\n');
  await mkdir(join(outside, 'elsewhere'));
  await symlink(join(outside, 'elsewhere'), join(root, 'escape'));
});

afterAll(async () => {
  await rm(outside, { recursive: true, force: true });
});

/** The INVALID_CONFIG error and its problems, by field. */
async function problemsOf(settings: unknown, options = {}): Promise<{ error: RegistryKitError; byField: Record<string, string> }> {
  const error = await resolveDockerSettings(settings, { root, ...options }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(RegistryKitError.hasCode(error, 'INVALID_CONFIG')).toBe(true);
  const problems = (error as RegistryKitError).details['problems'] as { field: string; message: string }[];
  return { error: error as RegistryKitError, byField: Object.fromEntries(problems.map((problem) => [problem.field, problem.message])) };
}

describe('resolveDockerSettings', () => {
  it('accepts settings and makes their paths absolute, relative to the base directory', async () => {
    const resolved = await resolveDockerSettings(
      { parentImage: 'python:3.12-slim', buildContextRoot: '..', requirementsFile: '../requirements.txt', environment: { A: '1' } },
      { root, baseDirectory: join(root, 'app', 'deploy') },
    );
    expect(resolved).toMatchObject({
      root,
      contextRoot: join(root, 'app'),
      requirementsFilePath: join(root, 'app', 'requirements.txt'),
      dockerfilePath: undefined,
    });
    expect(resolved.settings).toEqual({ parentImage: 'python:3.12-slim', buildContextRoot: '..', requirementsFile: '../requirements.txt', environment: { A: '1' } });
  });

  it('refuses unknown keys, naming the closest known one', async () => {
    const { error, byField } = await problemsOf({ parentImage: 'python:3.12', build_args: { A: '1' } });
    expect(byField['build_args']).toContain('Did you mean "buildArgs"?');
    expect(error.message).toContain('Invalid configuration for the Docker settings');
  });

  it('refuses a Dockerfile that does not exist', async () => {
    const { byField } = await problemsOf({ dockerfile: 'app/Dockerfile.missing' });
    expect(byField['dockerfile']).toBe(`the file ${join(root, 'app', 'Dockerfile.missing')} does not exist.`);
  });

  it('refuses a build context outside the root, also through a symlink', async () => {
    const direct = await problemsOf({ parentImage: 'python:3.12', buildContextRoot: '../elsewhere' });
    expect(direct.byField['buildContextRoot']).toContain(`is outside the root ${root}`);
    const linked = await problemsOf({ parentImage: 'python:3.12', buildContextRoot: 'escape' });
    expect(linked.byField['buildContextRoot']).toContain(`(really ${join(outside, 'elsewhere')}) is outside the root`);
    const dockerfile = await problemsOf({ dockerfile: '../Dockerfile' });
    expect(dockerfile.byField['dockerfile']).toContain('is outside the root');
  });

  it('refuses a file where a directory is wanted, and the other way round', async () => {
    const { byField } = await problemsOf({ parentImage: 'python:3.12', buildContextRoot: 'app/Dockerfile', requirementsFile: 'app' });
    expect(byField['buildContextRoot']).toBe(`${join(root, 'app', 'Dockerfile')} is not a directory.`);
    expect(byField['requirementsFile']).toBe(`${join(root, 'app')} is not a file.`);
  });

  it('refuses generated-Dockerfile settings next to a Dockerfile of your own, each by name', async () => {
    const { byField } = await problemsOf({ dockerfile: 'app/Dockerfile', parentImage: 'python:3.12', requirements: ['x'], aptPackages: ['curl'], environment: { A: 'b' }, user: 'app' });
    expect(Object.keys(byField).sort()).toEqual(['aptPackages', 'environment', 'parentImage', 'requirements', 'user']);
    expect(byField['requirements']).toContain('cannot be combined with "dockerfile"');
  });

  it('needs a parent image or a Dockerfile, and one kind of requirements', async () => {
    const { byField } = await problemsOf({ requirements: ['x'], requirementsFile: 'app/requirements.txt', target: 'build' });
    expect(byField['parentImage']).toContain('is required unless "dockerfile" is given');
    expect(byField['requirementsFile']).toContain('not both');
    expect(byField['target']).toContain('a generated Dockerfile has one stage');
  });

  it('checks values: image references, apt names, variable names, users, platforms, repositories and tags', async () => {
    const { byField } = await problemsOf({
      parentImage: 'Python:3',
      aptPackages: ['curl; rm -rf /'],
      environment: { 'BAD-NAME': 'x', GOOD: 'two\nlines' },
      buildArgs: { '1X': 'y' },
      labels: { 'has space': 'v' },
      user: 'root;',
      platform: 'amd64',
      repository: 'Team/App',
      tag: '::',
    });
    expect(Object.keys(byField).sort()).toEqual([
      'aptPackages',
      'buildArgs.1X',
      'environment.BAD-NAME',
      'environment.GOOD',
      'labels.has space',
      'parentImage',
      'platform',
      'repository',
      'tag',
      'user',
    ]);
    expect(byField['repository']).toContain('must be lowercase');
    expect(byField['tag']).toContain('no letters or digits');
  });

  it('refuses what is not an object', async () => {
    const { byField } = await problemsOf(['parentImage']);
    expect(byField['(config)']).toContain('expected an object');
  });
});
