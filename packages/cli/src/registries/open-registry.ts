import { type ContainerRegistry, createContainerRegistry, type ImagePusher, RegistryKitError, type RegistryApi } from '@registrykit/core';
import { type ConnectorSetting, hideSecrets, openConnector } from '../connectors/connector-types.js';
import { loadFlavor } from '../flavors/load-flavor.js';
import type { RegistryRecord, StoreDocument } from '../store/store-document.js';

export interface RegistryParts {
  readonly pusher?: ImagePusher | undefined;
  readonly registryApi?: RegistryApi | undefined;
}

/**
 * Builds the container registry component a store record describes: its flavor, config and
 * connector. Its secret values, like the connector's, are masked in all output from now on.
 */
export async function openRegistry(record: RegistryRecord, document: StoreDocument, setting: ConnectorSetting, parts: RegistryParts = {}): Promise<ContainerRegistry> {
  hideSecrets(setting.out, record.config, record.secretFields);
  const flavor = await loadFlavor(record.flavor, document, setting.search);
  let connector;
  if (record.connector !== undefined) {
    const connectorRecord = Object.hasOwn(document.connectors, record.connector) ? document.connectors[record.connector] : undefined;
    if (!connectorRecord) {
      throw new RegistryKitError(
        'NOT_FOUND',
        `The container registry "${record.name}" takes its credentials from the service connector "${record.connector}", which no longer exists. ` +
          `Connect another one (\`registrykit container-registry connect ${record.name} --connector <name>\`) or disconnect it.`,
        { details: { registry: record.name, connector: record.connector } },
      );
    }
    connector = await openConnector(connectorRecord, setting);
  }
  return createContainerRegistry({ flavor, name: record.name, config: record.config, connector, pusher: parts.pusher, registryApi: parts.registryApi, env: setting.env });
}
