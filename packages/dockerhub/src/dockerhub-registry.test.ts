import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ContainerRegistry, createContainerRegistry, createServiceConnector, dockerConnectorType } from '@registrykit/core';
import { createDockerPusher } from '@registrykit/docker';
import { testCertificateAuthority, testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, certificateDirectory, skopeoInspect } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerHubFlavor } from './dockerhub-flavor.js';
import { type DockerHubFixture, startDockerHub } from './test-support/docker-hub.js';

// registry-1.docker.io, auth.docker.io and hub.docker.com are fixed host names: every test that
// maps them lives in this file.
const USER = 'rkhubuser';
const PAT = 'dckr_pat_rk-registry-test';

let hub: DockerHubFixture;
let certDir: { path: string; remove: () => Promise<void> };
let workDir: string;
let dockerHost: string;

beforeAll(async () => {
  dockerHost = testDockerHost();
  const ca = await testCertificateAuthority();
  [hub, certDir, workDir] = await Promise.all([
    startDockerHub({ ca, accounts: { [USER]: [PAT] } }),
    certificateDirectory(ca.certificatePem),
    mkdtemp(join(tmpdir(), 'rk-dockerhub-')),
  ]);
  await hub.registry.front.engineCanResolve();
});

afterAll(async () => {
  await Promise.all([hub?.stop(), certDir?.remove()]);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

let environments = 0;
async function isolatedEnv(dockerConfig?: object): Promise<NodeJS.ProcessEnv> {
  const dir = join(workDir, `env-${++environments}`);
  await mkdir(dir, { recursive: true });
  if (dockerConfig) await writeFile(join(dir, 'config.json'), JSON.stringify(dockerConfig));
  return { DOCKER_CONFIG: dir };
}

const inspect = (image: string) => skopeoInspect(image, { tlsVerify: true, certDir: certDir.path, credentials: { username: USER, password: PAT } });

async function withConnector(): Promise<ContainerRegistry> {
  const connector = createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { username: USER, password: PAT } });
  return createContainerRegistry({ flavor: dockerHubFlavor, config: { uri: USER }, connector, pusher: createDockerPusher({ dockerHost }), env: await isolatedEnv() });
}

describe('pushing to Docker Hub through the Docker engine', () => {
  it('pushes with a docker connector holding a personal access token; skopeo sees the pushed digest', async () => {
    const registry = await withConnector();
    const image = `docker.io/${USER}/app:1`;
    await buildTestImage({ dockerHost, tag: image, runStep: false });

    const result = await registry.pushImage(image);

    expect(result.reference).toBe(`docker.io/${USER}/app@${result.digest}`);
    expect((await inspect(image)).Digest).toBe(result.digest);
    expect(hub.registry.issuer.requests.some((request) => request.user === USER && request.service === 'registry.docker.io' && request.status === 200)).toBe(true);
    expect(hub.registry.realmFront!.requests.length).toBeGreaterThan(0);
  });

  it("pushes with the docker config's https://index.docker.io/v1/ entry, as `docker login` leaves it", async () => {
    const env = await isolatedEnv({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from(`${USER}:${PAT}`).toString('base64') } } });
    const registry = createContainerRegistry({ flavor: dockerHubFlavor, config: { uri: `docker.io/${USER}` }, pusher: createDockerPusher({ dockerHost }), env });
    const image = `${USER}/config:1`; // the familiar form, as `docker push` takes it
    await buildTestImage({ dockerHost, tag: image, runStep: false });

    const result = await registry.pushImage(image);

    expect(await registry.resolveCredentials()).toMatchObject({ source: 'docker-config:auths' });
    expect((await inspect(`docker.io/${USER}/config:1`)).Digest).toBe(result.digest);
  });

  it('refuses a push without credentials with AUTHENTICATION_FAILED that says how to log in, before pushing', async () => {
    const registry = createContainerRegistry({ flavor: dockerHubFlavor, config: { uri: USER }, pusher: createDockerPusher({ dockerHost }), env: await isolatedEnv() });
    await buildTestImage({ dockerHost, tag: `docker.io/${USER}/anonymous:1`, runStep: false });
    await expect(registry.pushImage(`docker.io/${USER}/anonymous:1`)).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      message: expect.stringMatching(/^Pushing docker\.io\/rkhubuser\/anonymous:1 needs your Docker ID: bind a docker connector/),
    });
    expect(hub.registry.front.requests.some((request) => request.path.includes('/anonymous/'))).toBe(false);
  });
});

describe('managing images through the Hub API', () => {
  it('lists images with their tags, sizes and push times without pulling manifests', async () => {
    const registry = await withConnector();
    const image = `docker.io/${USER}/listed:1`;
    await buildTestImage({ dockerHost, tag: image, runStep: false });
    const { digest } = await registry.pushImage(image);
    const manifestReads = hub.registry.front.requests.filter((request) => request.path.includes('/manifests/')).length;

    const images = await registry.listImages(`docker.io/${USER}/listed`);

    expect(images).toEqual([{ digest, tags: ['1'], pushedAt: expect.any(Date), sizeBytes: expect.any(Number) }]);
    expect(hub.registry.front.requests.filter((request) => request.path.includes('/manifests/'))).toHaveLength(manifestReads);
  });

  it('deletes a tag through the Hub API, which the registry itself refuses', async () => {
    const registry = await withConnector();
    const image = `docker.io/${USER}/deleted:1`;
    await buildTestImage({ dockerHost, tag: image, runStep: false });
    await registry.pushImage(image);

    expect(await registry.deleteImage(image)).toEqual({ deleted: [image], failures: [] });

    await expect(inspect(image)).rejects.toThrow(/manifest unknown/i);
    expect(hub.api.front.requests.some((request) => request.method === 'DELETE' && request.path === `/v2/repositories/${USER}/deleted/tags/1` && request.status === 204)).toBe(true);
    expect(hub.registry.front.requests.some((request) => request.method === 'DELETE')).toBe(false);
    expect(await registry.deleteImage(image)).toMatchObject({ deleted: [], failures: [{ reference: image, code: 'NOT_FOUND' }] });
  });
});
