import type { TokenCredential } from '@azure/identity';
import { baseRegistryConfigSchema, defineFlavor, field, type FlavorImplementation, RegistryKitError } from '@registrykit/core';
import { type AcrAuth, createAcrApi } from './azure-api.js';
import { isAzureConnector, registryScope } from './azure-connector.js';
import { exchangeForRegistryCredentials } from './azure-auth.js';
import { createAcrImages } from './azure-images.js';
import { ACR_URI_EXAMPLE, acrUriProblem, CLOUD_AUDIENCES, parseAcrHost } from './azure-uri.js';

const configSchema = {
  ...baseRegistryConfigSchema({
    uriDescription: 'The registry login server and an optional namespace: `<name>.azurecr.io[/namespace]` (or .azurecr.cn, .azurecr.us).',
    uriExample: ACR_URI_EXAMPLE,
    checkUri: acrUriProblem,
  }),
  endpoint: field.string({
    description: "Where ACR's API is reached, when not `https://<login server>`: a private link or mirror, or a local test server.",
    example: 'https://myregistry.privatelink.azurecr.io',
    check: (value: string) => (/^https:\/\/[^/\s]+/.test(value) ? undefined : `"${value}" must be an https URL, e.g. https://${ACR_URI_EXAMPLE}.`),
  }),
  audience: field.string({
    description: "The Entra ID audience of registry tokens, when not the cloud's default (e.g. `https://management.azure.com`).",
    check: (value: string) => (/^https:\/\/[^/\s]+/.test(value) ? undefined : `"${value}" must be an https URL such as https://management.azure.com.`),
  }),
} as const;

const UNAVAILABLE = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError']);

/**
 * Azure Container Registry. With an azure connector or the Azure SDK's default credential
 * chain, Entra ID tokens are exchanged for ACR refresh tokens (user
 * 00000000-0000-0000-0000-000000000000, about 3 h, refreshed before they lapse); the admin user
 * or a repository-scoped token work as username and password. Listing and deletion use ACR's
 * own API through `@azure/container-registry`, and honour `canDelete` locks.
 */
export const azureFlavor = defineFlavor({
  specificationVersion: 'v1',
  id: 'azure',
  displayName: 'Azure Container Registry (ACR)',
  description: 'Azure Container Registry through the Azure SDK: Entra ID token exchange, admin and repository-scoped tokens, listing and lock-aware deletion.',
  docsUrl: 'https://learn.microsoft.com/azure/container-registry/',
  packageName: '@registrykit/azure',
  connectorTypes: ['azure', 'docker'],
  configSchema,
  create(config, context): FlavorImplementation {
    const registry = parseAcrHost(config.uri.split('/')[0]!);
    const connector = isAzureConnector(context.connector) ? context.connector : undefined;
    const endpoint = config.endpoint ?? `https://${registry.host}`;
    const audience = config.audience ?? connector?.audience;
    let defaultCredential: Promise<TokenCredential> | undefined;
    const defaultChain = () => (defaultCredential ??= import('@azure/identity').then((identity) => new identity.DefaultAzureCredential()));

    async function auth(): Promise<AcrAuth> {
      if (connector) return { kind: 'token-credential', credential: await connector.tokenCredential() };
      const given = await context.credentials?.();
      if (given?.type === 'basic') return { kind: 'basic', username: given.username, password: given.password };
      if (given) {
        throw new RegistryKitError('INVALID_CONFIG', `ACR's API takes a username and password or an Entra ID identity, not ${given.type} credentials: pass the admin user or a token, or bind an azure connector.`, {
          details: { registry: registry.host },
        });
      }
      return { kind: 'token-credential', credential: await defaultChain() };
    }

    const api = createAcrApi({ endpoint, audience: audience ?? CLOUD_AUDIENCES[registry.cloud], label: registry.host, auth });
    const images = createAcrImages(api, registry);
    return {
      requiresAuthentication: true,
      isLocal: false,
      // Asked only without a connector or explicit credentials. Without any Azure identity the
      // docker config is tried next (e.g. after `az acr login`).
      async getCredentials(options) {
        try {
          return await exchangeForRegistryCredentials({
            endpoint,
            service: registry.host,
            credential: await defaultChain(),
            scope: registryScope(registry.host, audience),
            signal: options.signal,
          });
        } catch (error) {
          if (UNAVAILABLE.has(((error as Error).cause as Error | undefined)?.name ?? '')) return undefined;
          throw error;
        }
      },
      listRepositories: images.listRepositories,
      getImageDigest: images.getImageDigest,
      listTags: images.listTags,
      listImages: images.listImages,
      deleteImage: images.deleteImage,
    };
  },
});
