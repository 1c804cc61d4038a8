import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RegistryCredentials } from '@registrykit/core';
import { testCertificateAuthority, testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, type RegistryFixture, startRegistry } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubApiClient } from './dockerhub-api.js';
import { type HubApiServer, startHubApi } from './test-support/hub-api-server.js';

const run = promisify(execFile);
const USER = 'rkhubuser';
const PASSWORD = 'correct horse battery';
const PAT = 'dckr_pat_rk-api-test';

let registry: RegistryFixture;
let api: HubApiServer;
const digests = new Map<string, string>();

beforeAll(async () => {
  registry = await startRegistry();
  api = await startHubApi({
    ca: await testCertificateAuthority(),
    hostname: `hub-${Date.now()}.rk-test.example`,
    storageDir: registry.storageDir,
    accounts: { [USER]: [PASSWORD, PAT], other: ['other-password'] },
    maxPageSize: 2,
  });
  // Three tags of two images, pushed by a real engine to the registry the API describes.
  const dockerHost = testDockerHost();
  for (const [image, tags] of [['a', ['1', 'latest']], ['b', ['2']]] as const) {
    await buildTestImage({ dockerHost, tag: `${registry.host}/${USER}/app:${tags[0]}`, runStep: false });
    for (const tag of tags) {
      const target = `${registry.host}/${USER}/app:${tag}`;
      await run('docker', ['tag', `${registry.host}/${USER}/app:${tags[0]}`, target], { env: { ...process.env, DOCKER_HOST: dockerHost } });
      const { stdout } = await run('docker', ['push', target], { env: { ...process.env, DOCKER_HOST: dockerHost } });
      digests.set(image, /digest: (sha256:[a-f0-9]{64})/.exec(stdout)![1]!);
    }
  }
});

afterAll(async () => {
  await api?.stop();
  await registry?.stop();
});

const client = (credentials: RegistryCredentials | undefined) => createHubApiClient({ baseUrl: api.url, credentials: async () => credentials });
const basic = (username: string, password: string): RegistryCredentials => ({ type: 'basic', username, password });

describe('the Docker Hub API client', () => {
  it('logs in with a personal access token and lists every tag across pages, with digests and sizes', async () => {
    const tags = await client(basic(USER, PAT)).listTags(`${USER}/app`);
    expect(tags.map((tag) => [tag.name, tag.digest])).toEqual([
      ['1', digests.get('a')],
      ['2', digests.get('b')],
      ['latest', digests.get('a')],
    ]);
    expect(tags.every((tag) => (tag.fullSize ?? 0) > 1000 && tag.lastUpdated instanceof Date)).toBe(true);
    expect(api.front.requests.filter((request) => request.path.includes('/tags?')).length).toBeGreaterThanOrEqual(2);
  });

  it('deletes a tag with a password login, leaving the other tags of the image', async () => {
    const hub = client(basic(USER, PASSWORD));
    await hub.deleteTag(`${USER}/app`, 'latest');
    expect((await hub.listTags(`${USER}/app`)).map((tag) => tag.name)).toEqual(['1', '2']);
    await expect(hub.deleteTag(`${USER}/app`, 'latest')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/deleting the tag rkhubuser\/app:latest \(httperror 404/) });
  });

  it('logs in again when the access token lapses', async () => {
    const hub = client(basic(USER, PAT));
    await hub.listTags(`${USER}/app`);
    const logins = api.logins.length;
    api.expireTokens();
    expect(await hub.listTags(`${USER}/app`)).toHaveLength(2);
    expect(api.logins.length).toBe(logins + 1);
  });

  it('refuses wrong credentials, missing ones and identity tokens with AUTHENTICATION_FAILED, never echoing a secret', async () => {
    const wrong = await client(basic(USER, 'not-the-password')).listTags(`${USER}/app`).catch((error: unknown) => error);
    expect(wrong).toMatchObject({ code: 'AUTHENTICATION_FAILED', message: expect.stringMatching(/Docker Hub refused the credentials of "rkhubuser" \(HTTP 401\).*personal access token/) });
    expect(JSON.stringify({ message: (wrong as Error).message, details: (wrong as { details: unknown }).details })).not.toContain('not-the-password');
    await expect(client(undefined).listTags(`${USER}/app`)).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED', message: expect.stringMatching(/needs your Docker ID: bind a docker connector/) });
    await expect(client({ type: 'identity-token', token: 'secret-identity' }).deleteTag(`${USER}/app`, '1')).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      message: expect.stringMatching(/not an identity token \(a Docker Desktop sign-in\)/),
    });
  });

  it('reports another namespace as PERMISSION_DENIED and a missing repository as NOT_FOUND', async () => {
    await expect(client(basic('other', 'other-password')).deleteTag(`${USER}/app`, '1')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(client(basic(USER, PAT)).listTags(`${USER}/nothing`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('turns a 429 into RATE_LIMITED naming the API limit and when it resets', async () => {
    const hub = client(basic(USER, PAT));
    await hub.listTags(`${USER}/app`);
    api.throttle(1);
    const error = await hub.deleteTag(`${USER}/app`, '1').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'api', allowed: 180, remaining: 0 } });
    expect((error as Error).message).toMatch(/^Docker Hub's API rate limit \(180 requests per window\) was reached while deleting the tag rkhubuser\/app:1; it resets at .* \(in (59|60) s\)/);
  });
});
