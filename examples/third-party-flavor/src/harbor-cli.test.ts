import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, skopeoInspect } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HarborEnvironment, startHarborEnvironment } from './test-support/harbor-environment.js';

// What a user of this package does: register it with the registrykit CLI (the built package, by
// its folder, as `npm install` would leave it), then use it like a built-in flavor.

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(dirname(createRequire(import.meta.url).resolve('@registrykit/cli/package.json')), 'dist', 'bin.js');

let harbor: HarborEnvironment;
let configDir: string;
const transcript: string[] = [];

beforeAll(async () => {
  [harbor, configDir] = await Promise.all([startHarborEnvironment(), mkdtemp(join(tmpdir(), 'rk-harbor-cli-'))]);
});

afterAll(async () => {
  await Promise.all([harbor?.stop(), rm(configDir, { recursive: true, force: true })]);
});

/** Runs the built `registrykit`; rejects with its output when it fails. */
function registrykit(...args: string[]): Promise<string> {
  const env = { ...process.env, REGISTRYKIT_CONFIG_DIR: configDir, DOCKER_HOST: testDockerHost(), HARBOR_PASSWORD: harbor.credentials.password };
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      transcript.push(output);
      if (code === 0) resolve(output);
      else reject(new Error(`registrykit ${args.join(' ')} exited ${code}:\n${output}`));
    });
  });
}

describe('the registrykit CLI with this package', () => {
  it('registers the built package with `flavor register`, then pushes through a registry of its flavor', async () => {
    expect(await registrykit('container-registry', 'flavor', 'register', PACKAGE)).toContain(`Registered flavor "harbor" (Harbor) from ${join(PACKAGE, 'dist', 'index.js')}.\n`);
    const described = await registrykit('container-registry', 'flavor', 'describe', 'harbor');
    expect(described).toContain('--api-url (string, optional)');
    expect(described).toContain('--create-project (boolean, optional');

    const host = harbor.registry.host;
    await registrykit('service-connector', 'register', 'harbor-dev', '--type', 'docker', '--username', 'harbor-dev', '--password', 'env:HARBOR_PASSWORD', '--registry', host);
    await registrykit('container-registry', 'register', 'harbor', '--flavor', 'harbor', '--uri', `${host}/cli-team`, '--api-url', harbor.api.url, '--create-project', 'true', '--connector', 'harbor-dev');
    const image = `${host}/cli-team/app:1`;
    await buildTestImage({ dockerHost: testDockerHost(), tag: image, runStep: false });

    const pushed = await registrykit('image', 'push', image);

    const { Digest } = await skopeoInspect(image, { credentials: { username: 'harbor-dev', password: harbor.credentials.password } });
    expect(pushed).toContain(`reference  ${host}/cli-team/app@${Digest}`);
    expect(harbor.api.projects.has('cli-team')).toBe(true);
    expect(transcript.join('')).not.toContain(harbor.credentials.password);
  });
});
