import { generateKeyPairSync, type KeyObject, randomBytes, verify } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FrontServerFixture, readRequestBody, startFrontServer, type TestCertificateAuthority } from '@registrykit/testing';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** What the token endpoint saw of one request (never the assertion). */
export interface GoogleTokenRequest {
  readonly grantType: string | undefined;
  readonly email: string | undefined;
  readonly scope: string | undefined;
  readonly status: number;
}

export interface GoogleTokenServer {
  /** `https://<hostname>/token`, for a key's `token_uri`. */
  readonly tokenUri: string;
  readonly requests: readonly GoogleTokenRequest[];
  /** A service-account key file's content whose `token_uri` points here; its public key is registered. */
  createServiceAccountKey(email: string, project?: string): Record<string, string>;
  /** True when `token` was issued here and is neither expired nor revoked. */
  isValid(token: string): boolean;
  /** Revokes every token issued so far, as an expiry would. */
  revokeAll(): void;
  /** Refuses further assertions signed by this account's key, as when the key is deleted. */
  disableKey(email: string): void;
  /** Sets the lifetime of the tokens issued next. Default 3599 s, as Google. */
  setTokenLifetime(seconds: number): void;
  stop(): Promise<void>;
}

/**
 * Google's OAuth 2.0 token endpoint, as far as service accounts use it: a POST of the JWT-bearer
 * grant whose assertion (RS256, signed with the account's private key) is verified against the
 * public key of a key this server created; it answers `{access_token, expires_in, token_type}`.
 */
export async function startGoogleTokenServer(options: { readonly ca: TestCertificateAuthority; readonly hostname: string }): Promise<GoogleTokenServer> {
  const publicKeys = new Map<string, KeyObject>();
  const disabled = new Set<string>();
  const tokens = new Map<string, { readonly email: string; readonly expiresAt: number; revoked: boolean }>();
  const requests: GoogleTokenRequest[] = [];
  let lifetime = 3599;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const form = new URLSearchParams(await readRequestBody(request));
    const grantType = form.get('grant_type') ?? undefined;
    let email: string | undefined;
    let scope: string | undefined;
    const answer = (status: number, body: object) => {
      requests.push({ grantType, email, scope, status });
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
      return true;
    };
    if (request.method !== 'POST' || !request.url?.startsWith('/token')) return answer(404, { error: 'not_found' });
    if (grantType !== JWT_BEARER) return answer(400, { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grantType}` });
    const claims = verifiedClaims(form.get('assertion') ?? '', publicKeys);
    if (!claims) return answer(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    email = typeof claims['iss'] === 'string' ? claims['iss'] : undefined;
    scope = typeof claims['scope'] === 'string' ? claims['scope'] : undefined;
    if (email === undefined || disabled.has(email)) return answer(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims['exp'] !== 'number' || claims['exp'] < now - 300) return answer(400, { error: 'invalid_grant', error_description: 'Invalid JWT: Token must be a short-lived token.' });
    if (!scope?.split(' ').includes('https://www.googleapis.com/auth/cloud-platform')) return answer(400, { error: 'invalid_scope', error_description: 'cloud-platform scope required' });
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    tokens.set(token, { email, expiresAt: Date.now() + lifetime * 1000, revoked: false });
    return answer(200, { access_token: token, expires_in: lifetime, token_type: 'Bearer' });
  }

  const front: FrontServerFixture = await startFrontServer({ hostname: options.hostname, ca: options.ca, handle });
  return {
    tokenUri: `${front.url}/token`,
    requests,
    createServiceAccountKey(email, project = 'rk-test-project') {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      publicKeys.set(email, publicKey);
      return {
        type: 'service_account',
        project_id: project,
        private_key_id: randomBytes(20).toString('hex'),
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        client_email: email,
        client_id: String(randomBytes(8).readBigUInt64BE()),
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: `${front.url}/token`,
      };
    },
    isValid(token) {
      const issued = tokens.get(token);
      return issued !== undefined && !issued.revoked && issued.expiresAt > Date.now() && !disabled.has(issued.email);
    },
    revokeAll() {
      for (const issued of tokens.values()) issued.revoked = true;
    },
    disableKey(email) {
      disabled.add(email);
    },
    setTokenLifetime(seconds) {
      lifetime = seconds;
    },
    stop: () => front.stop(),
  };
}

function verifiedClaims(assertion: string, publicKeys: ReadonlyMap<string, KeyObject>): Record<string, unknown> | undefined {
  const [header, payload, signature] = assertion.split('.');
  if (header === undefined || payload === undefined || signature === undefined) return undefined;
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const key = typeof claims['iss'] === 'string' ? publicKeys.get(claims['iss']) : undefined;
  if (!key) return undefined;
  const valid = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
  return valid ? claims : undefined;
}
