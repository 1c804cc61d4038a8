import { createContainerRegistry } from '@registrykit/core';
import { createDockerPusher } from '@registrykit/docker';
import { testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, certificateDirectory, skopeoInspect } from '@registrykit/testing';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { ACR_REFRESH_TOKEN_USERNAME } from './azure-auth.js';
import { azureFlavor } from './azure-flavor.js';
import { type AcrEnvironment, startAcrEnvironment } from './test-support/acr-environment.js';
import { everything } from './test-support/fake-acr.js';

// The flavor on its own, with no connector and no credentials: the Azure SDK's real
// DefaultAzureCredential finds a service principal in the environment, whose authority is the
// US Government cloud's (served here under its real name), and the token is for that cloud's
// audience. This is the only test file that maps login.microsoftonline.us.

const SECRET = 'default-chain-secret-2c44';
let env: AcrEnvironment;
let clientId: string;
let dockerHost: string;

beforeAll(async () => {
  dockerHost = testDockerHost();
  env = await startAcrEnvironment({ dockerHost, cloud: 'government' });
  clientId = env.entra.addServicePrincipal(SECRET);
  env.acr.grantPrincipal(clientId, everything);
  vi.stubEnv('AZURE_TENANT_ID', env.entra.tenantId);
  vi.stubEnv('AZURE_CLIENT_ID', clientId);
  vi.stubEnv('AZURE_CLIENT_SECRET', SECRET);
  vi.stubEnv('AZURE_AUTHORITY_HOST', env.entra.authorityHost);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await env?.stop();
});

it('pushes to a government-cloud registry with registry credentials from the default credential chain', async () => {
  const image = `${env.host}/team/app:v1`;
  await buildTestImage({ dockerHost, tag: image, runStep: false });
  const registry = createContainerRegistry({ flavor: azureFlavor, config: { uri: env.host }, pusher: createDockerPusher({ dockerHost }), dockerCredentials: false });

  const result = await registry.pushImage(image);

  const resolved = await registry.resolveCredentials();
  expect(resolved).toMatchObject({ source: 'flavor', credentials: { username: ACR_REFRESH_TOKEN_USERNAME } });
  expect(env.entra.tokenRequests.at(-1)).toEqual({ clientId, scope: 'https://management.usgovcloudapi.net/.default', status: 200 });
  const { username, password } = resolved!.credentials as { username: string; password: string };
  const certDir = await certificateDirectory(env.caPem);
  try {
    const seen = await skopeoInspect(image, { tlsVerify: true, certDir: certDir.path, credentials: { username, password } });
    expect(result.digest).toBe(seen.Digest);
  } finally {
    await certDir.remove();
  }
  // The flavor's own API calls use the same chain.
  expect(await registry.listTags(`${env.host}/team/app`)).toEqual(['v1']);
});
