import { readFile } from 'node:fs/promises';
import { type BasicCredentials, type CallOptions, RegistryKitError } from '@registrykit/core';
import type { AuthClient } from 'google-auth-library';

/** The user name Google's registries expect with an OAuth 2.0 access token as the password. */
export const GOOGLE_REGISTRY_USERNAME = 'oauth2accesstoken';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Where google-auth-library posts for tokens, whatever the key says. */
const DEFAULT_TOKEN_ENDPOINT = 'https://oauth2.googleapis.com/token';
/** When Google does not say: access tokens live an hour. */
const DEFAULT_LIFETIME_MS = 3600_000;

export interface GoogleTokenSourceOptions {
  /** Credentials JSON (a service-account key, an authorized user…); without it, Application Default Credentials. */
  readonly credentials?: Readonly<Record<string, unknown>> | undefined;
  /** The OAuth 2.0 token endpoint; default: the key's `token_uri`, else Google's. */
  readonly tokenEndpoint?: string | undefined;
  /** Reads `GOOGLE_APPLICATION_CREDENTIALS` from here, not only from `process.env`. */
  readonly env: NodeJS.ProcessEnv;
  /** Names where the credentials come from, for errors, e.g. `Application Default Credentials`. */
  readonly source: string;
}

/** Registry credentials from Google access tokens (scope cloud-platform), refreshed by google-auth-library. */
export interface GoogleTokenSource {
  registryCredentials(options?: CallOptions): Promise<BasicCredentials>;
  /** Drops the client, so the next call fetches a fresh token (the registry refused the last one). */
  invalidate(): void;
}

export function createGoogleTokenSource(options: GoogleTokenSourceOptions): GoogleTokenSource {
  let client: Promise<AuthClient> | undefined;

  async function connect(): Promise<AuthClient> {
    const { GoogleAuth } = await import('google-auth-library');
    const keyFile = options.credentials ? undefined : options.env['GOOGLE_APPLICATION_CREDENTIALS'];
    const credentials = options.credentials ?? (keyFile ? await readKeyFile(keyFile, options.source) : undefined);
    const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE], ...(credentials ? { credentials } : {}) });
    const authClient = await auth.getClient();
    redirectTokenRequests(authClient, options.tokenEndpoint ?? stringField(credentials, 'token_uri'));
    return authClient;
  }

  return {
    async registryCredentials(call = {}) {
      if (call.signal?.aborted) throw new RegistryKitError('ABORTED', `Aborted getting a Google access token from ${options.source}.`);
      try {
        const authClient = await (client ??= connect());
        const { token } = await authClient.getAccessToken();
        if (!token) throw new Error('google-auth-library returned no access token');
        const expiry = authClient.credentials.expiry_date;
        const expiresAt = new Date(typeof expiry === 'number' ? expiry : Date.now() + DEFAULT_LIFETIME_MS);
        return { type: 'basic', username: GOOGLE_REGISTRY_USERNAME, password: token, expiresAt };
      } catch (error) {
        client = undefined;
        throw googleAuthFailure(error, options.source);
      }
    },
    invalidate() {
      client = undefined;
    },
  };
}

// google-auth-library posts service-account assertions to Google's endpoint even when the key
// names another `token_uri`; Google's Python and Go libraries honour the key, and so do we.
function redirectTokenRequests(authClient: AuthClient, endpoint: string | undefined): void {
  if (endpoint === undefined || endpoint === DEFAULT_TOKEN_ENDPOINT) return;
  const target = new URL(endpoint);
  authClient.transporter.interceptors.request.add({
    resolved: async (request) => {
      if (request.url.href === DEFAULT_TOKEN_ENDPOINT) request.url = target;
      return request;
    },
  });
}

async function readKeyFile(path: string, source: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RegistryKitError(
      'AUTHENTICATION_FAILED',
      `GOOGLE_APPLICATION_CREDENTIALS points at ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): fix the path or unset it.`,
      { cause: error, details: { source, path } },
    );
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Reported below without the file's content, which holds a private key.
  }
  throw new RegistryKitError('AUTHENTICATION_FAILED', `GOOGLE_APPLICATION_CREDENTIALS points at ${path}, which is not a JSON credentials file: download the key again.`, {
    details: { source, path },
  });
}

function stringField(value: Readonly<Record<string, unknown>> | undefined, key: string): string | undefined {
  const found = value?.[key];
  return typeof found === 'string' ? found : undefined;
}

interface GaxiosLikeError {
  readonly message?: string;
  readonly code?: string | number;
  readonly status?: number;
  readonly response?: { readonly status?: number; readonly data?: unknown };
}

/**
 * A gaxios error carries the request it failed on (`config`, and `response.config`): the body of
 * a token refresh holds the refresh token of `gcloud auth application-default login`, which
 * gaxios's redactor leaves in. The cause kept is a copy without request and response.
 */
function withoutRequest(error: unknown): unknown {
  if (typeof error !== 'object' || error === null || !('config' in error)) return error;
  const source = error as unknown as Error & GaxiosLikeError;
  const copy = new Error(source.message) as Error & { code?: string | number; status?: number; data?: unknown };
  copy.name = source.name;
  if (source.code !== undefined) copy.code = source.code;
  const status = source.response?.status ?? source.status;
  if (status !== undefined) copy.status = status;
  // The error Google answered, e.g. {error: "invalid_grant", error_description: …}; never a success body.
  if (status !== undefined && status >= 400 && source.response?.data !== undefined) copy.data = source.response.data;
  return copy;
}

/** A typed error for a failed token request; Google's own error text never holds the key or the token. */
export function googleAuthFailure(raw: unknown, source: string): RegistryKitError {
  if (RegistryKitError.isInstance(raw)) return raw;
  const error = withoutRequest(raw);
  const failure = (raw ?? {}) as GaxiosLikeError;
  const message = failure.message ?? String(raw);
  const details = { source };
  if (/could not load the default credentials/i.test(message)) {
    return new RegistryKitError(
      'AUTHENTICATION_FAILED',
      'No Google credentials were found (Application Default Credentials): set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, ' +
        'run `gcloud auth application-default login`, run on Google Cloud with a service account, or bind a gcp service connector.',
      { cause: error, details: { ...details, adcMissing: true } },
    );
  }
  const status = failure.response?.status ?? failure.status;
  const data = failure.response?.data as { error?: unknown; error_description?: unknown } | undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    const reason = [data?.error, data?.error_description].filter((part) => typeof part === 'string').join(': ') || `HTTP ${status}`;
    return new RegistryKitError(
      'AUTHENTICATION_FAILED',
      `Google refused the credentials from ${source} (${reason}): the key may have been deleted, disabled or revoked; create a new key or log in again.`,
      { cause: error, details: { ...details, status } },
    );
  }
  if (/client_email|private_key|incoming JSON object|must pass in a JSON/i.test(message)) {
    return new RegistryKitError('INVALID_CONFIG', `The credentials from ${source} are not a usable Google credentials JSON: ${message}. Download the key again.`, {
      cause: error,
      details,
    });
  }
  return new RegistryKitError('REGISTRY_ERROR', `Could not get a Google access token from ${source}: ${message}.`, { cause: error, details: { ...details, status } });
}
