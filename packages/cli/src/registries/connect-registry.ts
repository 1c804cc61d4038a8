import { canonicalRegistryHost, type ContainerRegistry, RegistryKitError, type ServiceConnector } from '@registrykit/core';
import type { Output } from '../output.js';

/**
 * Checks that a connector can give a registry its credentials: a connector limited to one
 * registry host must name this registry's host, and, when `verify` is set, the registry must
 * accept the credentials. (The component itself already refused a connector type the flavor
 * does not accept.)
 */
export interface ConnectionCheck {
  readonly verify: boolean;
  readonly out: Output;
  readonly env: NodeJS.ProcessEnv;
}

export async function checkConnection(registry: ContainerRegistry, connectorName: string, connector: ServiceConnector, { verify, out, env }: ConnectionCheck): Promise<void> {
  if (connector.registryHost !== undefined && canonicalRegistryHost(connector.registryHost) !== registry.host) {
    throw new RegistryKitError(
      'INVALID_CONFIG',
      `The service connector "${connectorName}" holds credentials for ${connector.registryHost}, but the container registry "${registry.name}" is at ${registry.host}: ` +
        `use a connector registered with --registry ${registry.host}.`,
      { details: { field: 'connector', connector: connectorName, connectorRegistry: connector.registryHost, registry: registry.host } },
    );
  }
  if (!verify) return;
  const { verifyConnector } = await import('../connectors/verify-connector.js');
  const result = await verifyConnector(connector, connectorName, env, registry.host);
  out.note(`Verified: ${result.resources.join(', ')} accepts the credentials of "${connectorName}".`);
}
