import { RegistryKitError } from './errors.js';
import { canonicalRegistryHost, registryHostProblem, repositoryPathProblem } from './image-reference.js';

/** A registry uri split into the host images are pushed to and the namespace they sit under. */
export interface RegistryUri {
  /** The uri as configured, without trailing slashes. */
  readonly uri: string;
  /** `host[:port]`, with Docker Hub's aliases folded to `docker.io`. */
  readonly host: string;
  /** The repository path prefix, e.g. `team` in `registry.example.com/team`; empty for none. */
  readonly namespace: string;
}

/** Strips trailing slashes, as ZenML does, so `host/team/` and `host/team` are one registry. */
export function normalizeRegistryUri(uri: string): string {
  return uri.trim().replace(/\/+$/, '');
}

/**
 * Explains what is wrong with a `host[:port][/namespace…]` uri and how to fix it, or answers
 * undefined. Used by the default flavor and as the base of every flavor's uri check.
 */
export function registryUriProblem(uri: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri);
  if (scheme) {
    return `"${uri}" has a scheme; a registry uri is \`host[:port][/namespace]\` without "${scheme[0]}", e.g. "${uri.slice(scheme[0].length)}".`;
  }
  const slash = uri.indexOf('/');
  const host = slash === -1 ? uri : uri.slice(0, slash);
  const namespace = slash === -1 ? '' : uri.slice(slash + 1);
  const hostProblem = registryHostProblem(host);
  if (hostProblem) return hostProblem;
  if (!/[.:]/.test(host) && host !== 'localhost' && !host.startsWith('[')) {
    return (
      `"${host}" does not look like a registry host (no dot, no port), so Docker would read "${uri}/app" as a Docker Hub repository. ` +
      `For Docker Hub use "docker.io/${uri}"; for a host without a dot add its port, e.g. "${host}:5000".`
    );
  }
  if (namespace.length > 0) {
    if (/[:@]/.test(namespace)) {
      return `"${uri}" has a tag or digest; a registry uri names a registry (and namespace), not an image. Remove "${namespace.slice(namespace.search(/[:@]/))}".`;
    }
    const pathProblem = repositoryPathProblem(namespace);
    if (pathProblem) return `the namespace of "${uri}" is invalid: ${pathProblem}`;
  }
  return undefined;
}

/** Parses a registry uri; throws INVALID_CONFIG naming the `uri` field when it is invalid. */
export function parseRegistryUri(uri: string): RegistryUri {
  const normalized = normalizeRegistryUri(uri);
  const problem = normalized.length === 0 ? 'the uri is empty.' : registryUriProblem(normalized);
  if (problem) {
    throw new RegistryKitError('INVALID_CONFIG', `Invalid registry uri: ${problem}`, { details: { field: 'uri', uri } });
  }
  const slash = normalized.indexOf('/');
  const host = slash === -1 ? normalized : normalized.slice(0, slash);
  return {
    uri: normalized,
    host: canonicalRegistryHost(host),
    namespace: slash === -1 ? '' : normalized.slice(slash + 1),
  };
}

/** True for hosts on this machine: `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`, any port. */
export function isLoopbackHost(registryHost: string): boolean {
  let host = registryHost;
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else if (host.includes(':')) host = host.slice(0, host.lastIndexOf(':'));
  host = host.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (/^127(?:\.\d{1,3}){3}$/.test(host)) return true;
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}
