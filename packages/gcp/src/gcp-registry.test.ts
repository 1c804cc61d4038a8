import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BasicCredentials, createContainerRegistry, createServiceConnector, RegistryKitError } from '@registrykit/core';
import { createDockerPusher } from '@registrykit/docker';
import { createOciClient, type OciClient } from '@registrykit/oci';
import { testCertificateAuthority, testDockerHost } from '@registrykit/test-harness';
import {
  buildTestImage,
  certificateDirectory,
  createDockerConfigSandbox,
  type DockerConfigSandbox,
  type HostedRegistryFixture,
  skopeoInspect,
  type TestCertificateAuthority,
  waitForEngineToResolve,
} from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gcpConnectorType } from './gcp-connector.js';
import { gcpFlavor } from './gcp-flavor.js';
import { startGoogleRegistry } from './test-support/gcp-registry.js';
import { type GoogleTokenServer, startGoogleTokenServer } from './test-support/google-token-server.js';

// gcr.io is a fixed host: every test that maps it lives in this file.
const GCR = 'gcr.io';
const ARTIFACT_REGISTRY = `europe-test${randomInt(1000, 9999)}-docker.pkg.dev`;
const PROJECT = 'rk-test-project';

let ca: TestCertificateAuthority;
let google: GoogleTokenServer;
let gcr: HostedRegistryFixture;
let artifactRegistry: HostedRegistryFixture;
let certDir: { path: string; remove: () => Promise<void> };
let sandbox: DockerConfigSandbox;
let dockerHost: string;
let registryApi: OciClient;

beforeAll(async () => {
  dockerHost = testDockerHost();
  registryApi = createOciClient();
  ca = await testCertificateAuthority();
  google = await startGoogleTokenServer({ ca, hostname: `oauth2-registry-${Date.now()}.rk-test.example` });
  [gcr, artifactRegistry, certDir, sandbox] = await Promise.all([
    startGoogleRegistry({ hostname: GCR, ca, google }),
    startGoogleRegistry({ hostname: ARTIFACT_REGISTRY, ca, google }),
    certificateDirectory(ca.certificatePem),
    createDockerConfigSandbox(),
  ]);
  await Promise.all([waitForEngineToResolve(dockerHost, GCR), waitForEngineToResolve(dockerHost, ARTIFACT_REGISTRY)]);
});

afterAll(async () => {
  registryApi?.close();
  await Promise.all([gcr?.stop(), artifactRegistry?.stop(), google?.stop(), certDir?.remove(), sandbox?.remove()]);
});

/** An environment with an empty docker config and, optionally, an ADC key file. */
async function isolatedEnv(adcKey?: object): Promise<NodeJS.ProcessEnv> {
  const env = await sandbox.env();
  if (adcKey) {
    env['GOOGLE_APPLICATION_CREDENTIALS'] = join(env['DOCKER_CONFIG']!, 'adc.json');
    await writeFile(env['GOOGLE_APPLICATION_CREDENTIALS'], JSON.stringify(adcKey));
  }
  return env;
}

let accounts = 0;
const serviceAccountKey = () => google.createServiceAccountKey(`pusher-${++accounts}@${PROJECT}.iam.gserviceaccount.com`, PROJECT);

async function inspect(image: string, credentials: BasicCredentials) {
  return skopeoInspect(image, { tlsVerify: true, certDir: certDir.path, credentials });
}

describe('pushing to Artifact Registry through the Docker engine', () => {
  const uri = () => `${ARTIFACT_REGISTRY}/${PROJECT}/images`;

  it('pushes with a service-account key from a gcp connector; skopeo sees the pushed digest', async () => {
    const connector = createServiceConnector({ type: gcpConnectorType, authMethod: 'service-account', config: { serviceAccountJson: JSON.stringify(serviceAccountKey()) } });
    const registry = createContainerRegistry({ flavor: gcpFlavor, config: { uri: uri() }, connector, pusher: createDockerPusher({ dockerHost }), registryApi, env: await isolatedEnv() });
    const image = `${uri()}/app:1`;
    await buildTestImage({ dockerHost, tag: image, runStep: false });

    const result = await registry.pushImage(image);

    const { credentials, source } = (await registry.resolveCredentials())!;
    expect(source).toBe('connector');
    expect(credentials).toMatchObject({ type: 'basic', username: 'oauth2accesstoken' });
    const seen = await inspect(image, credentials as BasicCredentials);
    expect(seen.Digest).toBe(result.digest);
    expect(await registry.getImageDigest(image)).toBe(seen.Digest);
    const granted = artifactRegistry.issuer.requests.filter((request) => request.user === 'oauth2accesstoken' && request.status === 200);
    expect(granted.flatMap((request) => request.scopes)).toContainEqual(expect.stringMatching(new RegExp(`^repository:${PROJECT}/images/app:.*push`)));
  });

  it('lists tags, checks existence and deletes by digest through the registry API', async () => {
    const connector = createServiceConnector({ type: gcpConnectorType, authMethod: 'service-account', config: { serviceAccountJson: JSON.stringify(serviceAccountKey()) } });
    const registry = createContainerRegistry({ flavor: gcpFlavor, config: { uri: uri() }, connector, pusher: createDockerPusher({ dockerHost }), registryApi, env: await isolatedEnv() });
    await buildTestImage({ dockerHost, tag: `${uri()}/managed:1`, runStep: false });
    await buildTestImage({ dockerHost, tag: `${uri()}/managed:2`, runStep: false });
    const { digest } = await registry.pushImage(`${uri()}/managed:1`);
    await registry.pushImage(`${uri()}/managed:2`);

    expect((await registry.listTags(`${uri()}/managed`)).sort()).toEqual(['1', '2']);
    expect(await registry.imageExists(`${uri()}/managed:1`)).toBe(true);
    expect(await registry.imageExists(`${uri()}/managed:3`)).toBe(false);
    expect(await registry.deleteImage(`${uri()}/managed@${digest}`)).toEqual({ deleted: [`${uri()}/managed@${digest}`], failures: [] });

    expect(await registry.getImageDigest(`${uri()}/managed:1`)).toBeUndefined();
    expect(await registry.listTags(`${uri()}/managed`)).toEqual(['2']);
  });

  it('verifies a connector against the registry it will push to', async () => {
    const connector = createServiceConnector({ type: gcpConnectorType, authMethod: 'service-account', config: { serviceAccountJson: JSON.stringify(serviceAccountKey()) } });
    expect(await connector.verify({ registryHost: ARTIFACT_REGISTRY, registryApi })).toEqual({ resources: [ARTIFACT_REGISTRY] });
    const stale = createServiceConnector({ type: gcpConnectorType, authMethod: 'oauth2-token', config: { token: 'ya29.never-issued' } });
    await expect(stale.verify({ registryHost: ARTIFACT_REGISTRY, registryApi })).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });

  it('mints a fresh token when the registry refuses the cached one, and the push succeeds', async () => {
    const connector = createServiceConnector({ type: gcpConnectorType, authMethod: 'service-account', config: { serviceAccountJson: JSON.stringify(serviceAccountKey()) } });
    const registry = createContainerRegistry({ flavor: gcpFlavor, config: { uri: uri() }, connector, pusher: createDockerPusher({ dockerHost }), registryApi, env: await isolatedEnv() });
    await buildTestImage({ dockerHost, tag: `${uri()}/refresh:1`, runStep: false });
    await buildTestImage({ dockerHost, tag: `${uri()}/refresh:2`, runStep: false });
    await registry.pushImage(`${uri()}/refresh:1`);
    const before = (await registry.credentials()) as BasicCredentials;

    google.revokeAll(); // as if the hour were up: the registry's token service refuses it
    const result = await registry.pushImage(`${uri()}/refresh:2`);

    const after = (await registry.credentials()) as BasicCredentials;
    expect(after.password).not.toBe(before.password);
    expect(google.isValid(after.password)).toBe(true);
    expect((await inspect(`${uri()}/refresh:2`, after)).Digest).toBe(result.digest);
  });

  it('reports a deleted service-account key as AUTHENTICATION_FAILED naming the connector, without secrets', async () => {
    const key = serviceAccountKey();
    google.disableKey(key['client_email']!);
    const connector = createServiceConnector({ type: gcpConnectorType, authMethod: 'service-account', config: { serviceAccountJson: JSON.stringify(key) } });
    const registry = createContainerRegistry({ flavor: gcpFlavor, config: { uri: uri() }, connector, pusher: createDockerPusher({ dockerHost }), registryApi, env: await isolatedEnv() });
    await buildTestImage({ dockerHost, tag: `${uri()}/denied:1`, runStep: false });
    const error = await registry.pushImage(`${uri()}/denied:1`).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/Google refused the credentials from the service-account key of the gcp connector \(invalid_grant/);
    expect((error as Error).message).not.toContain(key['private_key']!.slice(40, 80));
  });
});

describe('pushing to Container Registry (gcr.io) with Application Default Credentials', () => {
  const uri = `${GCR}/${PROJECT}`;

  it('reads GOOGLE_APPLICATION_CREDENTIALS, pushes, and skopeo sees the pushed digest', async () => {
    const registry = createContainerRegistry({ flavor: gcpFlavor, config: { uri }, pusher: createDockerPusher({ dockerHost }), registryApi, env: await isolatedEnv(serviceAccountKey()) });
    const image = `${uri}/team/app:1`;
    await buildTestImage({ dockerHost, tag: image, runStep: false });

    const result = await registry.pushImage(image);

    const { credentials, source } = (await registry.resolveCredentials())!;
    expect(source).toBe('flavor');
    expect((await inspect(image, credentials as BasicCredentials)).Digest).toBe(result.digest);
    expect(await registry.getImageDigest(image)).toBe(result.digest);
  });

  it('says how to provide credentials when there are none, before pushing anything', async () => {
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', '');
    vi.stubEnv('CLOUDSDK_CONFIG', join((await sandbox.env())['DOCKER_CONFIG']!, 'no-gcloud'));
    vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
    try {
      const registry = createContainerRegistry({ flavor: gcpFlavor, config: { uri }, pusher: createDockerPusher({ dockerHost }), registryApi, env: await isolatedEnv() });
      await buildTestImage({ dockerHost, tag: `${uri}/none:1`, runStep: false });
      const manifestPuts = gcr.front.requests.filter((request) => request.method === 'PUT').length;
      await expect(registry.pushImage(`${uri}/none:1`)).rejects.toMatchObject({
        code: 'AUTHENTICATION_FAILED',
        message: expect.stringMatching(/No Google credentials were found.*GOOGLE_APPLICATION_CREDENTIALS/),
      });
      expect(gcr.front.requests.filter((request) => request.method === 'PUT')).toHaveLength(manifestPuts);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
