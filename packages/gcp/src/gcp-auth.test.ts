import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { inspect } from 'node:util';
import { join } from 'node:path';
import { RegistryKitError } from '@registrykit/core';
import { testCertificateAuthority } from '@registrykit/test-harness';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGoogleTokenSource, GOOGLE_REGISTRY_USERNAME } from './gcp-auth.js';
import { type GoogleTokenServer, startGoogleTokenServer } from './test-support/google-token-server.js';

let google: GoogleTokenServer;
let workDir: string;

beforeAll(async () => {
  google = await startGoogleTokenServer({ ca: await testCertificateAuthority(), hostname: `oauth2-auth-${Date.now()}.rk-test.example` });
  workDir = await mkdtemp(join(tmpdir(), 'rk-gcp-auth-'));
});

afterAll(async () => {
  await google?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

afterEach(() => {
  vi.useRealTimers();
  google.setTokenLifetime(3599);
});

let accounts = 0;
const newAccount = () => `pusher-${++accounts}@rk-test-project.iam.gserviceaccount.com`;

describe('access tokens from a service-account key', () => {
  it("signs an assertion, posts it to the key's token_uri and answers oauth2accesstoken credentials with the token's expiry", async () => {
    const email = newAccount();
    const source = createGoogleTokenSource({ credentials: google.createServiceAccountKey(email), env: {}, source: 'a test key' });
    const before = Date.now();
    const credentials = await source.registryCredentials();
    expect(credentials).toMatchObject({ type: 'basic', username: GOOGLE_REGISTRY_USERNAME });
    expect(google.isValid(credentials.password)).toBe(true);
    expect(credentials.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 3598_000);
    expect(credentials.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 3599_000);
    expect(google.requests.at(-1)).toMatchObject({ email, scope: 'https://www.googleapis.com/auth/cloud-platform', status: 200 });
  });

  it('reuses a token while it is fresh and fetches a new one within five minutes of its expiry', async () => {
    const email = newAccount();
    const source = createGoogleTokenSource({ credentials: google.createServiceAccountKey(email), env: {}, source: 'a test key' });
    const first = await source.registryCredentials();
    expect((await source.registryCredentials()).password).toBe(first.password);
    const requestsBefore = google.requests.filter((request) => request.email === email).length;

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(first.expiresAt!.getTime() - 4 * 60_000);
    const second = await source.registryCredentials();
    vi.useRealTimers();

    expect(second.password).not.toBe(first.password);
    expect(google.isValid(second.password)).toBe(true);
    expect(google.requests.filter((request) => request.email === email)).toHaveLength(requestsBefore + 1);
  });

  it('fetches a new token after invalidate(), e.g. when the registry refused the last one', async () => {
    const source = createGoogleTokenSource({ credentials: google.createServiceAccountKey(newAccount()), env: {}, source: 'a test key' });
    const first = await source.registryCredentials();
    source.invalidate();
    expect((await source.registryCredentials()).password).not.toBe(first.password);
  });

  it('reports a deleted key as AUTHENTICATION_FAILED, with Google\'s reason and without the key or a token', async () => {
    const email = newAccount();
    const key = google.createServiceAccountKey(email);
    google.disableKey(email);
    const source = createGoogleTokenSource({ credentials: key, env: {}, source: 'the service-account key of the gcp connector' });
    const error = await source.registryCredentials().catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/Google refused the credentials from the service-account key of the gcp connector \(invalid_grant: Invalid JWT Signature\.\).*create a new key/);
    const shown = `${(error as Error).message} ${JSON.stringify((error as RegistryKitError).details)}`;
    expect(shown).not.toContain(key['private_key']!.slice(40, 80));
    expect(shown).not.toContain('ya29.');
  });

  it('keeps no secret of the credentials in the cause: a refused refresh token stays out of the error', async () => {
    // gcloud's application-default credentials: their refresh goes in the request body that the
    // HTTP client's error carries, and its redactor leaves the refresh token in.
    const refreshToken = '1//rk-refresh-token-that-must-stay-hidden';
    const credentials = { type: 'authorized_user', client_id: 'rk-client.apps.googleusercontent.com', client_secret: 'rk-client-secret-hidden', refresh_token: refreshToken };
    const source = createGoogleTokenSource({ credentials, tokenEndpoint: google.tokenUri, env: {}, source: 'Application Default Credentials' });
    const error = await source.registryCredentials().catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain('(unsupported_grant_type: Unsupported grant type: refresh_token)');
    const everything = inspect(error, { depth: Infinity, showHidden: true });
    expect(everything).not.toContain(refreshToken);
    expect(everything).not.toContain('rk-client-secret-hidden');
    // What the cause keeps: Google's answer.
    expect((error as Error).cause).toMatchObject({ status: 400, data: { error: 'unsupported_grant_type' } });
  });

  it('honours an explicit token endpoint over the key', async () => {
    const key = { ...google.createServiceAccountKey(newAccount()), token_uri: 'https://oauth2.googleapis.com/token' };
    const source = createGoogleTokenSource({ credentials: key, tokenEndpoint: google.tokenUri, env: {}, source: 'a test key' });
    expect(google.isValid((await source.registryCredentials()).password)).toBe(true);
  });
});

describe('Application Default Credentials', () => {
  it('reads the key file GOOGLE_APPLICATION_CREDENTIALS names, from the given environment', async () => {
    const email = newAccount();
    const path = join(workDir, 'adc.json');
    await writeFile(path, JSON.stringify(google.createServiceAccountKey(email)));
    const source = createGoogleTokenSource({ env: { GOOGLE_APPLICATION_CREDENTIALS: path }, source: 'Application Default Credentials' });
    expect(google.isValid((await source.registryCredentials()).password)).toBe(true);
    expect(google.requests.at(-1)).toMatchObject({ email, status: 200 });
  });

  it('says how to provide credentials when there are none', async () => {
    // No key file, no gcloud configuration, and no metadata server probe.
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', '');
    vi.stubEnv('CLOUDSDK_CONFIG', join(workDir, 'no-gcloud'));
    vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
    try {
      const source = createGoogleTokenSource({ env: {}, source: 'Application Default Credentials' });
      const error = await source.registryCredentials().catch((caught: unknown) => caught);
      expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(/No Google credentials were found.*GOOGLE_APPLICATION_CREDENTIALS.*gcloud auth application-default login.*gcp service connector/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('names an unreadable or malformed key file without printing it', async () => {
    const missing = createGoogleTokenSource({ env: { GOOGLE_APPLICATION_CREDENTIALS: join(workDir, 'nope.json') }, source: 'ADC' });
    await expect(missing.registryCredentials()).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED', message: expect.stringMatching(/nope\.json, which cannot be read \(ENOENT\)/) });
    const garbled = join(workDir, 'garbled.json');
    await writeFile(garbled, '-----BEGIN PRIVATE KEY----- not json');
    const broken = createGoogleTokenSource({ env: { GOOGLE_APPLICATION_CREDENTIALS: garbled }, source: 'ADC' });
    const error = await broken.registryCredentials().catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/garbled\.json, which is not a JSON credentials file/);
    expect((error as Error).message).not.toContain('BEGIN PRIVATE KEY');
  });
});
