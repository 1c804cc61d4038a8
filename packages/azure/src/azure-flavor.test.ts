import { createContainerRegistry, createServiceConnector, dockerConnectorType, RegistryKitError } from '@registrykit/core';
import { describe, expect, it } from 'vitest';
import { azureFlavor } from './azure-flavor.js';
import { tryParseAcrHost } from './azure-uri.js';
import { azureConnectorType, connectorType, flavor } from './index.js';

function configError(config: unknown): RegistryKitError {
  try {
    createContainerRegistry({ flavor: azureFlavor, config, dockerCredentials: false });
  } catch (error) {
    if (RegistryKitError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('the azure flavor', () => {
  it('is exported under its own name and the well-known ones', () => {
    expect(flavor).toBe(azureFlavor);
    expect(connectorType).toBe(azureConnectorType);
    expect(azureFlavor).toMatchObject({ id: 'azure', connectorTypes: ['azure', 'docker'], packageName: '@registrykit/azure' });
  });

  it('accepts login servers of every cloud, with a namespace', () => {
    expect(tryParseAcrHost('myregistry.azurecr.io')).toEqual({ host: 'myregistry.azurecr.io', name: 'myregistry', cloud: 'public' });
    expect(tryParseAcrHost('myregistry.azurecr.cn')?.cloud).toBe('china');
    expect(tryParseAcrHost('myregistry.azurecr.us')?.cloud).toBe('government');
    const registry = createContainerRegistry({ flavor: azureFlavor, config: { uri: 'myregistry.azurecr.io/team/', defaultRepository: 'app' }, dockerCredentials: false });
    expect(registry).toMatchObject({ uri: 'myregistry.azurecr.io/team', host: 'myregistry.azurecr.io', isLocal: false, requiresAuthentication: true });
    expect(registry.imageName({ tag: 'v1' })).toBe('myregistry.azurecr.io/team/app:v1');
    expect(registry.isValidImageNameForRegistry('myregistry.azurecr.io/other/app:v1')).toBe(false);
  });

  it.each([
    ['https://myregistry.azurecr.io', 'give the login server without "https://", e.g. "myregistry.azurecr.io"'],
    ['MyRegistry.azurecr.io', 'must be lowercase: "myregistry.azurecr.io"'],
    ['myregistry.example.com', 'expected <name>.azurecr.io'],
    ['abc.azurecr.io', 'ACR names have 5 to 50 letters and digits; "abc" has 3'],
    ['my-registry.azurecr.io', 'is not an Azure Container Registry login server'],
    ['myregistry.azurecr.io/app:v1', 'without a tag or digest'],
  ])('refuses the uri %s, saying what is expected', (uri, hint) => {
    const error = configError({ uri });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('uri');
    expect(error.message).toContain(hint);
  });

  it('refuses unknown keys and an endpoint that is not https', () => {
    expect(configError({ uri: 'myregistry.azurecr.io', endpoints: 'x' }).message).toContain('Did you mean "endpoint"?');
    expect(configError({ uri: 'myregistry.azurecr.io', endpoint: 'http://myregistry.azurecr.io' }).message).toContain('must be an https URL');
  });

  it('takes azure and docker connectors (the admin user or a token), not others', () => {
    const docker = createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { username: 'admin', password: 'x', registry: 'myregistry.azurecr.io' } });
    expect(createContainerRegistry({ flavor: azureFlavor, config: { uri: 'myregistry.azurecr.io' }, connector: docker }).connector).toBe(docker);
    const other = { ...docker, type: 'gcp' };
    expect(() => createContainerRegistry({ flavor: azureFlavor, config: { uri: 'myregistry.azurecr.io' }, connector: other })).toThrow(/accepts "azure" or "docker" connectors/);
  });

  it('validates connector settings, naming the field and never echoing the secret', () => {
    const create = (authMethod: string, config: Record<string, unknown>) => () => createServiceConnector({ type: azureConnectorType, authMethod, config });
    expect(create('service-principal', { tenantId: 'contoso.onmicrosoft.com', clientId: 'not-a-guid', clientSecret: 's' })).toThrow(/clientId: is not a client id/);
    expect(create('service-principal', { tenantId: 'contoso.onmicrosoft.com', clientId: '11111111-2222-3333-4444-555555555555' })).toThrow(/clientSecret: is required/);
    expect(create('service-principal', { tenantId: 't', clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 42 })).toThrow(/clientSecret: must be a string; got the given value/);
    expect(create('implicit', { authorityHost: 'login.microsoftonline.us' })).toThrow(/authorityHost: "login.microsoftonline.us" must be an https URL/);
    expect(create('certificate', {})).toThrow(/use one of: implicit, service-principal, access-token/);
  });
});
