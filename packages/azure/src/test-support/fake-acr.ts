import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import {
  type CertificateFiles,
  listStoredRepositories,
  parseTokenScope,
  readRequestBody,
  readStoredRepository,
  type RegistryFixture,
  removeStoredTag,
  startRegistry,
  startTokenIssuer,
  type TokenAccess,
  type TokenIssuerFixture,
} from '@registrykit/testing';
import type { FakeEntra } from './fake-entra.js';

// One HTTPS front on `<name>.azurecr.io:443`, as ACR serves it: its own `/oauth2/exchange`,
// `/oauth2/token` and `/acr/v1/…` endpoints, and `/v2/…` proxied to a real Distribution
// registry whose token auth realm is this front's `/oauth2/token`. `/acr/v1` answers from
// what that registry stores and acts on it.

export const ACR_ACTIONS = ['pull', 'push', 'delete', 'metadata_read', 'metadata_write'] as const;
const ZERO_USER = '00000000-0000-0000-0000-000000000000';
const ACCEPTED_AUDIENCES = new Set(['https://containerregistry.azure.net', 'https://management.azure.com', 'https://management.usgovcloudapi.net', 'https://management.chinacloudapi.cn']);
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const ACCEPT = [...INDEX_TYPES, 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

export type Grant = (repository: string) => readonly string[];

interface Attributes {
  deleteEnabled: boolean;
  writeEnabled: boolean;
  readEnabled: boolean;
  listEnabled: boolean;
}

export interface FakeAcr {
  readonly host: string;
  readonly registry: RegistryFixture;
  /** Every exchange and token request, without secrets. */
  readonly authLog: readonly { readonly endpoint: string; readonly grant: string; readonly principal: string | undefined; readonly status: number }[];
  /** A username and password (admin user, repository-scoped token, service principal secret). */
  addUser(username: string, password: string, grant: Grant): void;
  /** What an Entra ID principal (object or client id) may do. */
  grantPrincipal(principal: string, grant: Grant): void;
  /** Answers at most `count` manifests or repositories per page, with a Link to the next. */
  setPageLimit(count: number): void;
  /** Lifetime of ACR refresh tokens issued from now on. Default 3 h, as ACR. */
  setRefreshTokenLifetime(seconds: number): void;
  /** Locks or unlocks a manifest (`repo@digest`) or tag (`repo:tag`) as `az acr repository update` does. */
  setAttributes(reference: string, attributes: Partial<Attributes>): void;
  /** A bearer token with every right on `repository`, for setting up content through `/v2`. */
  adminToken(repository: string): string;
  stop(): Promise<void>;
}

export async function startFakeAcr(options: { readonly host: string; readonly tls: CertificateFiles; readonly address: string; readonly entra: FakeEntra }): Promise<FakeAcr> {
  const { host, entra } = options;
  const issuer: TokenIssuerFixture = await startTokenIssuer({ service: host, issuer: `${host}-issuer` });
  const registry = await startRegistry({ auth: { ...issuer.registryAuth, realm: `https://${host}/oauth2/token` } });
  const users = new Map<string, { password: string; grant: Grant }>();
  const principals = new Map<string, Grant>();
  const refreshTokens = new Map<string, { principal: string; expiresAt: number }>();
  const accessTokens = new Map<string, { principal: string; access: TokenAccess[]; expiresAt: number }>();
  const attributes = new Map<string, Attributes>();
  const authLog: { endpoint: string; grant: string; principal: string | undefined; status: number }[] = [];
  let refreshLifetimeSeconds = 3 * 3600;
  let pageLimit = Number.POSITIVE_INFINITY;

  const attributesOf = (reference: string): Attributes => attributes.get(reference) ?? { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true };

  function json(response: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(JSON.stringify(body));
  }
  const acrError = (response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    json(response, status, { errors: [{ code, message }] }, headers);

  function grantOf(principal: string): Grant | undefined {
    return users.get(principal)?.grant ?? principals.get(principal);
  }

  function accessToken(principal: string, scopes: readonly string[]): string {
    const grant = grantOf(principal);
    const access = scopes
      .map(parseTokenScope)
      .filter((item): item is TokenAccess => item !== undefined)
      .map((item) => ({ ...item, actions: item.actions.filter((action) => (grant?.(item.name) ?? []).includes(action) || (action === '*' && item.type === 'registry')) }));
    const token = issuer.signToken({ user: principal, access, expiresInSeconds: 1200 });
    accessTokens.set(token, { principal, access, expiresAt: Date.now() + 1_200_000 });
    return token;
  }

  /** Who a Basic header names, when the password is right (or is a live refresh token for the zero user). */
  function basicPrincipal(authorization: string): string | undefined {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (user === ZERO_USER) {
      const refresh = refreshTokens.get(password);
      return refresh && refresh.expiresAt > Date.now() ? refresh.principal : undefined;
    }
    return users.get(user)?.password === password ? user : undefined;
  }

  async function oauthExchange(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readRequestBody(request));
    const token = entra.tokenInfo(form.get('access_token') ?? '');
    const answer = (status: number, body: object) => {
      authLog.push({ endpoint: 'exchange', grant: form.get('grant_type') ?? '', principal: token?.principal, status });
      json(response, status, body);
    };
    if (form.get('grant_type') !== 'access_token') return answer(400, { errors: [{ code: 'UNSUPPORTED', message: 'unsupported grant_type' }] });
    if (form.get('service') !== host) return answer(400, { errors: [{ code: 'INVALID', message: `unknown service ${form.get('service')}` }] });
    if (!token || token.expiresAt < Date.now() || !ACCEPTED_AUDIENCES.has(token.audience)) {
      return answer(401, { errors: [{ code: 'UNAUTHORIZED', message: 'the access token is invalid, expired, or for another audience' }] });
    }
    if (!principals.has(token.principal)) return answer(403, { errors: [{ code: 'DENIED', message: 'the identity has no role on this registry' }] });
    const expiresAt = Date.now() + refreshLifetimeSeconds * 1000;
    const refresh = issuer.signToken({ user: token.principal, access: [], expiresInSeconds: refreshLifetimeSeconds });
    refreshTokens.set(refresh, { principal: token.principal, expiresAt });
    answer(200, { refresh_token: refresh });
  }

  async function oauthToken(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `https://${host}`);
    const post = request.method === 'POST';
    const form = post ? new URLSearchParams(await readRequestBody(request)) : url.searchParams;
    const scopes = form.getAll('scope').flatMap((scope) => scope.split(' ')).filter(Boolean);
    let principal: string | undefined;
    let grant = 'basic';
    if (post) {
      grant = form.get('grant_type') ?? '';
      const refresh = grant === 'refresh_token' ? refreshTokens.get(form.get('refresh_token') ?? '') : undefined;
      principal = refresh && refresh.expiresAt > Date.now() ? refresh.principal : undefined;
    } else if (request.headers.authorization?.startsWith('Basic ')) {
      principal = basicPrincipal(request.headers.authorization);
    }
    const answer = (status: number, body: object) => {
      authLog.push({ endpoint: 'token', grant, principal, status });
      json(response, status, body, status === 401 ? { 'www-authenticate': `Basic realm="https://${host}/oauth2/token"` } : {});
    };
    if (form.get('service') !== host) return answer(400, { errors: [{ code: 'INVALID', message: `unknown service ${form.get('service')}` }] });
    if (!principal) return answer(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
    answer(200, { access_token: accessToken(principal, scopes) });
  }

  /** Who calls `/acr/v1` and whether they may do `action` on `repository`; answers the refusal itself otherwise. */
  function authorize(request: IncomingMessage, response: ServerResponse, repository: string, action: string): boolean {
    const authorization = request.headers.authorization ?? '';
    let allowed: readonly string[] | undefined;
    if (authorization.startsWith('Bearer ')) {
      const token = accessTokens.get(authorization.slice(7));
      if (token && token.expiresAt > Date.now()) allowed = token.access.filter((item) => item.type === 'repository' && item.name === repository).flatMap((item) => item.actions);
    } else if (authorization.startsWith('Basic ')) {
      const principal = basicPrincipal(authorization);
      if (principal) allowed = grantOf(principal)?.(repository) ?? [];
    }
    if (allowed === undefined) {
      request.resume();
      acrError(response, 401, 'UNAUTHORIZED', 'authentication required', {
        'www-authenticate': `Bearer realm="https://${host}/oauth2/token",service="${host}",scope="repository:${repository}:${action}"`,
      });
      return false;
    }
    if (!allowed.includes(action)) {
      request.resume();
      acrError(response, 403, 'DENIED', 'requested access to the resource is denied');
      return false;
    }
    return true;
  }

  async function manifestOf(repository: string, digest: string): Promise<{ mediaType: string; layers?: { size?: number }[]; config?: { digest?: string }; manifests?: { digest: string; platform?: { architecture?: string; os?: string } }[] }> {
    const response = await fetch(`${registry.url}/v2/${repository}/manifests/${digest}`, {
      headers: { accept: ACCEPT, authorization: `Bearer ${issuer.signToken({ access: [{ type: 'repository', name: repository, actions: ['pull'] }] })}` },
    });
    if (!response.ok) throw new Error(`registry answered ${response.status} for ${repository}@${digest}`);
    return (await response.json()) as Awaited<ReturnType<typeof manifestOf>>;
  }

  async function manifestsOf(repository: string) {
    const stored = await readStoredRepository(registry.storageDir, repository);
    const manifests = await Promise.all(
      stored.manifests.map(async (entry) => {
        const body = await manifestOf(repository, entry.digest);
        const tags = [...stored.tags].filter(([, digest]) => digest === entry.digest).map(([tag]) => tag).sort();
        const time = entry.storedAt.toISOString();
        return {
          digest: entry.digest,
          imageSize: (body.layers ?? []).reduce((sum, layer) => sum + (layer.size ?? 0), 0),
          createdTime: time,
          lastUpdateTime: time,
          mediaType: body.mediaType,
          ...(INDEX_TYPES.has(body.mediaType) ? { references: (body.manifests ?? []).map((child) => ({ digest: child.digest, architecture: child.platform?.architecture, os: child.platform?.os })) } : {}),
          ...(tags.length > 0 ? { tags } : {}),
          changeableAttributes: attributesOf(`${repository}@${entry.digest}`),
        };
      }),
    );
    return { manifests, tags: stored.tags, exists: stored.manifests.length > 0 || stored.tags.size > 0 };
  }

  const tagJson = (repository: string, tag: string, digest: string, time: string) => ({
    name: tag,
    digest,
    createdTime: time,
    lastUpdateTime: time,
    signed: false,
    changeableAttributes: attributesOf(`${repository}:${tag}`),
  });

  async function catalog(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const authorization = request.headers.authorization ?? '';
    const bearer = authorization.startsWith('Bearer ') ? accessTokens.get(authorization.slice(7)) : undefined;
    const allowed = bearer
      ? bearer.expiresAt > Date.now() && bearer.access.some((item) => item.type === 'registry' && item.name === 'catalog' && item.actions.includes('*'))
      : authorization.startsWith('Basic ') && basicPrincipal(authorization) !== undefined;
    if (!allowed) {
      return acrError(response, 401, 'UNAUTHORIZED', 'authentication required', {
        'www-authenticate': `Bearer realm="https://${host}/oauth2/token",service="${host}",scope="registry:catalog:*"`,
      });
    }
    const params = new URL(request.url ?? '/', `https://${host}`).searchParams;
    const all = (await listStoredRepositories(registry.storageDir)).filter((name) => name > (params.get('last') ?? ''));
    const n = Math.min(Number(params.get('n') ?? all.length), pageLimit);
    const page = all.slice(0, n);
    const more = all.length > n ? { link: `</acr/v1/_catalog?last=${encodeURIComponent(page.at(-1) ?? '')}&n=${n}>; rel="next"` } : {};
    json(response, 200, { repositories: page }, more);
  }

  async function acrApi(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    if (path === '/acr/v1/_catalog') return catalog(request, response);
    const route = /^\/acr\/v1\/(.+?)\/(_manifests|_tags)(?:\/([^/]+))?$/.exec(path);
    if (!route) return acrError(response, 404, 'NOT_FOUND', `no route ${path}`);
    const [, encoded, kind, encodedReference] = route as unknown as [string, string, string, string | undefined];
    // The SDK sends `team%2Fapp` and `sha256%3A…`; ACR takes either form.
    const repository = decodeURIComponent(encoded);
    const reference = encodedReference === undefined ? undefined : decodeURIComponent(encodedReference);
    const method = request.method ?? 'GET';
    const action = method === 'DELETE' ? 'delete' : method === 'PATCH' ? 'metadata_write' : 'metadata_read';
    if (!authorize(request, response, repository, action)) return;
    const { manifests, tags, exists } = await manifestsOf(repository);
    if (!exists) return acrError(response, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    const base = { registry: host, imageName: repository };
    if (kind === '_manifests' && reference === undefined) {
      const order = new URL(request.url ?? '/', `https://${host}`).searchParams.get('orderby');
      const params = new URL(request.url ?? '/', `https://${host}`).searchParams;
      const sorted = [...manifests].sort((a, b) => (a.lastUpdateTime.localeCompare(b.lastUpdateTime) || a.digest.localeCompare(b.digest)) * (order === 'timedesc' ? -1 : 1));
      const after = params.get('last');
      const rest = after ? sorted.slice(sorted.findIndex((item) => item.digest === after) + 1) : sorted;
      const n = Math.min(Number(params.get('n') ?? rest.length), pageLimit);
      const page = rest.slice(0, n);
      const more = rest.length > n ? { link: `</acr/v1/${repository}/_manifests?last=${page.at(-1)!.digest}&n=${n}&orderby=${order ?? ''}>; rel="next"` } : {};
      return json(response, 200, { ...base, manifests: page }, more);
    }
    if (kind === '_manifests') {
      const manifest = manifests.find((item) => item.digest === reference);
      if (!manifest) return acrError(response, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      if (method === 'PATCH') {
        setAttributes(`${repository}@${manifest.digest}`, JSON.parse(await readRequestBody(request)) as Partial<Attributes>);
        manifest.changeableAttributes = attributesOf(`${repository}@${manifest.digest}`);
      }
      return json(response, 200, { ...base, manifest });
    }
    const time = new Date().toISOString();
    if (reference === undefined) {
      const digest = new URL(request.url ?? '/', `https://${host}`).searchParams.get('digest');
      const list = [...tags].filter(([, tagged]) => digest === null || tagged === digest).map(([tag, tagged]) => tagJson(repository, tag, tagged, time));
      return json(response, 200, { ...base, tags: list });
    }
    const digest = tags.get(reference);
    if (digest === undefined) return acrError(response, 404, 'TAG_UNKNOWN', 'the specified tag does not exist');
    if (method === 'DELETE') {
      if (!attributesOf(`${repository}:${reference}`).deleteEnabled) return acrError(response, 405, 'DENIED', 'The operation is disallowed on this registry, repository or image.');
      await removeStoredTag(registry.storageDir, repository, reference);
      response.writeHead(202);
      return void response.end();
    }
    if (method === 'PATCH') setAttributes(`${repository}:${reference}`, JSON.parse(await readRequestBody(request)) as Partial<Attributes>);
    return json(response, 200, { ...base, tag: tagJson(repository, reference, digest, time) });
  }

  /** `/v2/…` to the registry: bearer tokens pass through, Basic credentials become one. */
  function proxy(request: IncomingMessage, response: ServerResponse, path: string): void {
    const name = /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//.exec(path)?.[1];
    const reference = /\/manifests\/([^/]+)$/.exec(path)?.[1];
    if (request.method === 'DELETE' && name && reference && !attributesOf(`${name}@${reference}`).deleteEnabled) {
      request.resume();
      return acrError(response, 405, 'DENIED', 'The operation is disallowed on this registry, repository or image.');
    }
    const headers = { ...request.headers, 'x-forwarded-proto': 'https' };
    const authorization = request.headers.authorization ?? '';
    if (authorization.startsWith('Basic ')) {
      const principal = basicPrincipal(authorization);
      if (!principal) {
        request.resume();
        return acrError(response, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': `Bearer realm="https://${host}/oauth2/token",service="${host}"` });
      }
      const actions = request.method === 'DELETE' ? 'delete' : ['GET', 'HEAD'].includes(request.method ?? 'GET') ? 'pull' : 'pull,push';
      headers.authorization = `Bearer ${accessToken(principal, name ? [`repository:${name}:${actions}`] : [])}`;
    }
    const forward = httpRequest({ hostname: '127.0.0.1', port: registry.port, method: request.method, path: request.url, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    forward.on('error', (error) => response.destroy(error));
    request.pipe(forward);
  }

  function setAttributes(reference: string, change: Partial<Attributes>): void {
    const current = attributesOf(reference);
    const pick = (key: keyof Attributes) => (typeof change[key] === 'boolean' ? change[key] : current[key]);
    attributes.set(reference, { deleteEnabled: pick('deleteEnabled'), writeEnabled: pick('writeEnabled'), readEnabled: pick('readEnabled'), listEnabled: pick('listEnabled') });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.url?.startsWith('/v2/')) request.url = request.url.replace(/%2F/gi, '/').replace(/%3A/gi, ':');
    const path = new URL(request.url ?? '/', `https://${host}`).pathname;
    if (path === '/oauth2/exchange' && request.method === 'POST') return oauthExchange(request, response);
    if (path === '/oauth2/token') return oauthToken(request, response);
    if (path.startsWith('/acr/v1/')) return acrApi(request, response, path);
    if (path.startsWith('/v2/') || path === '/v2') return proxy(request, response, path);
    acrError(response, 404, 'NOT_FOUND', `no route ${path}`);
  }

  const server = createServer({ cert: await readFile(options.tls.certificatePath), key: await readFile(options.tls.keyPath) }, (request, response) => {
    handle(request, response).catch((error: unknown) => acrError(response, 500, 'INTERNAL', String(error)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(443, options.address, resolve);
  });
  return {
    host,
    registry,
    authLog,
    addUser: (username, password, grant) => void users.set(username, { password, grant }),
    grantPrincipal: (principal, grant) => void principals.set(principal, grant),
    setPageLimit(count) {
      pageLimit = count;
    },
    setRefreshTokenLifetime(seconds) {
      refreshLifetimeSeconds = seconds;
    },
    setAttributes(reference, change) {
      setAttributes(reference, change);
    },
    adminToken: (repository) => issuer.signToken({ access: [{ type: 'repository', name: repository, actions: ['pull', 'push', 'delete'] }] }),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await registry.stop();
      await issuer.stop();
    },
  };
}

export const everything: Grant = () => ACR_ACTIONS;
export const randomName = (prefix: string) => `${prefix}${randomBytes(6).toString('hex')}`;
