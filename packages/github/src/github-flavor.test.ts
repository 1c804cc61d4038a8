import { createContainerRegistry, RegistryKitError, validateConfig } from '@registrykit/core';
import { describe, expect, it } from 'vitest';
import { githubFlavor } from './github-flavor.js';
import { defaultGitHubApiUrl } from './github-uri.js';
import { flavor } from './index.js';

function problem(uri: string): string | undefined {
  try {
    validateConfig(githubFlavor.configSchema, { uri }, 'the "github" flavor');
    return undefined;
  } catch (error) {
    if (!RegistryKitError.hasCode(error, 'INVALID_CONFIG')) throw error;
    return error.message;
  }
}

describe('the github uri rule', () => {
  it.each(['ghcr.io/octo-org', 'ghcr.io/octocat/', 'ghcr.io/octo-org/team', 'containers.github.example.com/octo-org', 'containers.acme.ghe.com/platform'])('accepts %s', (uri) => {
    expect(problem(uri)).toBeUndefined();
  });

  it.each([
    ['ghcr.io/Octo-Org', /image names on ghcr\.io are lowercase, but "Octo-Org" is not: use "ghcr\.io\/octo-org"\. GitHub owner names ignore case/],
    ['ghcr.io/Octo-Org/Team', /use "ghcr\.io\/octo-org\/team"/],
    ['ghcr.io', /names no owner: add the user or organization that owns the packages, e\.g\. "ghcr\.io\/octo-org"/],
    ['ghcr.io/-octo', /not a GitHub user or organization name/],
    ['docker.io/octocat', /"docker\.io" is not GitHub's container registry: use "ghcr\.io\/<owner>"/],
    ['https://ghcr.io/octocat', /has a scheme/],
    ['ghcr.io/octocat/app:1', /has a tag or digest/],
  ])('refuses %s, saying what to do', (uri, message) => {
    expect(problem(uri)).toMatch(/^Invalid configuration for the "github" flavor:\n {2}- uri: /);
    expect(problem(uri)).toMatch(message);
  });
});

describe('the github flavor', () => {
  it('is exported as `flavor`, pushes only with credentials and is never local', () => {
    expect(flavor).toBe(githubFlavor);
    const registry = createContainerRegistry({ flavor: githubFlavor, config: { uri: 'ghcr.io/octo-org', defaultRepository: 'pipelines' }, dockerCredentials: false, env: {} });
    expect(registry).toMatchObject({ host: 'ghcr.io', isLocal: false, requiresAuthentication: true });
    expect(registry.imageName({ tag: 'v1' })).toBe('ghcr.io/octo-org/pipelines:v1');
    expect(registry.isValidImageNameForRegistry('ghcr.io/octo-org/app:1')).toBe(true);
    expect(registry.isValidImageNameForRegistry('ghcr.io/other/app:1')).toBe(false);
  });

  it('takes GITHUB_TOKEN from the environment, with GITHUB_ACTOR or the owner as user name', async () => {
    const make = (env: NodeJS.ProcessEnv) => createContainerRegistry({ flavor: githubFlavor, config: { uri: 'ghcr.io/octo-org' }, dockerCredentials: false, env });
    expect(await make({ GITHUB_TOKEN: 'ghs_x', GITHUB_ACTOR: 'mona' }).resolveCredentials()).toEqual({
      source: 'flavor',
      credentials: { type: 'basic', username: 'mona', password: 'ghs_x' },
    });
    expect(await make({ GITHUB_TOKEN: 'ghs_x' }).credentials()).toMatchObject({ username: 'octo-org' });
    expect(await make({}).credentials()).toBeUndefined();
  });

  it('finds the Packages API of ghcr.io and of GitHub Enterprise hosts, and takes an override', () => {
    expect(defaultGitHubApiUrl('ghcr.io')).toBe('https://api.github.com');
    expect(defaultGitHubApiUrl('containers.github.example.com')).toBe('https://github.example.com/api/v3');
    expect(defaultGitHubApiUrl('containers.acme.ghe.com')).toBe('https://api.acme.ghe.com');
    expect(validateConfig(githubFlavor.configSchema, { uri: 'ghcr.io/o', apiUrl: 'https://proxy.example.com/github/' }, 'x')).toMatchObject({ apiUrl: 'https://proxy.example.com/github' });
    expect(() => validateConfig(githubFlavor.configSchema, { uri: 'ghcr.io/o', apiUrl: 'api.github.com' }, 'x')).toThrow(/apiUrl: "api\.github\.com" is not an http\(s\) URL/);
  });
});
