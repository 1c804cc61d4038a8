import { type BasicCredentials, type CallOptions, RegistryKitError } from '@registrykit/core';
import type { EcrApi } from './aws-api.js';
import type { EcrRegistryHost } from './aws-uri.js';

/**
 * Registry credentials from ECR's GetAuthorizationToken: the token is base64 of `AWS:<password>`
 * and lasts 12 hours. The caller caches it until shortly before `expiresAt`.
 */
export async function fetchEcrCredentials(api: EcrApi, registry: EcrRegistryHost, options: CallOptions): Promise<BasicCredentials> {
  const output = await api.call(
    'GetAuthorizationToken',
    (client, sdk, signal) => client.send(new sdk.GetAuthorizationTokenCommand({ registryIds: [registry.accountId] }), signal),
    options,
  );
  const data = output.authorizationData?.[0];
  const decoded = data?.authorizationToken ? Buffer.from(data.authorizationToken, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon <= 0) {
    throw new RegistryKitError('REGISTRY_ERROR', `ECR answered GetAuthorizationToken for ${registry.host} without a usable token.`, {
      details: { registry: registry.host },
    });
  }
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return data?.expiresAt ? { type: 'basic', username, password, expiresAt: data.expiresAt } : { type: 'basic', username, password };
}
