import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type CertificateFiles, createSelfSignedCertificate } from './certificates.js';
import { readRequestBody } from './front-server.js';

/** One `type:name:actions` grant, as in the `access` claim. */
export interface TokenAccess {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** What the issuer saw of one token request (never the password). */
export interface TokenRequestRecord {
  readonly method: 'GET' | 'POST';
  /** `basic` (GET with Basic), `password` or `refresh_token` (OAuth2 POST), or `anonymous`. */
  readonly grant: 'basic' | 'password' | 'refresh_token' | 'anonymous';
  readonly user: string | undefined;
  readonly service: string | undefined;
  readonly scopes: readonly string[];
  /** The status the issuer answered. */
  readonly status: number;
}

export interface StartTokenIssuerOptions {
  /** The registry's `service` name; tokens are issued for it only. Default `registrykit-test-registry`. */
  readonly service?: string;
  readonly issuer?: string;
  /** Users and passwords accepted with Basic (GET) and the OAuth2 password grant. */
  readonly users?: Readonly<Record<string, string>>;
  /**
   * Decides about credentials `users` does not hold, e.g. short-lived cloud access tokens minted
   * by another test server (`oauth2accesstoken` + a Google token, any user + a GitHub token).
   */
  readonly authenticate?: (user: string, password: string) => boolean | Promise<boolean>;
  /** Which of the requested actions a user (undefined: anonymous) gets. Default: users everything, anonymous nothing. */
  readonly grant?: (user: string | undefined, requested: TokenAccess) => readonly string[];
  /** Token lifetime. Default 300 s. */
  readonly expiresInSeconds?: number;
  /** Which field carries the token: Docker's `token`, OAuth2's `access_token`, or both (default). */
  readonly tokenField?: 'token' | 'access_token' | 'both';
  /** Serve over HTTPS. */
  readonly tls?: CertificateFiles;
  readonly address?: string;
}

export interface TokenIssuerFixture {
  /** The token endpoint, the registry's `realm`. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The certificate whose key signs tokens: the registry's `rootcertbundle`. */
  readonly rootCertBundle: string;
  /** Every request so far, oldest first. */
  readonly requests: readonly TokenRequestRecord[];
  /** The auth settings for `startRegistry({ auth })`. */
  readonly registryAuth: { type: 'token'; realm: string; service: string; issuer: string; rootCertBundle: string };
  /** Makes the next `count` requests fail with `status` (e.g. 503), to test retries. */
  failNext(count: number, status: number): void;
  /** Signs a token by hand, e.g. an expired one. */
  signToken(options: { user?: string; access: readonly TokenAccess[]; expiresInSeconds?: number }): string;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A Docker/OCI token server, as Docker Hub or GHCR run: it answers `GET realm?service&scope` with
 * Basic credentials and the OAuth2 `POST` (password and refresh_token grants), and signs ES256
 * JWTs that a Distribution registry configured with `registryAuth` verifies.
 */
export async function startTokenIssuer(options: StartTokenIssuerOptions = {}): Promise<TokenIssuerFixture> {
  const service = options.service ?? 'registrykit-test-registry';
  const issuer = options.issuer ?? 'registrykit-test-issuer';
  const users = options.users ?? {};
  const grant = options.grant ?? ((user: string | undefined, requested: TokenAccess) => (user === undefined ? [] : requested.actions));
  const signing = await createSelfSignedCertificate('registrykit test token signer');
  const key = createPrivateKey(await readFile(signing.keyPath, 'utf8'));
  const certificateDer = new X509Certificate(await readFile(signing.certificatePath, 'utf8')).raw.toString('base64');
  const refreshTokens = new Map<string, string>();
  const accepts = async (user: string, password: string | null | undefined): Promise<boolean> => {
    if (password === null || password === undefined) return false;
    if (users[user] !== undefined && users[user] === password) return true;
    return (await options.authenticate?.(user, password)) === true;
  };
  const requests: TokenRequestRecord[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 0 };

  function signToken({ user, access, expiresInSeconds }: { user?: string; access: readonly TokenAccess[]; expiresInSeconds?: number }): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', x5c: [certificateDer] };
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + (expiresInSeconds ?? options.expiresInSeconds ?? 300),
      nbf: now - 5,
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access,
    };
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const payload = `${encode(header)}.${encode(claims)}`;
    const signature = sign('sha256', Buffer.from(payload), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return `${payload}.${signature}`;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://issuer');
    const method = request.method === 'POST' ? 'POST' : 'GET';
    const form = method === 'POST' ? new URLSearchParams(await readRequestBody(request)) : url.searchParams;
    const scopes = form.getAll('scope').flatMap((scope) => scope.split(' ')).filter((scope) => scope.length > 0);
    let user: string | undefined;
    let kind: TokenRequestRecord['grant'] = 'anonymous';
    const answer = (status: number, payload: object) => {
      requests.push({ method, grant: kind, user, service: form.get('service') ?? undefined, scopes, status });
      response.writeHead(status, { 'content-type': 'application/json', ...(status === 401 ? { 'www-authenticate': 'Basic realm="registrykit-test"' } : {}) });
      response.end(JSON.stringify(payload));
    };
    if (failures.count > 0) {
      failures = { count: failures.count - 1, status: failures.status };
      return answer(failures.status, { errors: [{ code: 'UNAVAILABLE', message: 'injected failure' }] });
    }
    if (url.pathname !== '/token') return answer(404, { errors: [{ code: 'NOT_FOUND', message: 'no such endpoint' }] });
    if (method === 'POST') {
      const grantType = form.get('grant_type');
      if (grantType === 'password') {
        kind = 'password';
        user = form.get('username') ?? undefined;
        if (user === undefined || !(await accepts(user, form.get('password')))) return answer(401, { error: 'invalid_grant' });
      } else if (grantType === 'refresh_token') {
        kind = 'refresh_token';
        user = refreshTokens.get(form.get('refresh_token') ?? '');
        if (user === undefined) return answer(401, { error: 'invalid_grant' });
      } else {
        return answer(400, { error: 'unsupported_grant_type' });
      }
    } else {
      const authorization = request.headers.authorization;
      if (authorization?.startsWith('Basic ')) {
        kind = 'basic';
        const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        user = decoded.slice(0, colon);
        if (colon < 0 || !(await accepts(user, decoded.slice(colon + 1)))) {
          return answer(401, { errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] });
        }
      }
    }
    if (form.get('service') !== service) return answer(400, { errors: [{ code: 'DENIED', message: `unknown service ${form.get('service')}` }] });
    const access = scopes.map(parseTokenScope).filter((item): item is TokenAccess => item !== undefined).map((item) => ({ ...item, actions: [...grant(user, item)] }));
    const token = signToken(user === undefined ? { access } : { user, access });
    const expiresIn = options.expiresInSeconds ?? 300;
    const payload: Record<string, unknown> = { expires_in: expiresIn, issued_at: new Date().toISOString() };
    if (options.tokenField !== 'access_token') payload['token'] = token;
    if (options.tokenField !== 'token') payload['access_token'] = token;
    if (user !== undefined && (kind === 'password' || form.get('offline_token') === 'true' || form.get('access_type') === 'offline')) {
      const refresh = randomBytes(24).toString('base64url');
      refreshTokens.set(refresh, user);
      payload['refresh_token'] = refresh;
    }
    return answer(200, payload);
  }

  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: await readFile(options.tls.certificatePath), key: await readFile(options.tls.keyPath) }, listener)
    : createHttpServer(listener);
  const address = options.address ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const realm = `${options.tls ? 'https' : 'http'}://${address}:${port}/token`;
  const stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await signing.remove();
  };
  return {
    realm,
    service,
    issuer,
    rootCertBundle: signing.certificatePath,
    requests,
    registryAuth: { type: 'token', realm, service, issuer, rootCertBundle: signing.certificatePath },
    failNext(count, status) {
      failures = { count, status };
    },
    signToken,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** `repository:team/app:pull,push` → { type, name, actions }; names may contain colons (ports). */
export function parseTokenScope(scope: string): TokenAccess | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter((action) => action.length > 0) };
}
