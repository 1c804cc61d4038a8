import { type BasicCredentials, createContainerRegistry, createServiceConnector, RegistryKitError } from '@registrykit/core';
import { testCertificateAuthority } from '@registrykit/test-harness';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gcpConnectorType } from './gcp-connector.js';
import { gcpFlavor } from './gcp-flavor.js';
import { type GoogleTokenServer, startGoogleTokenServer } from './test-support/google-token-server.js';

let google: GoogleTokenServer;

beforeAll(async () => {
  google = await startGoogleTokenServer({ ca: await testCertificateAuthority(), hostname: `oauth2-connector-${Date.now()}.rk-test.example` });
});

afterAll(async () => {
  await google?.stop();
});

const connect = (authMethod: string, config: object) => createServiceConnector({ type: gcpConnectorType, authMethod, config, env: {} });

describe('the gcp connector', () => {
  it('mints oauth2accesstoken credentials from a service-account key, for Google registry hosts only', async () => {
    const key = google.createServiceAccountKey('connector@rk-test-project.iam.gserviceaccount.com');
    const connector = connect('service-account', { serviceAccountJson: JSON.stringify(key) });
    expect(connector).toMatchObject({ type: 'gcp', authMethod: 'service-account' });
    expect(connector.registryHost).toBeUndefined();
    const credentials = await connector.getRegistryCredentials('europe-west4-docker.pkg.dev');
    expect(credentials).toMatchObject({ type: 'basic', username: 'oauth2accesstoken' });
    expect(google.isValid((credentials as { password: string }).password)).toBe(true);
    expect(credentials.expiresAt).toBeInstanceOf(Date);
    await expect(connector.getRegistryCredentials('ghcr.io')).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/ghcr\.io does not accept: use it with gcr\.io hosts or <location>-docker\.pkg\.dev/),
    });
    expect(await connector.verify()).toEqual({ resources: ['Google OAuth 2.0 access token'] });
  });

  it('gives a component tokens it keeps until five minutes before their hour is up, then a fresh one', async () => {
    const key = google.createServiceAccountKey('cached@rk-test-project.iam.gserviceaccount.com');
    const connector = connect('service-account', { serviceAccountJson: JSON.stringify(key) });
    const registry = createContainerRegistry({ flavor: gcpFlavor, config: { uri: 'gcr.io/rk-test-project' }, connector, dockerCredentials: false, env: {} });
    const first = (await registry.credentials()) as BasicCredentials;
    expect((await registry.credentials()) as BasicCredentials).toBe(first);
    try {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(first.expiresAt!.getTime() - 10 * 60_000);
      expect(((await registry.credentials()) as BasicCredentials).password).toBe(first.password);
      vi.setSystemTime(first.expiresAt!.getTime() - 4 * 60_000);
      const second = (await registry.credentials()) as BasicCredentials;
      expect(second.password).not.toBe(first.password);
      expect(second.expiresAt!.getTime()).toBeGreaterThan(first.expiresAt!.getTime());
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a key that is not a service-account key, without echoing it', () => {
    const secret = '-----BEGIN PRIVATE KEY-----secret-material';
    for (const [value, message] of [
      [`{"type": "service_account", "private_key": "${secret}"`, /serviceAccountJson: is not JSON: paste the whole key file/],
      [JSON.stringify({ type: 'authorized_user', refresh_token: secret }), /is a "authorized_user" credentials file, not a service-account key; use the implicit auth method/],
      [JSON.stringify({ type: 'service_account', private_key: secret }), /lacks client_email: download the key again/],
    ] as const) {
      const error = (() => {
        try {
          connect('service-account', { serviceAccountJson: value });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(RegistryKitError.hasCode(error, 'INVALID_CONFIG')).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect(`${(error as Error).message}${JSON.stringify((error as RegistryKitError).details)}`).not.toContain('secret-material');
    }
  });

  it('uses a given access token until it expires, then says how to get a fresh one', async () => {
    const valid = connect('oauth2-token', { token: 'ya29.given', expiresAt: new Date(Date.now() + 600_000).toISOString() });
    expect(await valid.getRegistryCredentials('gcr.io')).toMatchObject({ username: 'oauth2accesstoken', password: 'ya29.given' });
    const expired = connect('oauth2-token', { token: 'ya29.stale', expiresAt: '2020-01-01T00:00:00Z' });
    const error = await expired.getRegistryCredentials('gcr.io').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expect((error as Error).message).toMatch(/expired at 2020-01-01T00:00:00\.000Z: give it a fresh one \(`gcloud auth print-access-token`\)/);
    expect((error as Error).message).not.toContain('ya29.stale');
    expect(() => connect('oauth2-token', { token: 't', expiresAt: 'tomorrow' })).toThrow(/expiresAt: "tomorrow" is not an ISO 8601 date/);
  });

  it('names its auth methods when given an unknown one', () => {
    expect(() => connect('password', {})).toThrow(/no auth method "password"; use one of: service-account, implicit, oauth2-token/);
  });
});
