import { createContainerRegistry, createServiceConnector, dockerConnectorType, RegistryKitError, validateConfig } from '@registrykit/core';
import { describe, expect, it } from 'vitest';
import { dockerhubFlavor } from './dockerhub-flavor.js';
import { flavor } from './index.js';

function validate(config: object) {
  return validateConfig(dockerhubFlavor.configSchema, config, 'the "dockerhub" flavor');
}

function problem(uri: string): string | undefined {
  try {
    validate({ uri });
    return undefined;
  } catch (error) {
    if (!RegistryKitError.hasCode(error, 'INVALID_CONFIG')) throw error;
    return error.message;
  }
}

describe('the dockerhub uri rule', () => {
  it.each([
    ['docker.io/myorg', 'docker.io/myorg'],
    ['docker.io/myorg/', 'docker.io/myorg'],
    ['index.docker.io/myorg', 'docker.io/myorg'],
    ['registry-1.docker.io/myorg', 'docker.io/myorg'],
    ['myorg', 'docker.io/myorg'],
  ])('normalizes %s to %s', (uri, normalized) => {
    expect(validate({ uri }).uri).toBe(normalized);
  });

  it.each([
    ['docker.io', /names no namespace: add your Docker ID or organization, e\.g\. "docker\.io\/myorg"/],
    ['docker.io/myorg/team', /Docker Hub repositories are `<namespace>\/<name>`, so the uri is "docker\.io\/myorg" and "team" goes into the image name/],
    ['docker.io/library', /official images, which only Docker publishes/],
    ['docker.io/my-org', /"my-org" is not a Docker Hub namespace: Docker IDs and organization names are lowercase letters and digits/],
    ['docker.io/MyOrg', /must be lowercase; use "myorg"/],
    ['ghcr.io/octocat', /"ghcr\.io" is not Docker Hub: use the github flavor/],
    ['us-docker.pkg.dev/p/r', /use the gcp flavor/],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', /use the aws flavor/],
    ['quay.io/team', /use the default flavor/],
    ['https://docker.io/myorg', /has a scheme/],
  ])('refuses %s, saying what to do', (uri, message) => {
    expect(problem(uri)).toMatch(/^Invalid configuration for the "dockerhub" flavor:\n {2}- uri: /);
    expect(problem(uri)).toMatch(message);
  });

  it('takes a single-name default repository and an API override', () => {
    expect(validate({ uri: 'myorg', defaultRepository: 'pipelines', hubApiUrl: 'https://hub.example.com/' })).toMatchObject({ hubApiUrl: 'https://hub.example.com' });
    expect(() => validate({ uri: 'myorg', defaultRepository: 'team/pipelines' })).toThrow(/not a Docker Hub repository name.*no "\/"/);
    expect(() => validate({ uri: 'myorg', hubApiUrl: 'hub.docker.com' })).toThrow(/hubApiUrl: "hub\.docker\.com" is not an http\(s\) URL/);
  });
});

describe('a dockerhub component', () => {
  const registry = createContainerRegistry({ flavor: dockerhubFlavor, config: { uri: 'myorg', defaultRepository: 'pipelines' }, dockerCredentials: false });

  it('is exported as `flavor`, accepts docker connectors and is never local', () => {
    expect(flavor).toBe(dockerhubFlavor);
    expect(registry).toMatchObject({ uri: 'docker.io/myorg', host: 'docker.io', isLocal: false, requiresAuthentication: true, flavor: 'dockerhub' });
    const connector = createServiceConnector({
      type: dockerConnectorType,
      authMethod: 'password',
      config: { username: 'myorg', password: 'dckr_pat_x' },
    });
    expect(() => createContainerRegistry({ flavor: dockerhubFlavor, config: { uri: 'myorg' }, connector })).not.toThrow();
  });

  it('names images `docker.io/<namespace>/<name>` and adds `library/` only where Docker would', () => {
    expect(registry.imageName({ tag: 'v1' })).toBe('docker.io/myorg/pipelines:v1');
    expect(registry.isValidImageNameForRegistry('myorg/app:1')).toBe(true);
    expect(registry.isValidImageNameForRegistry('docker.io/myorg/app:1')).toBe(true);
    expect(registry.isValidImageNameForRegistry('index.docker.io/myorg/app:1')).toBe(true);
    // `app` alone is docker.io/library/app, Docker's official image, not under myorg.
    expect(registry.isValidImageNameForRegistry('app:1')).toBe(false);
    expect(registry.isValidImageNameForRegistry('docker.io/myorg:1')).toBe(false);
  });

  it('refuses to push an image nested deeper than Docker Hub allows, before pushing', async () => {
    await expect(registry.prepareImagePush('docker.io/myorg/team/app:1')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/Docker Hub repositories are `<namespace>\/<name>`; "docker\.io\/myorg\/team\/app:1" has more: use e\.g\. "docker\.io\/myorg\/team-app"/),
    });
  });
});
