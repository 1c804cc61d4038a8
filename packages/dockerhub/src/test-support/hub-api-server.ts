import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FrontServerFixture, readRequestBody, readStoredManifests, removeStoredTag, startFrontServer, type TestCertificateAuthority } from '@registrykit/testing';

/** Docker IDs and the secrets (password, personal access tokens) each accepts. */
export type HubAccounts = Readonly<Record<string, readonly string[]>>;

export interface HubApiServer {
  readonly url: string;
  readonly front: FrontServerFixture;
  /** Logins so far, by Docker ID (never the secret). */
  readonly logins: readonly string[];
  /** Makes every access token issued so far lapse. */
  expireTokens(): void;
  /** The next `count` API requests answer 429 with the Hub API's rate-limit headers. */
  throttle(count: number): void;
  stop(): Promise<void>;
}

export interface StartHubApiOptions {
  readonly ca: TestCertificateAuthority;
  readonly hostname: string;
  /** The storage directory of the registry the API describes (`startRegistry().storageDir`). */
  readonly storageDir: string;
  readonly accounts: HubAccounts;
  /** The largest page the tag listing answers, to exercise pagination. Default 100. */
  readonly maxPageSize?: number;
}

/**
 * The parts of the Docker Hub API (`hub.docker.com/v2`) registrykit uses, over what a real
 * registry stores: `POST /v2/auth/token`, tag listing with `next` pagination, and tag deletion.
 * A Docker ID manages its own namespace only.
 */
export async function startHubApi(options: StartHubApiOptions): Promise<HubApiServer> {
  const tokens = new Map<string, { readonly user: string; expiresAt: number }>();
  const logins: string[] = [];
  let throttled = 0;
  const base = `https://${options.hostname}`;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const url = new URL(request.url ?? '/', base);
    const reply = (status: number, body?: object, headers: Record<string, string> = {}) => {
      response.writeHead(status, { ...(body ? { 'content-type': 'application/json' } : {}), ...headers });
      response.end(body ? JSON.stringify(body) : undefined);
      return true;
    };
    if (throttled > 0) {
      throttled -= 1;
      const reset = Math.floor(Date.now() / 1000) + 60;
      return reply(429, { detail: 'Too Many Requests' }, { 'x-ratelimit-limit': '180', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'retry-after': '60' });
    }
    if (request.method === 'POST' && url.pathname === '/v2/auth/token') {
      const { identifier, secret } = JSON.parse((await readRequestBody(request)) || '{}') as { identifier?: string; secret?: string };
      if (identifier === undefined || secret === undefined || !options.accounts[identifier]?.includes(secret)) {
        return reply(401, { detail: 'Incorrect authentication credentials' });
      }
      logins.push(identifier);
      const expiresAt = Date.now() + 600_000;
      const claims = Buffer.from(JSON.stringify({ sub: identifier, exp: Math.floor(expiresAt / 1000) })).toString('base64url');
      const token = `eyJhbGciOiJSUzI1NiJ9.${claims}.${randomBytes(16).toString('base64url')}`;
      tokens.set(token, { user: identifier, expiresAt });
      return reply(200, { access_token: token });
    }
    const session = tokens.get(request.headers.authorization?.replace(/^Bearer /, '') ?? '');
    if (!session || session.expiresAt <= Date.now()) return reply(401, { detail: 'Authentication credentials were not provided or have expired.' });

    const tag = /^\/v2\/repositories\/([^/]+)\/([^/]+)\/tags\/([^/]+)\/?$/.exec(url.pathname);
    if (tag && request.method === 'DELETE') {
      const [, namespace = '', name = '', tagName = ''] = tag;
      if (namespace !== session.user) return reply(403, { detail: 'You do not have permission to perform this action.' });
      const removed = await removeStoredTag(options.storageDir, `${namespace}/${name}`, decodeURIComponent(tagName));
      return removed ? reply(204) : reply(404, { message: 'httperror 404: tag not found' });
    }
    const list = /^\/v2\/repositories\/([^/]+)\/([^/]+)\/tags\/?$/.exec(url.pathname);
    if (list && request.method === 'GET') {
      const repository = `${list[1]}/${list[2]}`;
      const manifests = await readStoredManifests(options.storageDir, repository);
      if (manifests.length === 0) return reply(404, { message: 'httperror 404: object not found' });
      const tags = manifests
        .flatMap((manifest) => manifest.tags.map((name) => ({ name, manifest })))
        .sort((a, b) => a.name.localeCompare(b.name));
      const pageSize = Math.min(Number(url.searchParams.get('page_size') ?? 10), options.maxPageSize ?? 100);
      const page = Number(url.searchParams.get('page') ?? 1);
      const slice = tags.slice((page - 1) * pageSize, page * pageSize);
      const next = page * pageSize < tags.length ? `${base}${url.pathname}?page=${page + 1}&page_size=${pageSize}` : null;
      return reply(200, {
        count: tags.length,
        next,
        previous: null,
        results: slice.map(({ name, manifest }) => ({
          name,
          digest: manifest.digest,
          last_updated: manifest.storedAt.toISOString(),
          full_size: manifest.sizeBytes,
          images: manifest.childDigests.length > 0 ? manifest.childDigests.map((digest) => ({ digest })) : [{ digest: manifest.digest }],
        })),
      });
    }
    return reply(404, { message: 'httperror 404: object not found' });
  }

  const front = await startFrontServer({ hostname: options.hostname, ca: options.ca, handle });
  return {
    url: front.url,
    front,
    logins,
    expireTokens() {
      for (const session of tokens.values()) session.expiresAt = 0;
    },
    throttle(count) {
      throttled = count;
    },
    stop: () => front.stop(),
  };
}
