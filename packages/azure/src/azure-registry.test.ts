import { createContainerRegistry, createServiceConnector, dockerConnectorType } from '@registrykit/core';
import { createDockerPusher } from '@registrykit/docker';
import { testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, certificateDirectory, skopeoInspect } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureConnectorType } from './azure-connector.js';
import { ACR_REFRESH_TOKEN_USERNAME } from './azure-auth.js';
import { azureFlavor } from './azure-flavor.js';
import { type AcrEnvironment, startAcrEnvironment } from './test-support/acr-environment.js';
import { everything } from './test-support/fake-acr.js';

// End to end: the Docker engine pushes to `<name>.azurecr.io` (TLS from the run's CA), getting
// registry tokens from the ACR front's /oauth2/token, into the real Distribution registry
// behind it.

const SECRET = 'push-sp-secret-71e0';
let env: AcrEnvironment;
let clientId: string;
let certDir: { path: string; remove: () => Promise<void> };
let dockerHost: string;

beforeAll(async () => {
  dockerHost = testDockerHost();
  env = await startAcrEnvironment({ dockerHost });
  clientId = env.entra.addServicePrincipal(SECRET);
  env.acr.grantPrincipal(clientId, everything);
  env.acr.addUser('pushadmin', 'admin-password-9', everything);
  certDir = await certificateDirectory(env.caPem);
});

afterAll(async () => {
  await Promise.all([env?.stop(), certDir?.remove()]);
});

const inspect = (image: string) =>
  skopeoInspect(image, { tlsVerify: true, certDir: certDir.path, credentials: { username: 'pushadmin', password: 'admin-password-9' } });

describe('pushing to ACR through the Docker engine', () => {
  it('pushes with an ACR refresh token exchanged for a service principal', async () => {
    const image = `${env.host}/team/app:v1`;
    await buildTestImage({ dockerHost, tag: image });
    const connector = createServiceConnector({
      type: azureConnectorType,
      authMethod: 'service-principal',
      config: { tenantId: env.entra.tenantId, clientId, clientSecret: SECRET, authorityHost: env.entra.authorityHost, disableInstanceDiscovery: true },
    });
    const registry = createContainerRegistry({ flavor: azureFlavor, config: { uri: env.host }, connector, pusher: createDockerPusher({ dockerHost }), dockerCredentials: false });

    const result = await registry.pushImage(image);

    expect(await registry.resolveCredentials()).toMatchObject({ source: 'connector', credentials: { username: ACR_REFRESH_TOKEN_USERNAME } });
    // The engine logged in with the refresh token at the token endpoint.
    expect(env.acr.authLog.some((entry) => entry.endpoint === 'token' && entry.grant === 'basic' && entry.principal === clientId && entry.status === 200)).toBe(true);
    const seen = await inspect(image);
    expect(result.digest).toBe(seen.Digest);
    expect(result.reference).toBe(`${env.host}/team/app@${seen.Digest}`);
    expect(await registry.getImageDigest(image)).toBe(result.digest);
  });

  it('pushes with the admin user from a docker connector, under a namespace', async () => {
    const image = `${env.host}/team/admin:v1`;
    await buildTestImage({ dockerHost, tag: image, runStep: false });
    const connector = createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { username: 'pushadmin', password: 'admin-password-9', registry: env.host } });
    const registry = createContainerRegistry({ flavor: azureFlavor, config: { uri: `${env.host}/team` }, connector, pusher: createDockerPusher({ dockerHost }), dockerCredentials: false });

    const result = await registry.pushImage(image);

    expect((await inspect(image)).Digest).toBe(result.digest);
    expect(await registry.listTags(`${env.host}/team/admin`)).toEqual(['v1']);
  });
});
