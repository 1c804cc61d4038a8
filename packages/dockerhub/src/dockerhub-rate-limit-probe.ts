import type { CallOptions, RegistryCredentials } from '@registrykit/core';
import type { ThrottledResponse } from './dockerhub-rate-limit.js';

export const DOCKER_HUB_REGISTRY_URL = 'https://registry-1.docker.io';
export const DOCKER_HUB_AUTH_URL = 'https://auth.docker.io/token';

/**
 * Reads Docker Hub's `ratelimit-*` headers the way Docker documents it: a HEAD of a manifest,
 * which does not count as a pull, with a pull token for the same account. Used after a 429 to
 * say which limit was hit and when it resets; answers undefined when Docker Hub cannot be asked.
 */
export async function probeDockerHubRateLimit(
  repository: string,
  credentials: RegistryCredentials | undefined,
  options: CallOptions = {},
): Promise<ThrottledResponse | undefined> {
  const signal = options.signal ?? null;
  try {
    const query = new URLSearchParams({ service: 'registry.docker.io', scope: `repository:${repository}:pull` });
    const authorization =
      credentials?.type === 'basic' ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` } : undefined;
    const tokenResponse = await fetch(`${DOCKER_HUB_AUTH_URL}?${query}`, { headers: { ...authorization }, signal });
    const { token, access_token: accessToken } = (await tokenResponse.json()) as { token?: string; access_token?: string };
    const head = await fetch(`${DOCKER_HUB_REGISTRY_URL}/v2/${repository}/manifests/latest`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token ?? accessToken ?? ''}`, accept: 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
      signal,
    });
    return { headers: Object.fromEntries(head.headers) };
  } catch {
    return undefined;
  }
}
