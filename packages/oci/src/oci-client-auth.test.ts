import { basicCredentials, type RegistryCredentials, RegistryKitError } from '@registrykit/core';
import { skopeoInspect, startFaultProxy, startRegistry, startTokenIssuer, type TokenAccess } from '@registrykit/testing';
import { describe, expect, it } from 'vitest';
import { createOciClient } from './oci-client.js';
import { failureOf } from './test-support/outcomes.js';
import { pushSmallImage, smallImage } from './test-support/small-image.js';

const PASSWORD = 'hunter2-correct-horse';
const WRONG = 'wrong-battery-staple';

function expectNoSecret(error: RegistryKitError, ...secrets: string[]): void {
  const everything = `${error.message} ${JSON.stringify(error.details)} ${String(error.stack)}`;
  for (const secret of secrets) expect(everything).not.toContain(secret);
}

describe('htpasswd (Basic)', () => {
  it('pushes and reads with the right password, and refuses a wrong one or none without leaking it', async () => {
    await using registry = await startRegistry({ auth: { type: 'htpasswd', users: { alice: PASSWORD } } });
    const client = createOciClient();
    try {
      const alice = basicCredentials('alice', PASSWORD);
      const target = { registry: registry.host, repository: 'team/app', tag: 'v1' };
      const image = await pushSmallImage(client, target, alice);
      expect(await client.getManifestDigest(target, { credentials: alice })).toBe(image.digest);
      expect((await skopeoInspect(`${registry.host}/team/app:v1`, { credentials: { username: 'alice', password: PASSWORD } })).Digest).toBe(image.digest);
      await expect(client.checkCredentials(registry.host, { credentials: alice })).resolves.toBeUndefined();

      const wrong = await failureOf(client.getManifestDigest(target, { credentials: basicCredentials('alice', WRONG) }));
      expect(wrong.code).toBe('AUTHENTICATION_FAILED');
      expect(wrong.message).toMatch(/username "alice" with a password/);
      expectNoSecret(wrong, WRONG, PASSWORD);
      expect((await failureOf(client.checkCredentials(registry.host, { credentials: basicCredentials('alice', WRONG) }))).code).toBe('AUTHENTICATION_FAILED');

      const none = await failureOf(client.listTags({ registry: registry.host, repository: 'team/app' }, { credentials: undefined }));
      expect(none.code).toBe('AUTHENTICATION_FAILED');
      expect(none.message).toContain(`docker login ${registry.host}`);
    } finally {
      client.close();
    }
  });
});

describe('token auth', () => {
  const pullOnly = (user: string | undefined, requested: TokenAccess) =>
    user === 'reader' ? requested.actions.filter((action) => action === 'pull') : user === undefined ? [] : requested.actions;

  it('gets a token with Basic, caches it per scope, and pushes what skopeo then reads', async () => {
    await using issuer = await startTokenIssuer({ users: { alice: PASSWORD } });
    await using registry = await startRegistry({ auth: issuer.registryAuth });
    const client = createOciClient();
    try {
      const alice = basicCredentials('alice', PASSWORD);
      const target = { registry: registry.host, repository: 'team/app', tag: 'v1' };
      const image = await pushSmallImage(client, target, alice, smallImage(3));
      const pushTokens = issuer.requests.filter((request) => request.scopes.includes('repository:team/app:pull,push'));
      // One token for the whole push: blob HEADs, uploads and the manifest share the scope.
      expect(pushTokens).toHaveLength(1);
      expect(pushTokens[0]).toMatchObject({ method: 'GET', grant: 'basic', user: 'alice', service: issuer.service, status: 200 });

      expect(await client.getManifestDigest(target, { credentials: alice })).toBe(image.digest);
      expect(await client.getManifestDigest(target, { credentials: alice })).toBe(image.digest);
      expect(issuer.requests.filter((request) => request.scopes.includes('repository:team/app:pull'))).toHaveLength(1);
      expect(await client.listTags({ registry: registry.host, repository: 'team/app' }, { credentials: alice })).toEqual(['v1']);
      expect((await skopeoInspect(`${registry.host}/team/app:v1`, { credentials: { username: 'alice', password: PASSWORD } })).Digest).toBe(image.digest);
    } finally {
      client.close();
    }
  });

  it('accepts a token service that answers access_token only, and uses the OAuth2 password grant when asked', async () => {
    await using issuer = await startTokenIssuer({ users: { alice: PASSWORD }, tokenField: 'access_token' });
    await using registry = await startRegistry({ auth: issuer.registryAuth });
    const client = createOciClient({ tokenGrant: 'oauth2' });
    try {
      const alice = basicCredentials('alice', PASSWORD);
      const image = await pushSmallImage(client, { registry: registry.host, repository: 'team/app', tag: 'v1' }, alice);
      expect(await client.getManifestDigest({ registry: registry.host, repository: 'team/app', tag: 'v1' }, { credentials: alice })).toBe(image.digest);
      expect(issuer.requests.every((request) => request.method === 'POST' && request.grant === 'password')).toBe(true);
    } finally {
      client.close();
    }
  });

  it('exchanges an identity token with the refresh_token grant', async () => {
    await using issuer = await startTokenIssuer({ users: { alice: PASSWORD } });
    await using registry = await startRegistry({ auth: issuer.registryAuth });
    // What `docker login` stores as an identity token: a refresh token from the password grant.
    const login = await fetch(issuer.realm, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: PASSWORD, service: issuer.service, client_id: 'test' }),
    });
    const { refresh_token: refreshToken } = (await login.json()) as { refresh_token: string };
    const client = createOciClient();
    try {
      const identity: RegistryCredentials = { type: 'identity-token', token: refreshToken };
      const image = await pushSmallImage(client, { registry: registry.host, repository: 'team/app', tag: 'v1' }, identity);
      expect(await client.getManifestDigest({ registry: registry.host, repository: 'team/app', tag: 'v1' }, { credentials: identity })).toBe(image.digest);
      expect(issuer.requests.filter((request) => request.grant === 'refresh_token' && request.status === 200).length).toBeGreaterThan(0);

      const revoked = await failureOf(client.checkCredentials(registry.host, { credentials: { type: 'identity-token', token: 'not-a-refresh-token-at-all' } }));
      expect(revoked.code).toBe('AUTHENTICATION_FAILED');
      expect(revoked.message).toMatch(/refused an identity token/);
      expectNoSecret(revoked, 'not-a-refresh-token-at-all', refreshToken);
    } finally {
      client.close();
    }
  });

  it('refuses wrong credentials with AUTHENTICATION_FAILED and a missing permission with PERMISSION_DENIED', async () => {
    await using issuer = await startTokenIssuer({ users: { alice: PASSWORD, reader: PASSWORD }, grant: pullOnly });
    await using registry = await startRegistry({ auth: issuer.registryAuth });
    const client = createOciClient();
    try {
      const target = { registry: registry.host, repository: 'team/app', tag: 'v1' };
      const image = await pushSmallImage(client, target, basicCredentials('alice', PASSWORD));

      const wrong = await failureOf(client.getManifestDigest(target, { credentials: basicCredentials('alice', WRONG) }));
      expect(wrong.code).toBe('AUTHENTICATION_FAILED');
      expectNoSecret(wrong, WRONG, PASSWORD);
      expect((await failureOf(client.checkCredentials(registry.host, { credentials: basicCredentials('alice', WRONG) }))).code).toBe('AUTHENTICATION_FAILED');

      const reader = basicCredentials('reader', PASSWORD);
      expect(await client.getManifestDigest(target, { credentials: reader })).toBe(image.digest);
      const denied = await failureOf(pushSmallImage(client, { ...target, tag: 'v2' }, reader));
      expect(denied.code).toBe('PERMISSION_DENIED');
      expectNoSecret(denied, PASSWORD);

      const anonymous = await failureOf(client.getManifestDigest(target, { credentials: undefined }));
      expect(anonymous.code).toBe('AUTHENTICATION_FAILED');
      expect(anonymous.message).toMatch(/No credentials were given/);
    } finally {
      client.close();
    }
  });

  it('fetches a new token once when the registry refuses the cached one', async () => {
    await using issuer = await startTokenIssuer({ users: { alice: PASSWORD } });
    await using registry = await startRegistry({ auth: issuer.registryAuth });
    // Distribution accepts tokens up to 60 s past their expiry, so the proxy plays the registry refusing one.
    await using proxy = await startFaultProxy({ target: registry.url });
    const client = createOciClient();
    try {
      const alice = basicCredentials('alice', PASSWORD);
      const target = { registry: proxy.host, repository: 'team/app', tag: 'v1' };
      const image = await pushSmallImage(client, target, alice);
      expect(await client.getManifestDigest(target, { credentials: alice })).toBe(image.digest);
      const before = issuer.requests.length;
      const challenge = `Bearer realm="${issuer.realm}",service="${issuer.service}",scope="repository:team/app:pull",error="invalid_token"`;
      proxy.addFault({ method: 'HEAD', path: /manifests/, action: { type: 'respond', status: 401, headers: { 'www-authenticate': challenge } } });
      expect(await client.getManifestDigest(target, { credentials: alice })).toBe(image.digest);
      expect(issuer.requests.length).toBe(before + 1);
      expect(proxy.requests.filter((request) => request.method === 'HEAD' && request.path.includes('/manifests/')).map((request) => request.status)).toEqual([200, 401, 200]);

      // Refused twice in a row is final: one refresh, then AUTHENTICATION_FAILED.
      proxy.addFault({ method: 'HEAD', path: /manifests/, times: 2, action: { type: 'respond', status: 401, headers: { 'www-authenticate': challenge } } });
      expect((await failureOf(client.getManifestDigest(target, { credentials: alice }))).code).toBe('AUTHENTICATION_FAILED');
      expect(issuer.requests.length).toBe(before + 2);
    } finally {
      client.close();
    }
  });

  it('asks for the scope an insufficient_scope challenge names, first, and retries once', async () => {
    await using issuer = await startTokenIssuer({ users: { alice: PASSWORD } });
    await using registry = await startRegistry({ auth: issuer.registryAuth });
    await using proxy = await startFaultProxy({ target: registry.url });
    const client = createOciClient();
    try {
      const alice = basicCredentials('alice', PASSWORD);
      const target = { registry: proxy.host, repository: 'team/app', tag: 'v1' };
      const image = await pushSmallImage(client, target, alice);
      const challenge = `Bearer realm="${issuer.realm}",service="${issuer.service}",scope="repository:team/audit:pull",error="insufficient_scope"`;
      proxy.addFault({ method: 'GET', path: /tags\/list/, action: { type: 'respond', status: 401, headers: { 'www-authenticate': challenge } } });
      expect(await client.listTags({ registry: proxy.host, repository: 'team/app' }, { credentials: alice })).toEqual(['v1']);
      expect(issuer.requests.at(-1)?.scopes).toEqual(['repository:team/audit:pull', 'repository:team/app:pull']);
      expect(await client.getManifestDigest(target, { credentials: alice })).toBe(image.digest);
    } finally {
      client.close();
    }
  });

  it('keeps the token out of the error and its causes when the token service answers broken JSON', async () => {
    await using issuer = await startTokenIssuer({ users: { alice: PASSWORD } });
    const token = 'opaque-7c1e9d2b44-token';
    // A hand-written token service quoting with ' (a Python dict printed as is).
    await using tokens = await startFaultProxy({
      target: new URL(issuer.realm).origin,
      faults: [{ path: /^\/token/, times: Infinity, action: { type: 'respond', status: 200, headers: { 'content-type': 'application/json' }, body: `{"expires_in": 300, "token": '${token}'}` } }],
    });
    await using registry = await startRegistry({ auth: { ...issuer.registryAuth, realm: `${tokens.url}/token` } });
    const client = createOciClient();
    try {
      const failure = await failureOf(client.checkCredentials(registry.host, { credentials: basicCredentials('alice', PASSWORD) }));
      expect(failure.code).toBe('REGISTRY_ERROR');
      expect(failure.message).toMatch(/not JSON/);
      for (let current: unknown = failure; current instanceof Error; current = current.cause) {
        expect(`${current.message}\n${current.stack}`).not.toContain(token.slice(0, 8));
      }
    } finally {
      client.close();
    }
  });

  it('retries a token service that fails for a moment', async () => {
    await using issuer = await startTokenIssuer({ users: { alice: PASSWORD } });
    await using registry = await startRegistry({ auth: issuer.registryAuth });
    const client = createOciClient({ retry: { initialDelayMs: 10 } });
    try {
      issuer.failNext(2, 503);
      await expect(client.checkCredentials(registry.host, { credentials: basicCredentials('alice', PASSWORD) })).resolves.toBeUndefined();
      expect(issuer.requests.map((request) => request.status)).toEqual([503, 503, 200]);
    } finally {
      client.close();
    }
  });

  it('uses a bearer token given by the caller as it is', async () => {
    await using issuer = await startTokenIssuer({ users: { alice: PASSWORD } });
    await using registry = await startRegistry({ auth: issuer.registryAuth });
    const client = createOciClient();
    try {
      const target = { registry: registry.host, repository: 'team/app', tag: 'v1' };
      const image = await pushSmallImage(client, target, basicCredentials('alice', PASSWORD));
      const before = issuer.requests.length;
      const token = issuer.signToken({ user: 'alice', access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }] });
      expect(await client.getManifestDigest(target, { credentials: { type: 'bearer', token } })).toBe(image.digest);
      expect(issuer.requests.length).toBe(before);
    } finally {
      client.close();
    }
  });
});
