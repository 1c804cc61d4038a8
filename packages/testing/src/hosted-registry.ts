import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TestCertificateAuthority } from './certificates.js';
import { type FrontServerFixture, startFrontServer } from './front-server.js';
import { type RegistryFixture, startRegistry } from './registry-server.js';
import { type StartTokenIssuerOptions, startTokenIssuer, type TokenIssuerFixture } from './token-issuer.js';

export interface StartHostedRegistryOptions {
  /** The registry's host name, e.g. `ghcr.io`; use one no concurrent test file uses. */
  readonly hostname: string;
  readonly ca: TestCertificateAuthority;
  /** Where the token realm is served on the same host: `/token` (GHCR), `/v2/token` (Google). Default `/token`. */
  readonly realmPath?: string | undefined;
  /** The token issuer's options; `service` defaults to the host name. */
  readonly issuer?: StartTokenIssuerOptions | undefined;
  /** Answers requests before the registry sees them, e.g. a 429 or a refused DELETE. */
  readonly handle?: ((request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>) | undefined;
}

export interface HostedRegistryFixture {
  readonly hostname: string;
  readonly issuer: TokenIssuerFixture;
  /** The Distribution registry itself, on a loopback port (plain HTTP). */
  readonly registry: RegistryFixture;
  /** The HTTPS front on port 443 under the host name. */
  readonly front: FrontServerFixture;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A real Distribution registry with token auth served under a cloud registry's host name, as
 * GHCR or Artifact Registry run: `https://<hostname>/v2/…` is the registry, and the token realm
 * is on the same host. The Docker engine trusts the CA for the host. Stop it to remove everything.
 */
export async function startHostedRegistry(options: StartHostedRegistryOptions): Promise<HostedRegistryFixture> {
  const realmPath = options.realmPath ?? '/token';
  const issuer = await startTokenIssuer({ service: options.hostname, ...options.issuer });
  let registry: RegistryFixture | undefined;
  try {
    registry = await startRegistry({ auth: { ...issuer.registryAuth, realm: `https://${options.hostname}${realmPath}` } });
    const front = await startFrontServer({
      hostname: options.hostname,
      ca: options.ca,
      upstream: registry.url,
      routes: { [realmPath]: issuer.realm },
      handle: options.handle,
      trustInDockerEngine: true,
    });
    const started = registry;
    const stop = async () => {
      await front.stop();
      await started.stop();
      await issuer.stop();
    };
    return { hostname: options.hostname, issuer, registry, front, stop, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await registry?.stop();
    await issuer.stop();
    throw error;
  }
}
