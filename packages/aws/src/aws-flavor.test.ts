import { createContainerRegistry, createServiceConnector, dockerConnectorType, RegistryKitError } from '@registrykit/core';
import { describe, expect, it } from 'vitest';
import { awsFlavor } from './aws-flavor.js';
import { connectorType, flavor, awsConnectorType } from './index.js';
import { tryParseEcrHost } from './aws-uri.js';

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

function configError(config: unknown): RegistryKitError {
  try {
    createContainerRegistry({ flavor: awsFlavor, config, dockerCredentials: false });
  } catch (error) {
    if (RegistryKitError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('the aws flavor', () => {
  it('is exported under its own name and the well-known ones', () => {
    expect(flavor).toBe(awsFlavor);
    expect(connectorType).toBe(awsConnectorType);
    expect(awsFlavor).toMatchObject({ id: 'aws', connectorTypes: ['aws'], packageName: '@registrykit/aws' });
  });

  it('accepts ECR hosts, FIPS and China ones included, and takes the region from them', () => {
    expect(tryParseEcrHost(HOST)).toEqual({ host: HOST, accountId: '123456789012', region: 'eu-west-1', fips: false });
    expect(tryParseEcrHost('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com')).toMatchObject({ region: 'us-gov-west-1', fips: true });
    expect(tryParseEcrHost('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')).toMatchObject({ region: 'cn-north-1', fips: false });
    const registry = createContainerRegistry({ flavor: awsFlavor, config: { uri: `${HOST}/`, defaultRepository: 'team/app' }, dockerCredentials: false });
    expect(registry).toMatchObject({ uri: HOST, host: HOST, isLocal: false, requiresAuthentication: true });
    expect(registry.config).toMatchObject({ createRepository: false, imageTagMutability: 'MUTABLE', scanOnPush: false });
    expect(registry.imageName({ tag: 'v1' })).toBe(`${HOST}/team/app:v1`);
  });

  it('refuses a uri with a path, naming defaultRepository as the place for it', () => {
    const error = configError({ uri: `${HOST}/team/app` });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain(`Use uri "${HOST}" and put "team/app" in defaultRepository`);
  });

  it.each([
    [`https://${HOST}`, `give the registry host without "https://", e.g. "${HOST}"`],
    ['public.ecr.aws', 'ECR Public'],
    ['12345.dkr.ecr.eu-west-1.amazonaws.com', 'expected <12-digit account>.dkr.ecr.<region>.amazonaws.com'],
    ['123456789012.dkr.ecr.amazonaws.com', 'e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com'],
    ['registry.example.com', 'is not an Amazon ECR registry host'],
    [HOST.toUpperCase(), `must be lowercase: "${HOST}"`],
  ])('refuses the uri %s with an error that shows the expected form', (uri, hint) => {
    const error = configError({ uri });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('uri');
    expect(error.message).toContain(hint);
  });

  it('refuses unknown keys and bad values, suggesting the right key', () => {
    expect(configError({ uri: HOST, createRepo: true }).message).toContain('Did you mean "createRepository"?');
    expect(configError({ uri: HOST, imageTagMutability: 'SOMETIMES' }).message).toContain('imageTagMutability');
    expect(configError({ uri: HOST, endpoint: 'api.ecr.local' }).message).toContain('must be an http(s) URL');
  });

  it('takes aws connectors only', () => {
    const docker = createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { username: 'AWS', password: 'x', registry: HOST } });
    expect(() => createContainerRegistry({ flavor: awsFlavor, config: { uri: HOST }, connector: docker })).toThrow(/accepts "aws" connectors, not a "docker" connector/);
  });
});
