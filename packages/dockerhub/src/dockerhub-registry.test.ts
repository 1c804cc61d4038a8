import { type ContainerRegistry, createContainerRegistry, createServiceConnector, dockerConnectorType } from '@registrykit/core';
import { createDockerPusher } from '@registrykit/docker';
import { createOciClient, type OciClient } from '@registrykit/oci';
import { testCertificateAuthority, testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, certificateDirectory, createDockerConfigSandbox, type DockerConfigSandbox, skopeoInspect, waitForEngineToResolve } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerhubFlavor } from './dockerhub-flavor.js';
import { type DockerHubFixture, startDockerHub } from './test-support/docker-hub.js';

// registry-1.docker.io, auth.docker.io and hub.docker.com are fixed host names: every test that
// maps them lives in this file.
const USER = 'rkhubuser';
const PAT = 'dckr_pat_rk-registry-test';

let hub: DockerHubFixture;
let certDir: { path: string; remove: () => Promise<void> };
let sandbox: DockerConfigSandbox;
let dockerHost: string;
let registryApi: OciClient;

beforeAll(async () => {
  dockerHost = testDockerHost();
  registryApi = createOciClient();
  const ca = await testCertificateAuthority();
  [hub, certDir, sandbox] = await Promise.all([startDockerHub({ ca, accounts: { [USER]: [PAT] } }), certificateDirectory(ca.certificatePem), createDockerConfigSandbox()]);
  await waitForEngineToResolve(dockerHost, hub.registry.front.hostname);
});

afterAll(async () => {
  registryApi?.close();
  await Promise.all([hub?.stop(), certDir?.remove(), sandbox?.remove()]);
});

const inspect = (image: string) => skopeoInspect(image, { tlsVerify: true, certDir: certDir.path, credentials: { username: USER, password: PAT } });

async function withConnector(): Promise<ContainerRegistry> {
  const connector = createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { username: USER, password: PAT } });
  return createContainerRegistry({ flavor: dockerhubFlavor, config: { uri: USER }, connector, pusher: createDockerPusher({ dockerHost }), registryApi, env: await sandbox.env() });
}

describe('pushing to Docker Hub through the Docker engine', () => {
  it('pushes with a docker connector holding a personal access token; skopeo sees the pushed digest', async () => {
    const registry = await withConnector();
    const image = `docker.io/${USER}/app:1`;
    await buildTestImage({ dockerHost, tag: image, runStep: false });

    const result = await registry.pushImage(image);

    expect(result.reference).toBe(`docker.io/${USER}/app@${result.digest}`);
    const seen = await inspect(image);
    expect(seen.Digest).toBe(result.digest);
    expect(await registry.getImageDigest(image)).toBe(seen.Digest);
    expect(await registry.getImageDigest(`${USER}/app:2`)).toBeUndefined();
    expect(hub.registry.issuer.requests.some((request) => request.user === USER && request.service === 'registry.docker.io' && request.status === 200)).toBe(true);
    expect(hub.registry.realmFront!.requests.length).toBeGreaterThan(0);
  });

  it("pushes with the docker config's https://index.docker.io/v1/ entry, as `docker login` leaves it", async () => {
    const env = await sandbox.env({ dockerConfig: { auths: { 'https://index.docker.io/v1/': { auth: Buffer.from(`${USER}:${PAT}`).toString('base64') } } } });
    const registry = createContainerRegistry({ flavor: dockerhubFlavor, config: { uri: `docker.io/${USER}` }, pusher: createDockerPusher({ dockerHost }), env });
    const image = `${USER}/config:1`; // the familiar form, as `docker push` takes it
    await buildTestImage({ dockerHost, tag: image, runStep: false });

    const result = await registry.pushImage(image);

    expect(await registry.resolveCredentials()).toMatchObject({ source: 'docker-config:auths' });
    expect((await inspect(`docker.io/${USER}/config:1`)).Digest).toBe(result.digest);
  });

  it('refuses a push without credentials with AUTHENTICATION_FAILED that says how to log in, before pushing', async () => {
    const registry = createContainerRegistry({ flavor: dockerhubFlavor, config: { uri: USER }, pusher: createDockerPusher({ dockerHost }), env: await sandbox.env() });
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

  it('deletes by digest: every tag on it through the Hub API, then reports that the registry kept the manifest', async () => {
    const registry = await withConnector();
    await buildTestImage({ dockerHost, tag: `docker.io/${USER}/bydigest:1`, runStep: false });
    const { digest } = await registry.pushImage(`docker.io/${USER}/bydigest:1`, {});
    await registry.pushImage(`docker.io/${USER}/bydigest:2`, { source: `docker.io/${USER}/bydigest:1` });
    await buildTestImage({ dockerHost, tag: `docker.io/${USER}/bydigest:other`, runStep: false });
    await registry.pushImage(`docker.io/${USER}/bydigest:other`);

    const result = await registry.deleteImage(`docker.io/${USER}/bydigest@${digest}`);

    expect([...result.deleted].sort()).toEqual([`docker.io/${USER}/bydigest:1`, `docker.io/${USER}/bydigest:2`]);
    expect(result.failures).toEqual([{ reference: `docker.io/${USER}/bydigest@${digest}`, code: 'UNSUPPORTED', reason: expect.stringMatching(/answered 405/) }]);
    expect(await registry.listTags(`docker.io/${USER}/bydigest`)).toEqual(['other']);
  });
});

describe('rate limits', () => {
  it("says a 429 on registry reads is Docker Hub's pull limit, with the quota and whom it counts", async () => {
    const registry = await withConnector();
    await buildTestImage({ dockerHost, tag: `docker.io/${USER}/limited:1`, runStep: false });
    await registry.pushImage(`docker.io/${USER}/limited:1`);
    hub.throttleRegistry('pull', 50);
    try {
      const error = await registry.getImageDigest(`docker.io/${USER}/limited:1`).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'pull', allowed: 100, windowSeconds: 21600, remaining: 0, source: '203.0.113.7' } });
      expect((error as Error).message).toMatch(
        /^Docker Hub's pull rate limit of 100 pulls per 6 h was reached while reading the digest of docker\.io\/rkhubuser\/limited:1 counted for 203\.0\.113\.7; pulls free up as the 6 h window slides\./,
      );
      expect((error as Error).message).not.toContain(PAT);
    } finally {
      hub.throttleRegistry('pull', 0);
    }
  });

  it('tells the anti-abuse limit apart from the pull limit', async () => {
    const registry = await withConnector();
    hub.throttleRegistry('abuse', 50);
    try {
      const error = await registry.listTags(`docker.io/${USER}/limited`).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'abuse' } });
      expect((error as Error).message).toMatch(/^Docker Hub's anti-abuse limit \(too many requests from this address in a short time; not the pull limit\) stopped listing the tags of docker\.io\/rkhubuser\/limited/);
    } finally {
      hub.throttleRegistry('abuse', 0);
    }
  });
});
