import type { IncomingMessage, ServerResponse } from 'node:http';
import { type HostedRegistryFixture, startHostedRegistry, type TestCertificateAuthority } from '@registrykit/testing';
import { type GitHubApiServer, type GitHubToken, startGitHubApi } from './github-api-server.js';

export interface GitHubFixture {
  /** The container registry (`ghcr.io`), token realm `https://<host>/token`, refusing DELETE as GHCR does. */
  readonly registry: HostedRegistryFixture;
  readonly api: GitHubApiServer;
  stop(): Promise<void>;
}

export interface StartGitHubOptions {
  readonly ca: TestCertificateAuthority;
  /** Default `ghcr.io`. */
  readonly registryHostname?: string;
  /** Default `api.github.com`. */
  readonly apiHostname?: string;
  readonly apiPathPrefix?: string;
  readonly owners: Readonly<Record<string, 'User' | 'Organization'>>;
  readonly tokens: Readonly<Record<string, GitHubToken>>;
  readonly maxPageSize?: number;
}

function refuseDelete(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== 'DELETE') return false;
  response.writeHead(405, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] }));
  return true;
}

/**
 * GitHub's container registry and Packages API under their host names (`ghcr.io`,
 * `api.github.com` by default: fixed names, for one test file only). The registry accepts any
 * user name with a known token, as GHCR does.
 */
export async function startGitHub(options: StartGitHubOptions): Promise<GitHubFixture> {
  const registry = await startHostedRegistry({
    hostname: options.registryHostname ?? 'ghcr.io',
    ca: options.ca,
    issuer: { authenticate: (_user, password) => options.tokens[password] !== undefined },
    handle: refuseDelete,
  });
  try {
    const api = await startGitHubApi({
      ca: options.ca,
      hostname: options.apiHostname ?? 'api.github.com',
      ...(options.apiPathPrefix ? { pathPrefix: options.apiPathPrefix } : {}),
      ...(options.maxPageSize ? { maxPageSize: options.maxPageSize } : {}),
      registry,
      owners: options.owners,
      tokens: options.tokens,
    });
    return {
      registry,
      api,
      async stop() {
        await api.stop();
        await registry.stop();
      },
    };
  } catch (error) {
    await registry.stop();
    throw error;
  }
}
