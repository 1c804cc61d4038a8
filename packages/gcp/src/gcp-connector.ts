import { type BasicCredentials, type CallOptions, field, RegistryKitError, type ServiceConnector, type ServiceConnectorType } from '@registrykit/core';
import { createGoogleTokenSource, GOOGLE_REGISTRY_USERNAME, type GoogleTokenSource } from './gcp-auth.js';
import { isGoogleRegistryHost } from './gcp-uri.js';

const tokenEndpoint = field.string({
  description: "Google's OAuth 2.0 token endpoint, for private connectivity (Private Service Connect); default: the key's token_uri, else https://oauth2.googleapis.com/token.",
  example: 'https://oauth2-myendpoint.p.googleapis.com/token',
  check: (value: string) => (/^https:\/\/[^/]+/.test(value) ? undefined : `"${value}" is not an https URL, e.g. https://oauth2.googleapis.com/token.`),
});

const serviceAccountSchema = {
  serviceAccountJson: field.string({
    description: 'The service-account key file content (JSON) of an account with Artifact Registry Writer (or Storage Admin for gcr.io).',
    required: true,
    secret: true,
    check: serviceAccountKeyProblem,
  }),
  tokenEndpoint,
} as const;

const oauth2TokenSchema = {
  token: field.string({ description: 'An OAuth 2.0 access token, e.g. from `gcloud auth print-access-token`; it lasts about an hour.', required: true, secret: true }),
  expiresAt: field.string({
    description: 'When the token expires (ISO 8601), so an expired token is reported instead of sent.',
    example: '2030-01-01T12:00:00Z',
    check: (value: string) => (Number.isNaN(Date.parse(value)) ? `"${value}" is not an ISO 8601 date, e.g. 2030-01-01T12:00:00Z.` : undefined),
  }),
} as const;

/** Google Cloud credentials for Artifact Registry and Container Registry: the `gcp` service connector. */
export const gcpConnectorType: ServiceConnectorType = {
  specificationVersion: 'v1',
  type: 'gcp',
  displayName: 'Google Cloud',
  description: 'Google Cloud credentials (a service-account key, Application Default Credentials or an access token) for Artifact Registry and Container Registry.',
  packageName: '@registrykit/gcp',
  authMethods: {
    'service-account': { description: 'A service-account key (JSON); access tokens are minted and refreshed from it.', configSchema: serviceAccountSchema },
    implicit: {
      description: 'Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud application-default login, or the metadata server on Google Cloud.',
      configSchema: { tokenEndpoint },
    },
    'oauth2-token': { description: 'A short-lived OAuth 2.0 access token, used as is (it cannot be refreshed).', configSchema: oauth2TokenSchema },
  },
  create(authMethod, config, context): ServiceConnector {
    const { credentialsFor, invalidate } = credentialSource(authMethod, config, context.env);
    return {
      type: 'gcp',
      authMethod,
      async getRegistryCredentials(host, options) {
        assertGoogleHost(host);
        return credentialsFor(options);
      },
      invalidateCredentials: invalidate,
      async verify(options = {}) {
        const credentials = await credentialsFor(options);
        if (options.registryHost === undefined) return { resources: ['Google OAuth 2.0 access token'] };
        assertGoogleHost(options.registryHost);
        if (!options.registryApi) {
          throw new RegistryKitError('INVALID_ARGUMENT', 'Verifying a gcp connector against a registry needs a registry client (registryApi).', { details: { connector: 'gcp' } });
        }
        await options.registryApi.checkCredentials(options.registryHost, { credentials, signal: options.signal });
        return { resources: [options.registryHost] };
      },
    };
  },
};

function credentialSource(
  authMethod: string,
  config: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv,
): { credentialsFor: (options?: CallOptions) => Promise<BasicCredentials>; invalidate: () => void } {
  if (authMethod === 'oauth2-token') {
    const token = config['token'] as string;
    const expiry = config['expiresAt'] as string | undefined;
    const expiresAt = expiry === undefined ? undefined : new Date(expiry);
    const credentialsFor = async () => {
      if (expiresAt && expiresAt.getTime() <= Date.now()) {
        throw new RegistryKitError(
          'AUTHENTICATION_FAILED',
          `The access token of the gcp connector expired at ${expiresAt.toISOString()}: give it a fresh one (\`gcloud auth print-access-token\`), ` +
            'or use the service-account or implicit auth method, which refresh tokens themselves.',
          { details: { connector: 'gcp', authMethod, expiresAt: expiresAt.toISOString() } },
        );
      }
      const credentials: BasicCredentials = { type: 'basic', username: GOOGLE_REGISTRY_USERNAME, password: token };
      return expiresAt ? { ...credentials, expiresAt } : credentials;
    };
    // A given token cannot be refreshed: there is nothing to forget.
    return { credentialsFor, invalidate: () => undefined };
  }
  const endpoint = config['tokenEndpoint'] as string | undefined;
  const source: GoogleTokenSource =
    authMethod === 'service-account'
      ? createGoogleTokenSource({
          credentials: JSON.parse(config['serviceAccountJson'] as string) as Record<string, unknown>,
          tokenEndpoint: endpoint,
          env,
          source: 'the service-account key of the gcp connector',
        })
      : createGoogleTokenSource({ tokenEndpoint: endpoint, env, source: 'Application Default Credentials (gcp connector, implicit)' });
  return { credentialsFor: (options) => source.registryCredentials(options), invalidate: () => source.invalidate() };
}

function assertGoogleHost(host: string): void {
  if (isGoogleRegistryHost(host)) return;
  throw new RegistryKitError(
    'INVALID_CONFIG',
    `A gcp connector holds Google credentials, which ${host} does not accept: use it with gcr.io hosts or <location>-docker.pkg.dev.`,
    { details: { connector: 'gcp', registry: host } },
  );
}

/** Checks a service-account key without ever echoing it (it holds a private key). */
function serviceAccountKeyProblem(value: string): string | undefined {
  let key: unknown;
  try {
    key = JSON.parse(value);
  } catch {
    return 'is not JSON: paste the whole key file, as downloaded from the Google Cloud console (`gcloud iam service-accounts keys create`).';
  }
  if (typeof key !== 'object' || key === null) return 'is not a JSON object: paste the whole key file.';
  const fields = key as Record<string, unknown>;
  if (fields['type'] !== 'service_account') return `is a "${String(fields['type'])}" credentials file, not a service-account key; use the implicit auth method for it.`;
  const missing = ['client_email', 'private_key'].filter((name) => typeof fields[name] !== 'string');
  if (missing.length > 0) return `lacks ${missing.join(' and ')}: download the key again.`;
  return undefined;
}
