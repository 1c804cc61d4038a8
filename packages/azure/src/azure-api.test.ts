import { inspect } from 'node:util';
import { type ContainerRegistry, createContainerRegistry, createServiceConnector, RegistryKitError, type ServiceConnector } from '@registrykit/core';
import { uploadTestImage, uploadTestIndex } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { azureConnectorType, createAzureConnector } from './azure-connector.js';
import { ACR_REFRESH_TOKEN_USERNAME } from './azure-auth.js';
import { azureFlavor } from './azure-flavor.js';
import { type AcrEnvironment, startAcrEnvironment } from './test-support/acr-environment.js';
import { everything } from './test-support/fake-acr.js';

// The flavor's ACR calls, made by the real @azure/container-registry and @azure/identity (MSAL)
// against a local Entra ID authority and a local ACR front under `<name>.azurecr.io`, whose
// images are what the real Distribution registry behind it stores.

const SECRET = 'sp-secret-value-5d3a';
let env: AcrEnvironment;
let clientId: string;

beforeAll(async () => {
  env = await startAcrEnvironment();
  clientId = env.entra.addServicePrincipal(SECRET);
  env.acr.grantPrincipal(clientId, everything);
  env.acr.addUser('admin', 'admin-password-1', everything);
  env.acr.addUser('reader', 'reader-token-2', () => ['pull', 'metadata_read']);
  // Nothing from this machine's own Azure setup may leak into the default chain.
  for (const name of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST', 'AZURE_FEDERATED_TOKEN_FILE', 'IDENTITY_ENDPOINT', 'MSI_ENDPOINT']) {
    vi.stubEnv(name, undefined);
  }
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await env?.stop();
});

function servicePrincipal(secret = SECRET, id = clientId): ServiceConnector {
  return createServiceConnector({
    type: azureConnectorType,
    authMethod: 'service-principal',
    config: { tenantId: env.entra.tenantId, clientId: id, clientSecret: secret, authorityHost: env.entra.authorityHost, disableInstanceDiscovery: true },
  });
}

function acrRegistry(setup: { connector?: ServiceConnector; credentials?: { type: 'basic'; username: string; password: string }; endpoint?: string } = {}): ContainerRegistry {
  return createContainerRegistry({
    flavor: azureFlavor,
    config: { uri: env.host, ...(setup.endpoint ? { endpoint: setup.endpoint } : {}) },
    ...(setup.connector ? { connector: setup.connector } : {}),
    ...(setup.credentials ? { credentials: setup.credentials } : {}),
    dockerCredentials: false,
  });
}

const admin = { type: 'basic', username: 'admin', password: 'admin-password-1' } as const;
const upload = (repository: string, tag?: string) =>
  uploadTestImage({ registryUrl: env.acr.registry.url, repository, tag, authorization: `Bearer ${env.acr.adminToken(repository)}` });

describe('registry credentials from an Entra ID identity', () => {
  it('exchanges a service principal token for an ACR refresh token with its expiry', async () => {
    const registry = acrRegistry({ connector: servicePrincipal() });
    const resolved = await registry.resolveCredentials();
    expect(resolved?.source).toBe('connector');
    expect(resolved?.credentials).toMatchObject({ type: 'basic', username: ACR_REFRESH_TOKEN_USERNAME });
    const expiresAt = (resolved!.credentials as { expiresAt: Date }).expiresAt;
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 2.9 * 3_600_000);
    expect(env.entra.tokenRequests.at(-1)).toEqual({ clientId, scope: 'https://containerregistry.azure.net/.default', status: 200 });
    expect(env.acr.authLog.at(-1)).toEqual({ endpoint: 'exchange', grant: 'access_token', principal: clientId, status: 200 });
  });

  it('refreshes a refresh token before it lapses, and keeps one that does not', async () => {
    const exchanges = () => env.acr.authLog.filter((entry) => entry.endpoint === 'exchange').length;
    const registry = acrRegistry({ connector: servicePrincipal() });
    let before = exchanges();
    await registry.credentials();
    await registry.credentials();
    expect(exchanges() - before).toBe(1);

    env.acr.setRefreshTokenLifetime(4 * 60);
    try {
      const shortLived = acrRegistry({ connector: servicePrincipal() });
      before = exchanges();
      const first = (await shortLived.credentials()) as { password: string };
      const second = (await shortLived.credentials()) as { password: string };
      expect(exchanges() - before).toBe(2);
      expect(second.password).not.toBe(first.password);
    } finally {
      env.acr.setRefreshTokenLifetime(3 * 3600);
    }
  });

  it('takes a credential built in code, and the default chain of an implicit connector', async () => {
    const principal = 'workload-identity-principal';
    env.acr.grantPrincipal(principal, everything);
    const credential = env.entra.credentialFor(principal);
    expect(await acrRegistry({ connector: createAzureConnector({ credential }) }).credentials()).toMatchObject({ username: ACR_REFRESH_TOKEN_USERNAME });
    expect(credential.calls).toEqual(['https://containerregistry.azure.net/.default']);

    vi.stubEnv('AZURE_TENANT_ID', env.entra.tenantId);
    vi.stubEnv('AZURE_CLIENT_ID', clientId);
    vi.stubEnv('AZURE_CLIENT_SECRET', SECRET);
    try {
      const implicit = createServiceConnector({ type: azureConnectorType, authMethod: 'implicit', config: { authorityHost: env.entra.authorityHost, disableInstanceDiscovery: true } });
      expect(await implicit.verify({ registryHost: env.host })).toEqual({ resources: [env.host] });
    } finally {
      for (const name of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET']) vi.stubEnv(name, undefined);
    }
  });

  it('refuses a wrong client secret without showing it', async () => {
    const wrong = 'wrong-secret-0b7e';
    const error = await acrRegistry({ connector: servicePrincipal(wrong) }).credentials().catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain('Check the tenant, client id and secret');
    expect(JSON.stringify({ message: (error as Error).message, details: (error as RegistryKitError).details })).not.toContain(wrong);
  });

  it('says to give the identity a role when it has none on the registry', async () => {
    const outsider = env.entra.addServicePrincipal('outsider-secret');
    const error = await servicePrincipal('outsider-secret', outsider).verify({ registryHost: env.host }).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'PERMISSION_DENIED')).toBe(true);
    expect((error as Error).message).toContain('Give the identity a role on the registry (AcrPush to push');
  });

  it('falls back to the docker config for pushes, and explains how to give credentials to the API, when there is no Azure identity', async () => {
    const registry = acrRegistry();
    expect(await registry.credentials()).toBeUndefined();
    const error = await registry.listImages(`${env.host}/team/app`).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain('bind an azure service connector');
  });
});

describe('listing and digests through the SDK', () => {
  it('lists manifests with tags, sizes, times and the children of an index, as the registry holds them', async () => {
    const repository = 'team/listed';
    const target = { registryUrl: env.acr.registry.url, repository, authorization: `Bearer ${env.acr.adminToken(repository)}` };
    const amd64 = { ...(await uploadTestImage({ ...target, architecture: 'amd64' })), architecture: 'amd64' };
    const arm64 = { ...(await uploadTestImage({ ...target, architecture: 'arm64' })), architecture: 'arm64' };
    const index = await uploadTestIndex({ ...target, tag: 'multi', children: [amd64, arm64] });
    const single = await uploadTestImage({ ...target, tag: 'single' });
    // One manifest per page: the SDK has to follow the Link headers.
    env.acr.setPageLimit(1);
    onTestFinished(() => env.acr.setPageLimit(Number.POSITIVE_INFINITY));

    for (const registry of [acrRegistry({ connector: servicePrincipal() }), acrRegistry({ credentials: admin })]) {
      expect(await registry.listTags(`${env.host}/${repository}`)).toEqual(['multi', 'single']);
      const images = await registry.listImages(`${env.host}/${repository}`);
      const byDigest = new Map(images.map((image) => [image.digest, image]));
      expect(byDigest.size).toBe(4);
      expect(byDigest.get(index.digest)).toMatchObject({ tags: ['multi'], childDigests: [amd64.digest, arm64.digest] });
      expect(byDigest.get(single.digest)).toMatchObject({ tags: ['single'], sizeBytes: 512, pushedAt: expect.any(Date) });
      expect(await registry.getImageDigest(`${env.host}/${repository}:single`)).toBe(single.digest);
      expect(await registry.getImageDigest(`${env.host}/${repository}:absent`)).toBeUndefined();
    }
  });

  it('lists the repositories under the uri through the catalog', async () => {
    await upload('catalog/one', 'v1');
    await upload('catalog/two/deep', 'v1');
    env.acr.setPageLimit(1);
    onTestFinished(() => env.acr.setPageLimit(Number.POSITIVE_INFINITY));
    for (const setup of [{ connector: servicePrincipal() }, { credentials: admin }]) {
      const registry = createContainerRegistry({ flavor: azureFlavor, config: { uri: `${env.host}/catalog` }, ...setup, dockerCredentials: false });
      expect(await registry.listRepositories()).toEqual([`${env.host}/catalog/one`, `${env.host}/catalog/two/deep`]);
    }
  });

  it('says what to do about a repository that does not exist', async () => {
    const error = await acrRegistry({ credentials: admin }).listImages(`${env.host}/team/never-pushed`).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('the repository "team/never-pushed"');
    expect((error as Error).message).toContain('ACR creates a repository on its first push');
  });

  it('reaches the API through an endpoint override', async () => {
    const image = await upload('team/override', 'v1');
    const registry = acrRegistry({ credentials: admin, endpoint: `https://${env.address}` });
    expect(await registry.getImageDigest(`${env.host}/team/override:v1`)).toBe(image.digest);
  });
});

describe('deletion through the SDK, honouring locks', () => {
  it('deletes a tag only, then the manifest with its tags', async () => {
    const image = await upload('team/deleted', 'a');
    await fetch(`${env.acr.registry.url}/v2/team/deleted/manifests/b`, {
      method: 'PUT',
      headers: { 'content-type': image.mediaType, authorization: `Bearer ${env.acr.adminToken('team/deleted')}` },
      body: await (await fetch(`${env.acr.registry.url}/v2/team/deleted/manifests/a`, { headers: { accept: image.mediaType, authorization: `Bearer ${env.acr.adminToken('team/deleted')}` } })).arrayBuffer(),
    });
    const registry = acrRegistry({ credentials: admin });

    expect(await registry.deleteImage(`${env.host}/team/deleted:a`)).toEqual({ deleted: [`${env.host}/team/deleted:a`], failures: [] });
    expect(await registry.listTags(`${env.host}/team/deleted`)).toEqual(['b']);
    expect(await registry.deleteImage(`${env.host}/team/deleted@${image.digest}`)).toEqual({ deleted: [`${env.host}/team/deleted@${image.digest}`], failures: [] });
    expect(await registry.imageExists(`${env.host}/team/deleted:b`)).toBe(false);
  });

  it('leaves locked manifests and tags alone and says how to unlock them', async () => {
    const image = await upload('team/locked', 'v1');
    env.acr.setAttributes(`team/locked@${image.digest}`, { deleteEnabled: false });
    env.acr.setAttributes('team/locked:v1', { deleteEnabled: false });
    const registry = acrRegistry({ connector: servicePrincipal() });

    const result = await registry.deleteImages([`${env.host}/team/locked@${image.digest}`, `${env.host}/team/locked:v1`, `${env.host}/team/locked:absent`]);

    expect(result.deleted).toEqual([]);
    expect(result.failures).toEqual([
      { reference: `${env.host}/team/locked@${image.digest}`, code: 'LOCKED', reason: expect.stringContaining('--delete-enabled true') },
      { reference: `${env.host}/team/locked:v1`, code: 'LOCKED', reason: expect.stringContaining('canDelete: false') },
      { reference: `${env.host}/team/locked:absent`, code: 'NOT_FOUND', reason: expect.any(String) },
    ]);
    expect(await registry.getImageDigest(`${env.host}/team/locked:v1`)).toBe(image.digest);

    env.acr.setAttributes(`team/locked@${image.digest}`, { deleteEnabled: true });
    expect((await registry.deleteImage(`${env.host}/team/locked@${image.digest}`)).deleted).toHaveLength(1);
  });

  it('reports a repository-scoped token without delete rights as a permission error', async () => {
    await upload('team/protected', 'v1');
    const registry = acrRegistry({ credentials: { type: 'basic', username: 'reader', password: 'reader-token-2' } });
    expect(await registry.listTags(`${env.host}/team/protected`)).toEqual(['v1']);
    const error = await registry.deleteImage(`${env.host}/team/protected:v1`).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'PERMISSION_DENIED')).toBe(true);
    expect((error as Error).message).toContain('AcrDelete');
  });

  it('refuses a wrong admin password as an authentication failure without showing it', async () => {
    const error = await acrRegistry({ credentials: { type: 'basic', username: 'admin', password: 'not-it-31c9' } })
      .listImages(`${env.host}/team/protected`)
      .catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
    // Nowhere in the error, its cause included: the SDK's own error carries the request headers.
    const everything = inspect(error, { depth: 10 });
    expect(everything).not.toContain('not-it-31c9');
    expect(everything).not.toContain(Buffer.from('admin:not-it-31c9').toString('base64'));
  });
});
