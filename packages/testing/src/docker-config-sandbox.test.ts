import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createDockerConfigSandbox } from './docker-config-sandbox.js';

it('gives every call its own DOCKER_CONFIG, with the given config.json and variables only, and removes them all', async () => {
  const sandbox = await createDockerConfigSandbox();
  const empty = await sandbox.env();
  const configured = await sandbox.env({ dockerConfig: { auths: { 'ghcr.io': { auth: 'eDp5' } } }, variables: { GITHUB_TOKEN: 't' } });
  expect(Object.keys(empty)).toEqual(['DOCKER_CONFIG']);
  expect(configured).toMatchObject({ GITHUB_TOKEN: 't' });
  expect(configured['DOCKER_CONFIG']).not.toBe(empty['DOCKER_CONFIG']);
  expect(JSON.parse(await readFile(join(configured['DOCKER_CONFIG']!, 'config.json'), 'utf8'))).toEqual({ auths: { 'ghcr.io': { auth: 'eDp5' } } });
  await sandbox.remove();
  await expect(stat(empty['DOCKER_CONFIG']!)).rejects.toThrow(/ENOENT/);
});
