import { registryUriProblem } from '@registrykit/core';

export const GHCR_HOST = 'ghcr.io';
export const GITHUB_API_URL = 'https://api.github.com';

// GitHub logins: letters, digits and single inner hyphens, up to 39 characters.
const OWNER = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,38}$/i;

/** `ghcr.io`, or a GitHub Enterprise container registry: `containers.<host>`. */
export function isGitHubRegistryHost(host: string): boolean {
  return host === GHCR_HOST || /^containers\.[a-z0-9.-]+\.[a-z]+$/i.test(host);
}

/** Explains what is wrong with a github registry uri and how to fix it, or answers undefined. */
export function gitHubRegistryUriProblem(uri: string): string | undefined {
  const [host = '', owner, ...rest] = uri.split('/');
  if (!isGitHubRegistryHost(host)) {
    const generic = registryUriProblem(uri);
    if (generic) return generic;
    return `"${host}" is not GitHub's container registry: use "ghcr.io/<owner>" (or "containers.<your GitHub Enterprise host>/<owner>").`;
  }
  if (owner === undefined || owner === '') return `"${uri}" names no owner: add the user or organization that owns the packages, e.g. "${host}/octo-org".`;
  if (!OWNER.test(owner)) return `"${owner}" in "${uri}" is not a GitHub user or organization name: letters, digits and single hyphens.`;
  if (owner !== owner.toLowerCase()) {
    const lower = [host, owner.toLowerCase(), ...rest.map((part) => part.toLowerCase())].join('/');
    return `image names on ${host} are lowercase, but "${owner}" is not: use "${lower}". GitHub owner names ignore case, so it is the same owner.`;
  }
  return registryUriProblem(uri);
}

/** The REST API that manages the packages of a registry host. */
export function defaultGitHubApiUrl(registryHost: string): string {
  if (registryHost === GHCR_HOST) return GITHUB_API_URL;
  const enterprise = registryHost.slice('containers.'.length);
  // GHE.com (data residency) serves its API on api.<subdomain>.ghe.com; GitHub Enterprise Server on <host>/api/v3.
  return enterprise.endsWith('.ghe.com') ? `https://api.${enterprise}` : `https://${enterprise}/api/v3`;
}
