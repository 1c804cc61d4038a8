import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TokenCredential } from '@azure/identity';
import { type CertificateFiles, readRequestBody } from '@registrykit/testing';

// A local Entra ID authority for MSAL (what `@azure/identity` runs on): OpenID discovery and the
// v2.0 token endpoint with the client-credentials grant. It remembers the access tokens it
// issues, so the fake ACR accepts exactly those.

export interface EntraToken {
  readonly principal: string;
  readonly tenantId: string;
  readonly audience: string;
  readonly expiresAt: number;
}

export interface FakeEntra {
  /** `https://127.0.0.1:PORT`, the `authorityHost`. */
  readonly authorityHost: string;
  /** `https://ADDRESS:PORT`, where it listens. */
  readonly address: string;
  readonly tenantId: string;
  /** Registers a service principal; answers its client id. */
  addServicePrincipal(clientSecret: string, clientId?: string): string;
  /** What the fake knows of an access token it issued; undefined for any other string. */
  tokenInfo(token: string): EntraToken | undefined;
  /** A TokenCredential of our own, as a test or a user may supply, for a principal. */
  credentialFor(principal: string): TokenCredential & { readonly calls: string[] };
  readonly tokenRequests: readonly { readonly clientId: string; readonly scope: string; readonly status: number }[];
  stop(): Promise<void>;
}

export async function startFakeEntra(options: { readonly tls: CertificateFiles; readonly address?: string; readonly port?: number; readonly authorityHost?: string }): Promise<FakeEntra> {
  const tenantId = randomUUID();
  const clients = new Map<string, string>();
  const tokens = new Map<string, EntraToken>();
  const tokenRequests: { clientId: string; scope: string; status: number }[] = [];
  let base = '';

  function issue(principal: string, scope: string): { token: string; expiresIn: number } {
    const audience = scope.replace(/\/\.default$/, '');
    const expiresIn = 3600;
    const claims = { aud: audience, tid: tenantId, oid: principal, exp: Math.floor(Date.now() / 1000) + expiresIn };
    const token = `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    tokens.set(token, { principal, tenantId, audience, expiresAt: claims.exp * 1000 });
    return { token, expiresIn };
  }

  function json(response: ServerResponse, status: number, body: object): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', base);
    const [, tenant, ...rest] = url.pathname.split('/');
    const path = rest.join('/');
    if (request.method === 'GET' && path === 'v2.0/.well-known/openid-configuration') {
      return json(response, 200, {
        token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
        issuer: `${base}/${tenant}/v2.0`,
      });
    }
    if (request.method === 'POST' && path === 'oauth2/v2.0/token') {
      const form = new URLSearchParams(await readRequestBody(request));
      const clientId = form.get('client_id') ?? '';
      const scope = form.get('scope')?.split(' ').find((item) => item.endsWith('/.default')) ?? '';
      const answer = (status: number, body: object) => {
        tokenRequests.push({ clientId, scope, status });
        json(response, status, body);
      };
      if (tenant !== tenantId) return answer(400, { error: 'invalid_request', error_description: `AADSTS90002: Tenant '${tenant}' not found.` });
      if (form.get('grant_type') !== 'client_credentials') return answer(400, { error: 'unsupported_grant_type' });
      if (clients.get(clientId) === undefined || clients.get(clientId) !== form.get('client_secret')) {
        return answer(401, { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided for app '${clientId}'.`, error_codes: [7000215] });
      }
      const { token, expiresIn } = issue(clientId, scope);
      return answer(200, { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token });
    }
    json(response, 404, { error: 'not_found' });
  }

  const server = createServer({ cert: await readFile(options.tls.certificatePath), key: await readFile(options.tls.keyPath) }, (request, response) => {
    handle(request, response).catch((error: unknown) => json(response, 500, { error: String(error) }));
  });
  const address = options.address ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, address, resolve);
  });
  const listening = `https://${address}:${(server.address() as AddressInfo).port}`;
  base = options.authorityHost ?? listening;
  return {
    authorityHost: base,
    address: listening,
    tenantId,
    tokenRequests,
    addServicePrincipal(clientSecret, clientId = randomUUID()) {
      clients.set(clientId, clientSecret);
      return clientId;
    },
    tokenInfo: (token) => tokens.get(token),
    credentialFor(principal) {
      const calls: string[] = [];
      return {
        calls,
        async getToken(scopes) {
          const scope = Array.isArray(scopes) ? scopes[0]! : (scopes as string);
          calls.push(scope);
          const { token, expiresIn } = issue(principal, scope);
          return { token, expiresOnTimestamp: Date.now() + expiresIn * 1000 };
        },
      };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
