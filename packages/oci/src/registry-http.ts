import type { RegistryCredentials } from '@registrykit/core';
import { type HttpRequest, type HttpResponse, type HttpTransport, isReplayable } from './http-transport.js';
import type { RegistryAuth } from './registry-auth.js';
import { type EndpointOptions, resolveRegistryEndpoint, sameOrigin } from './registry-endpoint.js';
import { type FailureContext, responseFailure, transportFailure } from './registry-errors.js';
import { type RetryPolicy, sendWithRetries } from './retry.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

/** One call's target: the registry as named in the image, the credentials, a signal. */
export interface RegistryCall {
  readonly registry: string;
  readonly credentials: RegistryCredentials | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface RegistryRequest extends Pick<HttpRequest, 'method' | 'headers' | 'body' | 'followRedirects' | 'onBodyProgress'> {
  /** A path under the registry's endpoint (`/v2/…`), or an absolute URL (an upload `Location`). */
  readonly target: string | URL;
  /** The token scopes the request needs, e.g. `repository:team/app:pull,push`. */
  readonly scopes: readonly string[];
  /** What is being done, for messages: `reading the manifest of …`. */
  readonly action: string;
  /** Retry 408/429/5xx and broken connections (with a replayable body). Default true. */
  readonly retry?: boolean | undefined;
}

/** A token scope for a repository, e.g. `repository:team/app:pull,push`. */
export function repositoryScope(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`;
}

/**
 * Sends registry requests: resolves the endpoint, authorizes (ping, Basic or a scoped token),
 * retries, and answers a 401 once by learning the challenge (a newly needed scope for
 * `insufficient_scope`, else a fresh token) and sending again.
 */
export class RegistryHttp {
  readonly transport: HttpTransport;
  readonly auth: RegistryAuth;
  readonly policy: RetryPolicy;
  readonly #endpoints: EndpointOptions;

  constructor(transport: HttpTransport, auth: RegistryAuth, policy: RetryPolicy, endpoints: EndpointOptions) {
    this.transport = transport;
    this.auth = auth;
    this.policy = policy;
    this.#endpoints = endpoints;
  }

  endpoint(registry: string): URL {
    return resolveRegistryEndpoint(registry, this.#endpoints);
  }

  /** Any answer comes back, whatever its status; a transport failure throws a RegistryKitError. */
  async send(call: RegistryCall, request: RegistryRequest): Promise<HttpResponse> {
    const endpoint = this.endpoint(call.registry);
    const target = { registry: call.registry, endpoint, credentials: call.credentials, signal: call.signal };
    const url = typeof request.target === 'string' ? new URL(request.target, endpoint) : request.target;
    const replayable = isReplayable(request.body);
    let scopes = request.scopes;
    try {
      for (let round = 1; ; round++) {
        const authorization = sameOrigin(url, endpoint) ? await this.auth.authorization(target, scopes) : undefined;
        const response = await sendWithRetries(
          request.retry === false ? { ...this.policy, maxAttempts: 1 } : this.policy,
          () =>
            this.transport.request({
              method: request.method,
              url,
              headers: request.headers,
              body: request.body,
              signal: call.signal,
              authorizationFor: (hop) => (sameOrigin(hop, endpoint) ? authorization : undefined),
              followRedirects: request.followRedirects,
              onBodyProgress: request.onBodyProgress,
            }),
          { replayable, signal: call.signal },
        );
        if (response.status !== 401 || round > 1 || !replayable || !sameOrigin(response.url, endpoint)) return response;
        const challenge = this.auth.learn(endpoint, parseWwwAuthenticate(response.headerValues('www-authenticate')));
        const wasAnonymous = authorization === undefined;
        if (challenge?.scheme === 'bearer') {
          // Some registries read only the first scope, so the one the registry asked for goes first (as ggcr does).
          const wanted = challenge.params['error'] === 'insufficient_scope' ? (challenge.params['scope']?.split(' ') ?? []) : [];
          this.auth.invalidate(target, scopes);
          scopes = [...new Set([...wanted, ...scopes])];
        } else if (!(challenge?.scheme === 'basic' && wasAnonymous && call.credentials)) {
          // Basic credentials that were sent and refused will be refused again.
          return response;
        }
        await response.discard();
      }
    } catch (error) {
      throw transportFailure(error, this.context(call, request.action));
    }
  }

  /** Sends, and throws the typed failure unless the status is one of `expected`. */
  async expect(call: RegistryCall, request: RegistryRequest, expected: readonly number[]): Promise<HttpResponse> {
    const response = await this.send(call, request);
    if (expected.includes(response.status)) return response;
    throw await responseFailure(response, this.context(call, request.action));
  }

  context(call: RegistryCall, action: string): FailureContext {
    return { action, registry: call.registry, credentials: call.credentials, signal: call.signal };
  }
}
