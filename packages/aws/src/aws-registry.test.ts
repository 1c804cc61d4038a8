import { createContainerRegistry, createServiceConnector, RegistryKitError } from '@registrykit/core';
import { createDockerPusher } from '@registrykit/docker';
import { testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, certificateDirectory, skopeoInspect } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsConnectorType } from './aws-connector.js';
import { awsFlavor } from './aws-flavor.js';
import { useAwsKeys } from './test-support/aws-environment-variables.js';
import { startEcrEnvironment, type EcrEnvironment } from './test-support/ecr-environment.js';

// End to end: the Docker engine pushes to a real Distribution registry served under a random
// `<account>.dkr.ecr.eu-central-1.amazonaws.com` host with TLS and ECR's Basic `AWS:<token>`
// auth, the tokens coming from GetAuthorizationToken through the real AWS SDK.

const KEY_ID = 'AKIAPUSHTEST00000001';
const SECRET = 'push-test-secret-8e21';
let env: EcrEnvironment;
let certDir: { path: string; remove: () => Promise<void> };
let dockerHost: string;

beforeAll(async () => {
  dockerHost = testDockerHost();
  env = await startEcrEnvironment({ region: 'eu-central-1', registryTraffic: { dockerHost } });
  env.ecr.addAccessKey(KEY_ID, { secretAccessKey: SECRET });
  certDir = await certificateDirectory(env.caPem);
  useAwsKeys({ accessKeyId: KEY_ID, secretAccessKey: SECRET });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([env?.stop(), certDir?.remove()]);
});

/** What skopeo, trusting the test CA and logged in with a fresh ECR token, sees. */
async function inspect(image: string) {
  const credentials = await createContainerRegistry({ flavor: awsFlavor, config: { uri: env.host, endpoint: env.ecr.endpoint }, dockerCredentials: false }).credentials();
  const { username, password } = credentials as { username: string; password: string };
  return skopeoInspect(image, { tlsVerify: true, certDir: certDir.path, credentials: { username, password } });
}

describe('pushing to ECR through the Docker engine', () => {
  it('creates the repository, pushes with a token from the default credential chain, and the image lands under the ECR host', async () => {
    const image = `${env.host}/team/app:v1`;
    await buildTestImage({ dockerHost, tag: image });
    const registry = createContainerRegistry({
      flavor: awsFlavor,
      config: { uri: env.host, endpoint: env.ecr.endpoint, createRepository: true },
      pusher: createDockerPusher({ dockerHost }),
      dockerCredentials: false,
    });

    const result = await registry.pushImage(image);

    expect(env.ecr.repositories.has('team/app')).toBe(true);
    expect(await registry.resolveCredentials()).toMatchObject({ source: 'flavor', credentials: { username: 'AWS' } });
    const seen = await inspect(image);
    expect(result.digest).toBe(seen.Digest);
    expect(result.reference).toBe(`${env.host}/team/app@${seen.Digest}`);
    expect(await registry.getImageDigest(image)).toBe(result.digest);
  });

  it('refreshes an expired token once and the push succeeds (connector credentials)', async () => {
    env.ecr.createRepository('team/refresh');
    const image = `${env.host}/team/refresh:v1`;
    await buildTestImage({ dockerHost, tag: image });
    const connector = createServiceConnector({ type: awsConnectorType, authMethod: 'secret-key', config: { accessKeyId: KEY_ID, secretAccessKey: SECRET, endpoint: env.ecr.endpoint } });
    const registry = createContainerRegistry({ flavor: awsFlavor, config: { uri: env.host }, connector, pusher: createDockerPusher({ dockerHost }), dockerCredentials: false });
    const tokens = () => env.ecr.calls.filter((call) => call.operation === 'GetAuthorizationToken').length;

    const stale = (await registry.credentials()) as { password: string };
    env.ecr.expireIssuedTokens();
    expect(env.ecr.tokenStatus(stale.password)).toBe('expired');
    const before = tokens();
    const refusalsBefore = env.proxy!.refusals.length;

    const result = await registry.pushImage(image);

    // The registry answered 403 "Your authorization token has expired", the component fetched a
    // new token and pushed again.
    expect(env.proxy!.refusals.slice(refusalsBefore).some((refusal) => refusal.status === 403)).toBe(true);
    expect(tokens() - before).toBe(1);
    const fresh = (await registry.credentials()) as { password: string };
    expect(fresh.password).not.toBe(stale.password);
    expect(env.ecr.tokenStatus(fresh.password)).toBe('valid');
    expect((await inspect(image)).Digest).toBe(result.digest);
  });

  it('replaces a token about to lapse before using it', async () => {
    env.ecr.setTokenLifetime(4 * 60);
    try {
      const registry = createContainerRegistry({ flavor: awsFlavor, config: { uri: env.host, endpoint: env.ecr.endpoint }, dockerCredentials: false });
      const first = (await registry.credentials()) as { password: string };
      const second = (await registry.credentials()) as { password: string };
      expect(second.password).not.toBe(first.password);
    } finally {
      env.ecr.setTokenLifetime(12 * 3600);
    }
  });

  it('stops before pushing to a repository that does not exist, saying how to create it', async () => {
    const image = `${env.host}/team/never-created:v1`;
    await buildTestImage({ dockerHost, tag: image, runStep: false });
    const registry = createContainerRegistry({ flavor: awsFlavor, config: { uri: env.host, endpoint: env.ecr.endpoint }, pusher: createDockerPusher({ dockerHost }), dockerCredentials: false });
    const refusalsBefore = env.proxy!.refusals.length;

    const error = await registry.pushImage(image).catch((caught: unknown) => caught);

    expect(RegistryKitError.hasCode(error, 'NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('aws ecr create-repository --repository-name team/never-created --region eu-central-1');
    expect(env.proxy!.refusals.length).toBe(refusalsBefore);
  });
});
