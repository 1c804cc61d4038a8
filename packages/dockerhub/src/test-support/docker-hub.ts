import type { IncomingMessage, ServerResponse } from 'node:http';
import { type HostedRegistryFixture, startHostedRegistry, type TestCertificateAuthority } from '@registrykit/testing';
import { type HubAccounts, type HubApiServer, startHubApi } from './hub-api-server.js';

export interface DockerHubFixture {
  /** `registry-1.docker.io`, its token realm on `auth.docker.io`. */
  readonly registry: HostedRegistryFixture;
  /** The Hub API on `hub.docker.com`. */
  readonly api: HubApiServer;
  /** The next `count` manifest requests answer 429: the pull limit, or the anti-abuse limit. */
  throttleRegistry(limit: 'pull' | 'abuse', count: number): void;
  stop(): Promise<void>;
}

const PULL_LIMIT_MESSAGE = 'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit';

/**
 * Docker Hub under its own host names: the registry (`registry-1.docker.io`, refusing DELETE as
 * Docker Hub does, and throttling on demand), its token service (`auth.docker.io`, service
 * `registry.docker.io`) and the Hub API (`hub.docker.com`). These names are fixed: only one test
 * file may use them.
 */
export async function startDockerHub(options: { readonly ca: TestCertificateAuthority; readonly accounts: HubAccounts }): Promise<DockerHubFixture> {
  let throttle: { limit: 'pull' | 'abuse'; count: number } = { limit: 'pull', count: 0 };

  function handle(request: IncomingMessage, response: ServerResponse): boolean {
    const manifests = /^\/v2\/.+\/manifests\/[^/]+$/.test(request.url?.split('?')[0] ?? '');
    if (manifests && request.method === 'DELETE') {
      response.writeHead(405, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] }));
      return true;
    }
    if (throttle.count === 0 || (throttle.limit === 'pull' && !manifests)) return false;
    throttle.count -= 1;
    if (throttle.limit === 'abuse') {
      response.writeHead(429, { 'content-type': 'text/plain' });
      response.end('Too Many Requests (HAP429).\n');
      return true;
    }
    response.writeHead(429, {
      'content-type': 'application/json',
      'ratelimit-limit': '100;w=21600',
      'ratelimit-remaining': '0;w=21600',
      'docker-ratelimit-source': '203.0.113.7',
    });
    response.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: PULL_LIMIT_MESSAGE }] }));
    return true;
  }

  const registry = await startHostedRegistry({
    hostname: 'registry-1.docker.io',
    realmHostname: 'auth.docker.io',
    ca: options.ca,
    issuer: { service: 'registry.docker.io', authenticate: (user, password) => options.accounts[user]?.includes(password) === true },
    handle,
  });
  try {
    const api = await startHubApi({ ca: options.ca, hostname: 'hub.docker.com', storageDir: registry.registry.storageDir, accounts: options.accounts });
    return {
      registry,
      api,
      throttleRegistry(limit, count) {
        throttle = { limit, count };
      },
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
