import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TestCertificateAuthority } from './certificates.js';
import { type FrontServerFixture, startFrontServer } from './front-server.js';
import { type RegistryFixture, startRegistry } from './registry-server.js';
import { type StartTokenIssuerOptions, startTokenIssuer, type TokenIssuerFixture } from './token-issuer.js';

export interface StartHostedRegistryOptions {
  /** The registry's host name, e.g. `ghcr.io`; use one no concurrent test file uses. */
  readonly hostname: string;
  readonly ca: TestCertificateAuthority;
  /** Where the token realm is served: `/token` (GHCR, Docker Hub), `/v2/token` (Google). Default `/token`. */
  readonly realmPath?: string | undefined;
  /** Serve the realm under its own host name, e.g. Docker Hub's `auth.docker.io`; default the registry's. */
  readonly realmHostname?: string | undefined;
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
  /** The realm's own front, with `realmHostname`. */
  readonly realmFront: FrontServerFixture | undefined;
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
  const realmHostname = options.realmHostname ?? options.hostname;
  const started: { stop(): Promise<void> }[] = [issuer];
  const stop = async () => {
    for (const part of started.splice(0).reverse()) await part.stop();
  };
  try {
    const registry = await startRegistry({ auth: { ...issuer.registryAuth, realm: `https://${realmHostname}${realmPath}` } });
    started.push(registry);
    const routes = { [realmPath]: issuer.realm };
    const realmFront = options.realmHostname === undefined ? undefined : await startFrontServer({ hostname: options.realmHostname, ca: options.ca, routes });
    if (realmFront) started.push(realmFront);
    const front = await startFrontServer({
      hostname: options.hostname,
      ca: options.ca,
      upstream: registry.url,
      routes: realmFront ? {} : routes,
      handle: options.handle,
      trustInDockerEngine: true,
    });
    started.push(front);
    return { hostname: options.hostname, issuer, registry, front, realmFront, stop, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
