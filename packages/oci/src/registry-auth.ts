import { createHash } from 'node:crypto';
import { type RegistryCredentials, RegistryKitError } from '@registrykit/core';
import type { HttpTransport } from './http-transport.js';
import { responseFailure, transportFailure } from './registry-errors.js';
import { type RetryPolicy, sendWithRetries } from './retry.js';
import { TokenCache } from './token-cache.js';
import { requestToken, type TokenGrant } from './token-request.js';
import { type AuthChallenge, parseWwwAuthenticate, preferredChallenge } from './www-authenticate.js';

/** Who is asking, where: the registry as named, its API base URL, the credentials and a signal. */
export interface AuthTarget {
  readonly registry: string;
  readonly endpoint: URL;
  readonly credentials: RegistryCredentials | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Learns each registry's auth scheme with one `GET /v2/` (kept per endpoint, updated by later
 * challenges) and produces the Authorization header for a request: Basic, or a bearer token
 * for its scopes, cached per registry, credentials and scope set until shortly before it expires.
 */
export class RegistryAuth {
  readonly #transport: HttpTransport;
  readonly #policy: RetryPolicy;
  readonly #grant: TokenGrant;
  readonly #tokens = new TokenCache();
  readonly #challenges = new Map<string, Promise<AuthChallenge | undefined>>();

  constructor(transport: HttpTransport, policy: RetryPolicy, grant: TokenGrant) {
    this.#transport = transport;
    this.#policy = policy;
    this.#grant = grant;
  }

  /** The scheme the registry asks for (undefined: none), from a ping the first time. */
  challenge(target: AuthTarget): Promise<AuthChallenge | undefined> {
    const key = target.endpoint.origin;
    let known = this.#challenges.get(key);
    if (known === undefined) {
      known = this.#ping(target);
      this.#challenges.set(key, known);
      // A failed ping is not remembered: the next call pings again.
      known.catch(() => this.#challenges.delete(key));
    }
    return known;
  }

  /** Records what a 401 said, for the following requests. */
  learn(endpoint: URL, challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
    const preferred = preferredChallenge(challenges);
    if (preferred) this.#challenges.set(endpoint.origin, Promise.resolve(preferred));
    return preferred;
  }

  /** The Authorization header value for a request needing `scopes`, or undefined for none. */
  async authorization(target: AuthTarget, scopes: readonly string[]): Promise<string | undefined> {
    const { credentials } = target;
    // A bearer token given by the caller is used as is; there is nothing to exchange.
    if (credentials?.type === 'bearer') return `Bearer ${credentials.token}`;
    const challenge = await this.challenge(target);
    if (challenge === undefined) return undefined;
    if (challenge.scheme === 'basic') {
      if (credentials === undefined) return undefined;
      if (credentials.type === 'identity-token') {
        throw new RegistryKitError(
          'AUTHENTICATION_FAILED',
          `${target.registry} asks for Basic authentication, which an identity token cannot answer: use a username and password (or access token) for it.`,
          { details: { registry: target.registry } },
        );
      }
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    if (challenge.scheme !== 'bearer' || challenge.params['realm'] === undefined) {
      throw new RegistryKitError(
        'REGISTRY_ERROR',
        `${target.registry} asks for "${challenge.scheme}" authentication${challenge.scheme === 'bearer' ? ' without a realm' : ''}; only Basic and Bearer token authentication are supported.`,
        { details: { registry: target.registry, scheme: challenge.scheme } },
      );
    }
    const realm = challenge.params['realm'];
    const service = challenge.params['service'];
    const key = this.#tokenKey(target, scopes);
    const token = await this.#tokens.getOrFetch(key, async () => {
      const issued = await requestToken(this.#transport, this.#policy, {
        realm,
        service,
        scopes,
        credentials,
        registry: target.registry,
        registryEndpoint: target.endpoint,
        grant: this.#grant,
        signal: target.signal,
      });
      this.#tokens.set(key, issued.token, issued.expiresInSeconds, issued.issuedAt);
      return issued.token;
    });
    return `Bearer ${token}`;
  }

  /** Forgets the token for these scopes: the registry refused it (expired, revoked). */
  invalidate(target: AuthTarget, scopes: readonly string[]): void {
    this.#tokens.delete(this.#tokenKey(target, scopes));
  }

  async #ping(target: AuthTarget): Promise<AuthChallenge | undefined> {
    const url = new URL('/v2/', target.endpoint);
    const context = { action: `connecting to ${target.registry}`, registry: target.registry, credentials: target.credentials, signal: target.signal };
    let response;
    try {
      response = await sendWithRetries(this.#policy, () => this.#transport.request({ method: 'GET', url, signal: target.signal }), {
        replayable: true,
        signal: target.signal,
      });
    } catch (error) {
      throw transportFailure(error, context);
    }
    if (response.status === 401) {
      const challenges = parseWwwAuthenticate(response.headerValues('www-authenticate'));
      await response.discard();
      // A 401 without a challenge still means credentials are wanted; Basic is what it can be.
      return preferredChallenge(challenges) ?? { scheme: 'basic', params: {} };
    }
    if (response.status >= 200 && response.status < 300) {
      await response.discard();
      return undefined;
    }
    const failure = await responseFailure(response, context);
    if (response.status === 404) {
      throw new RegistryKitError('REGISTRY_ERROR', `${target.endpoint.origin} has no registry API at /v2/ (404). Check the registry host, or its endpoint override.`, {
        cause: failure,
        details: { registry: target.registry },
      });
    }
    throw failure;
  }

  #tokenKey(target: AuthTarget, scopes: readonly string[]): string {
    return `${target.endpoint.origin}|${credentialKey(target.credentials)}|${[...scopes].sort().join(' ')}`;
  }
}

// Credentials are told apart by a hash, so the cache key never holds a secret.
function credentialKey(credentials: RegistryCredentials | undefined): string {
  if (credentials === undefined) return 'anonymous';
  const secret = credentials.type === 'basic' ? `${credentials.username}\u0000${credentials.password}` : credentials.token;
  return createHash('sha256').update(`${credentials.type}\u0000${secret}`).digest('hex').slice(0, 32);
}
