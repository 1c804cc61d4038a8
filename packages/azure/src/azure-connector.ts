import type { TokenCredential } from '@azure/identity';
import {
  type CallOptions,
  type ConfigSchema,
  field,
  type RegistryCredentials,
  RegistryKitError,
  type ServiceConnector,
  type ServiceConnectorType,
  type VerifyConnectorOptions,
} from '@registrykit/core';
import { exchangeForRegistryCredentials } from './azure-auth.js';
import { CLOUD_AUDIENCES, parseAcrHost } from './azure-uri.js';

/** An azure service connector: an Entra ID identity that yields ACR credentials and signs the flavor's API calls. */
export interface AzureServiceConnector extends ServiceConnector {
  readonly type: 'azure';
  readonly tenantId: string | undefined;
  /** The audience of registry tokens, when not the cloud's default. */
  readonly audience: string | undefined;
  /** The identity, as the Azure SDK clients take it. */
  tokenCredential(): Promise<TokenCredential>;
}

export function isAzureConnector(connector: ServiceConnector | undefined): connector is AzureServiceConnector {
  return connector?.type === 'azure' && typeof (connector as Partial<AzureServiceConnector>).tokenCredential === 'function';
}

/** The Entra ID scope for a registry: its cloud's audience unless one is given. */
export function registryScope(host: string, audience: string | undefined): string {
  return `${audience ?? CLOUD_AUDIENCES[parseAcrHost(host).cloud] ?? 'https://containerregistry.azure.net'}/.default`;
}

const urlCheck = (value: string) => (/^https:\/\/[^/\s]+/.test(value) ? undefined : `"${value}" must be an https URL, e.g. https://login.microsoftonline.com.`);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const commonFields = {
  audience: field.string({
    description: "The Entra ID audience of registry tokens, when not the cloud's default (e.g. `https://management.azure.com`).",
    check: urlCheck,
  }),
} as const;

const authorityFields = {
  authorityHost: field.string({
    description: 'The Entra ID authority, when not the public cloud\'s: e.g. `https://login.microsoftonline.us`, or Azure Stack\'s.',
    example: 'https://login.microsoftonline.us',
    check: urlCheck,
  }),
  disableInstanceDiscovery: field.boolean({
    description: 'Skip Entra ID instance discovery: for authorities Microsoft does not know (Azure Stack, private clouds).',
    default: false,
  }),
} as const;

const tenantField = field.string({
  description: 'The Entra ID tenant (directory) id.',
  example: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  check: (value: string) => (GUID.test(value) || /^[a-z0-9.-]+$/i.test(value) ? undefined : 'is not a tenant id (a GUID) or domain.'),
});

const authMethods = {
  implicit: {
    description: "The Azure SDK's DefaultAzureCredential: environment variables, workload identity, managed identity, Azure CLI, Azure Developer CLI.",
    configSchema: {
      ...commonFields,
      ...authorityFields,
      tenantId: tenantField,
      managedIdentityClientId: field.string({ description: 'The client id of a user-assigned managed identity to use.' }),
    },
  },
  'service-principal': {
    description: 'A service principal: tenant id, client (application) id and client secret.',
    configSchema: {
      ...commonFields,
      ...authorityFields,
      tenantId: { ...tenantField, required: true },
      clientId: field.string({ description: 'The application (client) id.', required: true, check: (value: string) => (GUID.test(value) ? undefined : 'is not a client id (a GUID).') }),
      clientSecret: field.string({ description: 'The client secret.', required: true, secret: true }),
    },
  },
  'access-token': {
    description: 'An Entra ID access token obtained elsewhere (short-lived; nothing refreshes it).',
    configSchema: { ...commonFields, tenantId: tenantField, token: field.string({ description: 'The Entra ID access token.', required: true, secret: true }) },
  },
} as const satisfies Record<string, { description: string; configSchema: ConfigSchema }>;

type AuthMethod = keyof typeof authMethods;

async function credentialFor(method: AuthMethod, config: Readonly<Record<string, unknown>>): Promise<TokenCredential> {
  const text = (key: string) => config[key] as string | undefined;
  const authority = {
    ...(text('authorityHost') ? { authorityHost: text('authorityHost')! } : {}),
    ...(config['disableInstanceDiscovery'] === true ? { disableInstanceDiscovery: true } : {}),
  };
  if (method === 'access-token') return staticTokenCredential(text('token')!);
  const identity = await import('@azure/identity');
  if (method === 'service-principal') return new identity.ClientSecretCredential(text('tenantId')!, text('clientId')!, text('clientSecret')!, authority);
  return new identity.DefaultAzureCredential({
    ...authority,
    ...(text('tenantId') ? { tenantId: text('tenantId')! } : {}),
    ...(text('managedIdentityClientId') ? { managedIdentityClientId: text('managedIdentityClientId')! } : {}),
  });
}

/** A credential that hands out one token, with the expiry its JWT states (or an hour). */
function staticTokenCredential(token: string): TokenCredential {
  let expiresOnTimestamp = Date.now() + 3_600_000;
  try {
    const exp = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    if (typeof exp === 'number') expiresOnTimestamp = exp * 1000;
  } catch {
    // Not a JWT: keep the hour.
  }
  return { getToken: async () => ({ token, expiresOnTimestamp }) };
}

interface ConnectorSetup {
  readonly authMethod: string;
  readonly tenantId: string | undefined;
  readonly audience: string | undefined;
  readonly credential: () => Promise<TokenCredential>;
}

function azureConnector(setup: ConnectorSetup): AzureServiceConnector {
  async function registryCredentials(host: string, options: CallOptions): Promise<RegistryCredentials> {
    const registry = parseAcrHost(host);
    return exchangeForRegistryCredentials({
      endpoint: `https://${registry.host}`,
      service: registry.host,
      credential: await setup.credential(),
      scope: registryScope(registry.host, setup.audience),
      tenantId: setup.tenantId,
      signal: options.signal,
    });
  }
  return {
    type: 'azure',
    authMethod: setup.authMethod,
    tenantId: setup.tenantId,
    audience: setup.audience,
    tokenCredential: setup.credential,
    getRegistryCredentials: (host, options = {}) => registryCredentials(host, options),
    async verify(options: VerifyConnectorOptions = {}) {
      if (!options.registryHost) {
        throw new RegistryKitError('INVALID_ARGUMENT', 'Verifying an azure connector needs the registry to prove access to (registryHost), e.g. myregistry.azurecr.io.', {
          details: { connector: 'azure' },
        });
      }
      // The exchange succeeds only for an identity with a role on the registry.
      const credentials = await registryCredentials(options.registryHost, options);
      if (options.registryApi) await options.registryApi.checkCredentials(options.registryHost, { credentials, signal: options.signal });
      return { resources: [parseAcrHost(options.registryHost).host] };
    },
  };
}

/**
 * The `azure` service connector type: an Entra ID identity (default credential chain, service
 * principal, or an access token) whose tokens are exchanged for ACR refresh tokens.
 */
export const azureConnectorType: ServiceConnectorType = {
  specificationVersion: 'v1',
  type: 'azure',
  displayName: 'Microsoft Azure',
  description: 'An Entra ID identity for Azure Container Registry: its tokens exchanged for ACR refresh tokens (about 3 h), and the ACR API calls of the azure flavor.',
  packageName: '@registrykit/azure',
  authMethods,
  create(authMethod, config): AzureServiceConnector {
    let credential: Promise<TokenCredential> | undefined;
    return azureConnector({
      authMethod,
      tenantId: config['tenantId'] as string | undefined,
      audience: config['audience'] as string | undefined,
      credential: () => (credential ??= credentialFor(authMethod as AuthMethod, config)),
    });
  },
};

export interface CreateAzureConnectorOptions {
  /** Any Entra ID credential, e.g. a `WorkloadIdentityCredential` or `ManagedIdentityCredential` you configured. */
  readonly credential: TokenCredential;
  readonly tenantId?: string | undefined;
  readonly audience?: string | undefined;
}

/** An azure connector around a credential built in code, for what the auth methods do not cover. */
export function createAzureConnector(options: CreateAzureConnectorOptions): AzureServiceConnector {
  return azureConnector({ authMethod: 'token-credential', tenantId: options.tenantId, audience: options.audience, credential: async () => options.credential });
}
