import { DOCKER_HUB_ALIASES, DOCKER_HUB_REGISTRY, registryUriProblem } from '@registrykit/core';

// Docker IDs and organization names: lowercase letters and digits.
const NAMESPACE = /^[a-z0-9]{2,255}$/;

const OTHER_FLAVORS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^ghcr\.io$/, 'the github flavor'],
  [/(^|\.)gcr\.io$|-docker\.pkg\.dev$/, 'the gcp flavor'],
  [/\.amazonaws\.com(\.cn)?$/, 'the aws flavor'],
  [/\.azurecr\.io$/, 'the azure flavor'],
];

/**
 * `docker.io/<namespace>`: a bare namespace gets `docker.io/`, and Docker Hub's other host names
 * (`index.docker.io`, `registry-1.docker.io`) become `docker.io`, so every spelling is one registry.
 */
export function normalizeDockerHubUri(uri: string): string {
  const trimmed = uri.trim().replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  const host = slash === -1 ? trimmed : trimmed.slice(0, slash);
  if (DOCKER_HUB_ALIASES.includes(host)) return `${DOCKER_HUB_REGISTRY}${slash === -1 ? '' : trimmed.slice(slash)}`;
  // A single name without a dot or port is a namespace, as `docker push myorg/app` reads it.
  if (slash === -1 && /^[a-z0-9]+$/.test(trimmed)) return `${DOCKER_HUB_REGISTRY}/${trimmed}`;
  return trimmed;
}

/** Explains what is wrong with a (normalized) Docker Hub uri and how to fix it, or answers undefined. */
export function dockerHubUriProblem(uri: string): string | undefined {
  const [host = '', ...path] = uri.split('/');
  if (host !== DOCKER_HUB_REGISTRY) {
    if (/^[a-z][a-z0-9+.-]*:$/i.test(host)) return registryUriProblem(uri);
    const other = OTHER_FLAVORS.find(([pattern]) => pattern.test(host));
    return `"${host}" is not Docker Hub: use ${other?.[1] ?? 'the default flavor'} for it; a Docker Hub uri is \`docker.io/<namespace>\`, e.g. "docker.io/myorg".`;
  }
  const generic = registryUriProblem(uri);
  if (generic) return generic;
  const [namespace] = path;
  if (namespace === undefined) return `"${uri}" names no namespace: add your Docker ID or organization, e.g. "docker.io/myorg".`;
  if (path.length > 1) {
    return `"${uri}" has more than a namespace: Docker Hub repositories are \`<namespace>/<name>\`, so the uri is "docker.io/${namespace}" and "${path.slice(1).join('/')}" goes into the image name.`;
  }
  if (namespace === 'library') return '"docker.io/library" holds Docker\'s official images, which only Docker publishes: use your Docker ID or organization.';
  if (!NAMESPACE.test(namespace)) return `"${namespace}" is not a Docker Hub namespace: Docker IDs and organization names are lowercase letters and digits.`;
  return undefined;
}
