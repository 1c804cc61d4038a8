import { describe, expect, it } from 'vitest';
import { createContainerRegistry } from './container-registry.js';
import { defaultFlavor } from './default-flavor.js';
import { dockerConnectorType } from './docker-connector.js';
import { RegistryKitError } from './errors.js';
import type { RegistryApi } from './registry-api.js';
import { createServiceConnector } from './service-connector.js';

const SECRET = 'pa55-w0rd-secret';

describe('the docker service connector', () => {
  it('validates its auth method and parameters without echoing secrets', () => {
    expect(() => createServiceConnector({ type: dockerConnectorType, authMethod: 'token', config: {} })).toThrow(/no auth method "token"; use one of: password/);
    let caught: unknown;
    try {
      createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { password: 42, user: 'x' } });
    } catch (error) {
      caught = error;
    }
    expect(RegistryKitError.hasCode(caught, 'INVALID_CONFIG')).toBe(true);
    const message = (caught as Error).message;
    expect(message).toContain('user: unknown key. Did you mean "username"?');
    expect(message).toContain('username: is required');
    expect(message).toContain('password: must be a string; got the given value.');
  });

  it('hands out credentials for its registry only (Docker Hub by default)', async () => {
    const hub = createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { username: 'me', password: SECRET } });
    expect(hub.registryHost).toBe('docker.io');
    expect(await hub.getRegistryCredentials('index.docker.io')).toEqual({ type: 'basic', username: 'me', password: SECRET });
    await expect(hub.getRegistryCredentials('ghcr.io')).rejects.toThrow(/for docker.io, not ghcr.io: register a connector with --registry ghcr.io/);

    const local = createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { username: 'me', password: SECRET, registry: 'https://localhost:5000/' } });
    expect(local.registryHost).toBe('localhost:5000');
  });

  it('verifies through the registry client with its own credentials', async () => {
    const checked: string[] = [];
    const api = {
      async checkCredentials(host: string, request: { credentials: unknown }) {
        checked.push(`${host} ${JSON.stringify(request.credentials)}`);
      },
    } as unknown as RegistryApi;
    const connector = createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { username: 'me', password: SECRET, registry: 'localhost:5000' } });
    expect(await connector.verify({ registryApi: api })).toEqual({ resources: ['localhost:5000'] });
    expect(checked).toEqual([`localhost:5000 {"type":"basic","username":"me","password":"${SECRET}"}`]);
    await expect(connector.verify()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('binding a connector to a registry', () => {
  const connector = createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { username: 'me', password: SECRET, registry: 'localhost:5000' } });

  it('takes its credentials from the connector', async () => {
    const registry = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'localhost:5000/team' }, connector, dockerCredentials: false });
    expect(registry.requiresAuthentication).toBe(true);
    expect(await registry.resolveCredentials()).toEqual({ source: 'connector', credentials: { type: 'basic', username: 'me', password: SECRET } });
  });

  it('refuses a connector type the flavor does not accept, and connector plus credentials', () => {
    const awsLike = { ...connector, type: 'aws' };
    expect(() => createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'localhost:5000' }, connector: awsLike })).toThrow(
      'The default flavor accepts "docker" connectors, not a "aws" connector.',
    );
    expect(() =>
      createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'localhost:5000' }, connector, credentials: { type: 'bearer', token: 't' } }),
    ).toThrow(/either a connector or credentials/);
  });
});

describe('registry API capabilities', () => {
  it('say how to get a registry client when none was given', async () => {
    const registry = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'localhost:5000' }, dockerCredentials: false });
    await expect(registry.getImageDigest('localhost:5000/app:1')).rejects.toThrow(/Pass `registryApi: createOciClient\(\)` from @registrykit\/oci/);
    await expect(registry.listTags('localhost:5000/app:1')).rejects.toThrow(/names an image; give the repository/);
    await expect(registry.listImages('ghcr.io/app')).rejects.toMatchObject({ code: 'IMAGE_NOT_IN_REGISTRY' });
    await expect(registry.deleteImage('localhost:5000/app')).rejects.toThrow(/name a tag or a digest/);
  });
});
