import { canonicalRegistryHost, type ContainerRegistry, RegistryKitError, type ServiceConnector } from '@registrykit/core';

/**
 * Checks that a connector can give a registry its credentials: a connector limited to one
 * registry host must name this registry's host. (The component itself already refused a
 * connector type the flavor does not accept.)
 */
export async function checkConnection(registry: ContainerRegistry, connectorName: string, connector: ServiceConnector): Promise<void> {
  if (connector.registryHost !== undefined && canonicalRegistryHost(connector.registryHost) !== registry.host) {
    throw new RegistryKitError(
      'INVALID_CONFIG',
      `The service connector "${connectorName}" holds credentials for ${connector.registryHost}, but the container registry "${registry.name}" is at ${registry.host}: ` +
        `use a connector registered with --registry ${registry.host}.`,
      { details: { field: 'connector', connector: connectorName, connectorRegistry: connector.registryHost, registry: registry.host } },
    );
  }
}
