import { createContainerRegistry, createServiceConnector, dockerConnectorType, RegistryKitError, validateConfig } from '@registrykit/core';
import { describe, expect, it } from 'vitest';
import { gcpConnectorType } from './gcp-connector.js';
import { gcpFlavor } from './gcp-flavor.js';
import { flavor, connectorType } from './index.js';
import { parseGcpRegistryUri } from './gcp-uri.js';

function uriProblem(uri: string): string | undefined {
  try {
    validateConfig(gcpFlavor.configSchema, { uri }, 'the "gcp" flavor');
    return undefined;
  } catch (error) {
    if (!RegistryKitError.hasCode(error, 'INVALID_CONFIG')) throw error;
    return error.message;
  }
}

describe('the gcp uri rule', () => {
  it.each([
    'europe-west4-docker.pkg.dev/my-project/images',
    'us-docker.pkg.dev/my-project/images/team',
    'northamerica-northeast1-docker.pkg.dev/my-project-123/repo-1',
    'gcr.io/my-project',
    'eu.gcr.io/my-project/team',
    'asia.gcr.io/example.com/my-project',
    'us-docker.pkg.dev/my-project/images/',
  ])('accepts %s', (uri) => {
    expect(uriProblem(uri)).toBeUndefined();
  });

  it.each([
    ['us-docker.pkg.dev/my-project', /names no repository.*us-docker\.pkg\.dev\/my-project\/images/],
    ['us-docker.pkg.dev', /names no project and repository/],
    ['gcr.io', /names no project: add it, e\.g\. "gcr\.io\/my-project"/],
    ['us-python.pkg.dev/my-project/libs', /serves python packages, not Docker images: use .*"us-docker\.pkg\.dev"/],
    ['docker.io/my-project', /"docker\.io" is not a Google container registry host: use `<location>-docker\.pkg\.dev/],
    ['gcr.io/My-Project', /must be lowercase; use "my-project"/],
    ['gcr.io/123456789012', /not a Google Cloud project id.*not the project's display name or number/],
    ['us-docker.pkg.dev/my-project/Images', /must be lowercase/],
    ['us-docker.pkg.dev/my-project/9lives', /not an Artifact Registry repository id/],
    ['https://gcr.io/my-project', /has a scheme/],
  ])('refuses %s, saying what to do', (uri, message) => {
    const problem = uriProblem(uri);
    expect(problem).toMatch(/^Invalid configuration for the "gcp" flavor:\n {2}- uri: /);
    expect(problem).toMatch(message);
  });

  it('parses what the uri names', () => {
    expect(parseGcpRegistryUri('europe-west4-docker.pkg.dev/my-project/images/team')).toEqual({
      kind: 'artifact-registry',
      host: 'europe-west4-docker.pkg.dev',
      location: 'europe-west4',
      project: 'my-project',
      repository: 'images',
    });
    expect(parseGcpRegistryUri('gcr.io/example.com/my-project')).toEqual({ kind: 'container-registry', host: 'gcr.io', project: 'example.com:my-project' });
    expect(() => parseGcpRegistryUri('quay.io/x')).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', details: expect.objectContaining({ field: 'uri' }) }));
  });
});

describe('the gcp flavor', () => {
  it('is exported under its well-known names, with its connector type', () => {
    expect(flavor).toBe(gcpFlavor);
    expect(connectorType).toBe(gcpConnectorType);
    expect(gcpFlavor).toMatchObject({ id: 'gcp', connectorTypes: ['gcp'], packageName: '@registrykit/gcp' });
  });

  it('makes components that always need credentials and are never local', () => {
    const registry = createContainerRegistry({ flavor: gcpFlavor, config: { uri: 'us-docker.pkg.dev/my-project/images/' }, dockerCredentials: false, env: {} });
    expect(registry).toMatchObject({ uri: 'us-docker.pkg.dev/my-project/images', host: 'us-docker.pkg.dev', requiresAuthentication: true, isLocal: false });
    expect(registry.isValidImageNameForRegistry('us-docker.pkg.dev/my-project/images/app:1')).toBe(true);
    expect(registry.isValidImageNameForRegistry('us-docker.pkg.dev/my-project/other/app:1')).toBe(false);
  });

  it('refuses unknown keys, a bad token endpoint and docker connectors', () => {
    expect(() => validateConfig(gcpFlavor.configSchema, { uri: 'gcr.io/my-project', region: 'us' }, 'the "gcp" flavor')).toThrow(/region/);
    expect(() => validateConfig(gcpFlavor.configSchema, { uri: 'gcr.io/my-project', tokenEndpoint: 'http://plain' }, 'the "gcp" flavor')).toThrow(
      /tokenEndpoint: "http:\/\/plain" is not an https URL/,
    );
    const docker = createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { username: 'u', password: 'p', registry: 'gcr.io' } });
    expect(() => createContainerRegistry({ flavor: gcpFlavor, config: { uri: 'gcr.io/my-project' }, connector: docker })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(/accepts "gcp" connectors, not a "docker" connector/) }),
    );
  });
});
