import { type CallOptions, describeCredentials, type RegistryCredentials, RegistryKitError } from '@registrykit/core';
import { dockerHubRateLimitError } from './dockerhub-rate-limit.js';

export const DOCKER_HUB_API_URL = 'https://hub.docker.com';
// Hub access tokens last 10 minutes; renew a minute early.
const TOKEN_LIFETIME_MS = 10 * 60_000;
const RENEW_EARLY_MS = 60_000;

/** A tag as the Hub API lists it. */
export interface HubTag {
  readonly name: string;
  /** The tag's manifest (or index) digest. */
  readonly digest: string | undefined;
  readonly lastUpdated: Date | undefined;
  /** Compressed size in bytes, summed over platforms. */
  readonly fullSize: number | undefined;
  /** For a multi-platform tag, the per-platform manifest digests. */
  readonly platformDigests: readonly string[];
}

export interface HubApiClientOptions {
  /** Default https://hub.docker.com; an override for mirrors, proxies and tests. */
  readonly baseUrl?: string | undefined;
  /** The Docker ID (or organization) credentials: a username with a password or personal access token. */
  readonly credentials: (options?: CallOptions) => Promise<RegistryCredentials | undefined>;
}

export interface HubApiClient {
  /** Every tag of `namespace/repository`, following pagination. */
  listTags(repository: string, options?: CallOptions): Promise<HubTag[]>;
  /** Deletes one tag; a missing tag is a NOT_FOUND error. */
  deleteTag(repository: string, tag: string, options?: CallOptions): Promise<void>;
}

/**
 * The Docker Hub API (`hub.docker.com/v2`), for what the registry API refuses: tag deletion, and
 * listings that do not count as pulls. It exchanges the credentials for a short-lived access
 * token (`POST /v2/auth/token`) and renews it when it lapses or is refused.
 */
export function createHubApiClient(options: HubApiClientOptions): HubApiClient {
  const baseUrl = (options.baseUrl ?? DOCKER_HUB_API_URL).replace(/\/+$/, '');
  let token: { readonly value: string; readonly renewAt: number } | undefined;

  async function accessToken(call: CallOptions): Promise<string> {
    if (token && token.renewAt > Date.now()) return token.value;
    const credentials = await options.credentials(call);
    if (!credentials) {
      throw new RegistryKitError(
        'AUTHENTICATION_FAILED',
        "Docker Hub's API needs your Docker ID: bind a docker connector (username and a personal access token), pass credentials, or run `docker login`.",
        { details: { api: baseUrl } },
      );
    }
    if (credentials.type !== 'basic') {
      throw new RegistryKitError(
        'AUTHENTICATION_FAILED',
        `Docker Hub's API needs a username with a password or personal access token, not ${describeCredentials(credentials)} (a Docker Desktop sign-in): ` +
          'bind a docker connector with a personal access token.',
        { details: { api: baseUrl } },
      );
    }
    const response = await send(`${baseUrl}/v2/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ identifier: credentials.username, secret: credentials.password }),
      signal: call.signal,
    });
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel().catch(() => undefined);
      throw new RegistryKitError(
        'AUTHENTICATION_FAILED',
        `Docker Hub refused the credentials of "${credentials.username}" (HTTP ${response.status}): check the username and the password or personal access token; with SSO enforced, use a personal access token.`,
        { details: { api: baseUrl, username: credentials.username, status: response.status } },
      );
    }
    await ensureOk(response, 'logging in to the Docker Hub API');
    const body = (await response.json()) as { access_token?: unknown };
    if (typeof body.access_token !== 'string') throw new RegistryKitError('REGISTRY_ERROR', 'The Docker Hub API answered a login without an access_token.', { details: { api: baseUrl } });
    token = { value: body.access_token, renewAt: tokenExpiry(body.access_token) - RENEW_EARLY_MS };
    return token.value;
  }

  async function request(method: string, path: string, action: string, call: CallOptions): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const authorization = `Bearer ${await accessToken(call)}`;
      const response = await send(`${baseUrl}${path}`, { method, headers: { authorization, accept: 'application/json' }, signal: call.signal });
      // A token revoked or lapsing early: log in again, once.
      if (response.status === 401 && attempt === 0) {
        // Drain the refused answer so its keep-alive connection is free for the retry.
        await response.body?.cancel().catch(() => undefined);
        token = undefined;
        continue;
      }
      await ensureOk(response, action);
      return response;
    }
  }

  async function send(
    url: string,
    init: { readonly method: string; readonly headers: Record<string, string>; readonly body?: string; readonly signal: AbortSignal | undefined },
  ): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: init.signal ?? null });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw new RegistryKitError('ABORTED', `Aborted a Docker Hub API request to ${url}.`, { cause: error });
      throw new RegistryKitError('REGISTRY_ERROR', `Cannot reach the Docker Hub API at ${baseUrl}: ${(error as Error).message}.`, { cause: error, details: { api: baseUrl } });
    }
  }

  async function ensureOk(response: Response, action: string): Promise<void> {
    if (response.ok) return;
    const body = await response.text().catch(() => '');
    const details = { api: baseUrl, status: response.status };
    const said = hubMessage(body);
    switch (response.status) {
      case 429:
        throw dockerHubRateLimitError({ headers: Object.fromEntries(response.headers), body }, action);
      case 401:
        throw new RegistryKitError('AUTHENTICATION_FAILED', `Docker Hub refused authentication while ${action}${said}: log in again.`, { details });
      case 403:
        throw new RegistryKitError('PERMISSION_DENIED', `Docker Hub denied ${action}${said}: the account (or its access token's scopes) may not do this; deleting needs "Read, Write, Delete".`, {
          details,
        });
      case 404:
        throw new RegistryKitError('NOT_FOUND', `Docker Hub found nothing while ${action}${said}.`, { details });
      default:
        throw new RegistryKitError('REGISTRY_ERROR', `The Docker Hub API answered HTTP ${response.status} while ${action}${said}.`, { details });
    }
  }

  function pathOf(next: string): string {
    const url = new URL(next, baseUrl);
    return `${url.pathname}${url.search}`;
  }

  return {
    async listTags(repository, call = {}) {
      const tags: HubTag[] = [];
      let path: string | undefined = `/v2/repositories/${repository}/tags?page_size=100`;
      while (path !== undefined) {
        const response = await request('GET', path, `listing the tags of ${repository}`, call);
        const page = (await response.json()) as { next?: string | null; results?: readonly RawTag[] };
        tags.push(...(page.results ?? []).map(toHubTag));
        path = page.next ? pathOf(page.next) : undefined;
      }
      return tags;
    },
    async deleteTag(repository, tag, call = {}) {
      await request('DELETE', `/v2/repositories/${repository}/tags/${encodeURIComponent(tag)}`, `deleting the tag ${repository}:${tag}`, call);
    },
  };
}

interface RawTag {
  readonly name: string;
  readonly digest?: string;
  readonly last_updated?: string;
  readonly full_size?: number;
  readonly images?: readonly { readonly digest?: string }[];
}

function toHubTag(raw: RawTag): HubTag {
  const updated = raw.last_updated ? new Date(raw.last_updated) : undefined;
  return {
    name: raw.name,
    digest: raw.digest,
    lastUpdated: updated && !Number.isNaN(updated.getTime()) ? updated : undefined,
    fullSize: raw.full_size,
    platformDigests: (raw.images ?? []).flatMap((image) => (image.digest && image.digest !== raw.digest ? [image.digest] : [])),
  };
}

function hubMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; detail?: unknown; errinfo?: unknown };
    const text = [parsed.message, parsed.detail].find((part) => typeof part === 'string');
    return text ? ` (${text as string})` : '';
  } catch {
    return '';
  }
}

// The access token is a JWT; its `exp` says when to renew. Unreadable: assume the documented 10 minutes.
function tokenExpiry(jwt: string): number {
  try {
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    if (typeof claims.exp === 'number') return claims.exp * 1000;
  } catch {
    // fall through
  }
  return Date.now() + TOKEN_LIFETIME_MS;
}
