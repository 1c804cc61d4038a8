import { describeCredentials, isLoopbackHost, type RegistryCredentials, RegistryKitError } from '@registrykit/core';
import type { HttpResponse, HttpTransport } from './http-transport.js';
import { describeEntries, parseErrorEntries, redact, responseFailure, transportFailure } from './registry-errors.js';
import { type RetryPolicy, sendWithRetries } from './retry.js';

/** How basic credentials get a token: the spec's GET with Basic (every registry), or the OAuth2 password grant first. */
export type TokenGrant = 'get' | 'oauth2';

export interface TokenRequest {
  readonly realm: string;
  readonly service: string | undefined;
  readonly scopes: readonly string[];
  readonly credentials: RegistryCredentials | undefined;
  /** The registry this token is for, for messages and the realm checks. */
  readonly registry: string;
  readonly registryEndpoint: URL;
  readonly grant: TokenGrant;
  readonly signal?: AbortSignal | undefined;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresInSeconds: number | undefined;
  readonly issuedAt: Date | undefined;
}

const TOKEN_BODY_LIMIT = 1024 * 1024;
// Docker's client id in OAuth2 requests is informational; registries log it.
const CLIENT_ID = 'registrykit';

/**
 * Gets a bearer token from the realm a registry's challenge names: OAuth2 POST with the
 * refresh-token grant for identity tokens (falling back to GET on 404/405, as ggcr does), GET
 * with Basic for a username and password (or the password grant first when `grant` is
 * `oauth2`), and an anonymous GET without credentials.
 */
export async function requestToken(transport: HttpTransport, policy: RetryPolicy, request: TokenRequest): Promise<IssuedToken> {
  const realm = checkRealm(request);
  const { credentials } = request;
  const context = { action: `getting a token for ${request.registry} from ${realm.host}`, registry: request.registry, credentials, signal: request.signal };
  let response: HttpResponse;
  try {
    if (credentials?.type === 'identity-token') {
      response = await post(transport, policy, realm, request, { grant_type: 'refresh_token', refresh_token: credentials.token });
      if (response.status === 404 || response.status === 405) {
        await response.discard();
        response = await get(transport, policy, realm, request, basicHeader('<token>', credentials.token));
      }
    } else if (credentials?.type === 'basic' && request.grant === 'oauth2') {
      response = await post(transport, policy, realm, request, { grant_type: 'password', username: credentials.username, password: credentials.password });
      if (response.status === 404 || response.status === 405) {
        await response.discard();
        response = await get(transport, policy, realm, request, basicHeader(credentials.username, credentials.password));
      }
    } else {
      response = await get(transport, policy, realm, request, credentials?.type === 'basic' ? basicHeader(credentials.username, credentials.password) : undefined);
    }
  } catch (error) {
    throw transportFailure(error, context);
  }
  if (response.status !== 200) {
    // A token service says 400 or 403 for bad credentials as often as 401.
    if (credentials && [400, 401, 403].includes(response.status)) {
      const said = await response.buffer(64 * 1024).then((text) => describeEntries(parseErrorEntries(text.toString('utf8'))), () => '');
      throw new RegistryKitError(
        'AUTHENTICATION_FAILED',
        `The token service at ${realm.host} refused ${describeCredentials(credentials)} for ${request.registry} (${response.status}${redact(said, credentials)}). Check the credentials, or refresh them if they are short-lived.`,
        { details: { registry: request.registry, status: response.status } },
      );
    }
    throw await responseFailure(response, context);
  }
  const body = await response.buffer(TOKEN_BODY_LIMIT);
  let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    // Not kept as the cause: the parse error quotes the text around the fault, which may be the token.
    throw new RegistryKitError('REGISTRY_ERROR', `The token service at ${realm.host} answered with something that is not JSON while ${context.action}.`, {
      details: { registry: request.registry },
    });
  }
  const token = typeof parsed.token === 'string' && parsed.token.length > 0 ? parsed.token : parsed.access_token;
  if (typeof token !== 'string' || token.length === 0) {
    throw new RegistryKitError('REGISTRY_ERROR', `The token service at ${realm.host} answered without a "token" or "access_token" while ${context.action}.`, {
      details: { registry: request.registry },
    });
  }
  return {
    token,
    expiresInSeconds: typeof parsed.expires_in === 'number' ? parsed.expires_in : undefined,
    issuedAt: typeof parsed.issued_at === 'string' ? new Date(parsed.issued_at) : undefined,
  };
}

function get(transport: HttpTransport, policy: RetryPolicy, realm: URL, request: TokenRequest, authorization: string | undefined): Promise<HttpResponse> {
  const url = new URL(realm);
  if (request.service !== undefined) url.searchParams.set('service', request.service);
  for (const scope of request.scopes) url.searchParams.append('scope', scope);
  if (request.credentials?.type === 'basic') url.searchParams.set('account', request.credentials.username);
  // The Authorization goes to the realm's host only: a redirect elsewhere drops it.
  return sendWithRetries(policy, () => transport.request({ method: 'GET', url, signal: request.signal, authorizationFor: (target) => (target.origin === realm.origin ? authorization : undefined) }), {
    replayable: true,
    signal: request.signal,
  });
}

function post(transport: HttpTransport, policy: RetryPolicy, realm: URL, request: TokenRequest, grant: Record<string, string>): Promise<HttpResponse> {
  const form = new URLSearchParams({ ...grant, client_id: CLIENT_ID });
  if (request.service !== undefined) form.set('service', request.service);
  if (request.scopes.length > 0) form.set('scope', request.scopes.join(' '));
  const body = Buffer.from(form.toString());
  return sendWithRetries(
    policy,
    () => transport.request({ method: 'POST', url: realm, body, signal: request.signal, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    { replayable: true, signal: request.signal },
  );
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

const LINK_LOCAL = /^(?:169\.254\.\d{1,3}\.\d{1,3}|\[fe80:[0-9a-f:]*\]|metadata\.google\.internal|metadata)$/i;

/**
 * The realm comes from the registry's answer, so it is checked before credentials go there:
 * http(s) only; no link-local or cloud-metadata host (SSRF, as ggcr refuses); and no secret
 * over plain HTTP to a remote host unless the registry itself is plain HTTP.
 */
function checkRealm(request: TokenRequest): URL {
  let realm: URL;
  try {
    realm = new URL(request.realm);
  } catch (error) {
    throw new RegistryKitError('REGISTRY_ERROR', `${request.registry} named a token realm that is not a URL.`, { cause: error, details: { registry: request.registry } });
  }
  const where = `${realm.protocol}//${realm.host}${realm.pathname}`;
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
    throw new RegistryKitError('REGISTRY_ERROR', `${request.registry} named a token realm with an unsupported scheme: ${redact(where, request.credentials)}.`, {
      details: { registry: request.registry },
    });
  }
  if (realm.host !== request.registryEndpoint.host && LINK_LOCAL.test(realm.hostname)) {
    throw new RegistryKitError('REGISTRY_ERROR', `${request.registry} named a token realm on a link-local or metadata address (${realm.host}); refusing to send credentials there.`, {
      details: { registry: request.registry },
    });
  }
  const plainAllowed = isLoopbackHost(realm.host) || request.registryEndpoint.protocol === 'http:';
  if (realm.protocol === 'http:' && request.credentials && !plainAllowed) {
    throw new RegistryKitError(
      'REGISTRY_ERROR',
      `${request.registry} is served over HTTPS but named a plain-HTTP token realm (${where}); refusing to send credentials in the clear.`,
      { details: { registry: request.registry } },
    );
  }
  return realm;
}
