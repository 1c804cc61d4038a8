import { randomInt } from 'node:crypto';
import { createContainerRegistry, createServiceConnector, dockerConnectorType } from '@registrykit/core';
import { createDockerPusher } from '@registrykit/docker';
import { createOciClient, type OciClient } from '@registrykit/oci';
import { testCertificateAuthority, testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, certificateDirectory, createDockerConfigSandbox, type DockerConfigSandbox, skopeoInspect, waitForEngineToResolve } from '@registrykit/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { githubFlavor } from './github-flavor.js';
import { type GitHubFixture, startGitHub } from './test-support/github.js';

// A GitHub Enterprise Server of its own: containers.<host> for the registry, <host>/api/v3 for the API.
const HOST = `ghes${randomInt(1000, 9999)}.rk-test.example`;
const TOKEN = 'ghp_rk-enterprise';

let github: GitHubFixture;
let registryApi: OciClient;
let sandbox: DockerConfigSandbox;

beforeAll(async () => {
  registryApi = createOciClient();
  sandbox = await createDockerConfigSandbox();
  github = await startGitHub({
    ca: await testCertificateAuthority(),
    registryHostname: `containers.${HOST}`,
    apiHostname: HOST,
    apiPathPrefix: '/api/v3',
    owners: { platform: 'Organization' },
    tokens: { [TOKEN]: { login: 'mona', scopes: ['read:packages', 'write:packages', 'delete:packages'] } },
  });
  await waitForEngineToResolve(testDockerHost(), github.registry.front.hostname);
});

afterAll(async () => {
  registryApi?.close();
  await github?.stop();
  await sandbox?.remove();
});

it('pushes to a GitHub Enterprise registry and manages images through its /api/v3, found from the host', async () => {
  const dockerHost = testDockerHost();
  const uri = `containers.${HOST}/platform`;
  const connector = createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { username: 'mona', password: TOKEN, registry: `containers.${HOST}` } });
  const registry = createContainerRegistry({ flavor: githubFlavor, config: { uri }, connector, pusher: createDockerPusher({ dockerHost }), registryApi, env: await sandbox.env() });
  await buildTestImage({ dockerHost, tag: `${uri}/app:1`, runStep: false });
  await buildTestImage({ dockerHost, tag: `${uri}/app:2`, runStep: false });
  const first = await registry.pushImage(`${uri}/app:1`);
  const second = await registry.pushImage(`${uri}/app:2`);

  const certDir = await certificateDirectory((await testCertificateAuthority()).certificatePem);
  try {
    const seen = await skopeoInspect(`${uri}/app:1`, { tlsVerify: true, certDir: certDir.path, credentials: { username: 'mona', password: TOKEN } });
    expect(seen.Digest).toBe(first.digest);
  } finally {
    await certDir.remove();
  }
  expect(await registry.getImageDigest(`${uri}/app:1`)).toBe(first.digest);
  expect((await registry.listImages(`${uri}/app`)).map((image) => image.digest).sort()).toEqual([first.digest, second.digest].sort());
  expect(await registry.deleteImage(`${uri}/app:1`)).toEqual({ deleted: [`${uri}/app@${first.digest}`, `${uri}/app:1`], failures: [] });
  expect(github.api.front.requests.every((request) => request.path.startsWith('/api/v3/'))).toBe(true);
});
