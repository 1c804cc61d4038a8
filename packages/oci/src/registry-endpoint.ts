import { canonicalRegistryHost, isLoopbackHost, RegistryKitError } from '@registrykit/core';

export interface EndpointOptions {
  /** Registry host → base URL, e.g. `{ 'gcr.io': 'https://127.0.0.1:8443' }`. Wins over every other rule. */
  readonly endpoints?: Readonly<Record<string, string>> | undefined;
  /** Hosts reached over plain HTTP although they are not loopback (insecure registries). */
  readonly plainHttpRegistries?: readonly string[] | undefined;
  /** Loopback hosts (`localhost`, `127.x.y.z`, `[::1]`) use plain HTTP. Default true. */
  readonly plainHttpLoopback?: boolean | undefined;
}

// Docker Hub's API does not live at the name images use.
const WELL_KNOWN: Readonly<Record<string, string>> = { 'docker.io': 'https://registry-1.docker.io' };

/**
 * The base URL of a registry's API. The rule: an `endpoints` entry for the host; else plain
 * HTTP for hosts in `plainHttpRegistries` and for loopback hosts (unless `plainHttpLoopback`
 * is false); else HTTPS. Docker Hub (`docker.io` and its aliases) is `registry-1.docker.io`.
 */
export function resolveRegistryEndpoint(registry: string, options: EndpointOptions): URL {
  const host = canonicalRegistryHost(registry);
  const override = options.endpoints?.[registry] ?? options.endpoints?.[host];
  if (override !== undefined) return parseEndpoint(override, registry);
  const known = WELL_KNOWN[host];
  if (known !== undefined) return new URL(known);
  const plain = options.plainHttpRegistries?.includes(registry) || options.plainHttpRegistries?.includes(host) || ((options.plainHttpLoopback ?? true) && isLoopbackHost(host));
  return new URL(`${plain ? 'http' : 'https'}://${host}`);
}

function parseEndpoint(value: string, registry: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new RegistryKitError('INVALID_ARGUMENT', `Invalid endpoints["${registry}"]: "${value}" is not a URL; give a base URL such as "https://registry.internal:5000".`, {
      cause: error,
      details: { field: `endpoints.${registry}` },
    });
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new RegistryKitError(
      'INVALID_ARGUMENT',
      `Invalid endpoints["${registry}"]: "${url.protocol}//${url.host}${url.pathname}" must be an http(s) base URL without a path, credentials or query, e.g. "https://registry.internal:5000".`,
      { details: { field: `endpoints.${registry}` } },
    );
  }
  return new URL(`${url.protocol}//${url.host}`);
}

/** Same scheme, host and port: the only URLs that get the registry's credentials. */
export function sameOrigin(a: URL, b: URL): boolean {
  return a.origin === b.origin;
}
