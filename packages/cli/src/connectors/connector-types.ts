import { createServiceConnector, RegistryKitError, type ServiceConnector, type ServiceConnectorType } from '@registrykit/core';
import type { Output } from '../output.js';
import { importInstalledPackage, type PackageSearch } from '../plugin-loading.js';
import type { ConnectorRecord } from '../store/store-document.js';

/** The connector types registrykit ships: `docker` in core, the cloud ones in their flavor packages. */
export const BUILT_IN_CONNECTOR_TYPES: readonly { readonly type: string; readonly packageName: string }[] = [
  { type: 'docker', packageName: '@registrykit/core' },
  { type: 'aws', packageName: '@registrykit/aws' },
  { type: 'gcp', packageName: '@registrykit/gcp' },
  { type: 'azure', packageName: '@registrykit/azure' },
];

/** Loads a connector type by name; only that type's package is imported. */
export async function loadConnectorType(type: string, search: PackageSearch): Promise<ServiceConnectorType> {
  if (type === 'docker') return (await import('@registrykit/core')).dockerConnectorType;
  const builtIn = BUILT_IN_CONNECTOR_TYPES.find((item) => item.type === type);
  if (!builtIn) {
    throw new RegistryKitError(
      'INVALID_ARGUMENT',
      `Unknown connector type "${type}": use one of ${BUILT_IN_CONNECTOR_TYPES.map((item) => item.type).join(', ')}.`,
      { details: { field: 'type', type } },
    );
  }
  const module = await importInstalledPackage(builtIn.packageName, search, `The "${type}" connector type`);
  const value = module['connectorType'] as Partial<ServiceConnectorType> | undefined;
  if (!value || value.specificationVersion !== 'v1' || value.type !== type || typeof value.create !== 'function' || typeof value.authMethods !== 'object') {
    throw new RegistryKitError(
      'INVALID_FLAVOR',
      `${builtIn.packageName} does not export a "${type}" connector type as \`connectorType\` (specificationVersion "v1", authMethods, create): update the package.`,
      { details: { package: builtIn.packageName, type } },
    );
  }
  return value as ServiceConnectorType;
}

export interface ConnectorSetting {
  readonly search: PackageSearch;
  readonly env: NodeJS.ProcessEnv;
  readonly out: Output;
}

/** Builds the connector a store record describes; its secret values are masked in all output from now on. */
export async function openConnector(record: ConnectorRecord, setting: ConnectorSetting): Promise<ServiceConnector> {
  hideSecrets(setting.out, record.config, record.secretFields);
  const type = await loadConnectorType(record.type, setting.search);
  return createServiceConnector({ type, authMethod: record.authMethod, config: record.config, env: setting.env });
}

/** Adds the secret values of a config to the output filter. */
export function hideSecrets(out: Output, config: Readonly<Record<string, unknown>>, secretFields: readonly string[]): void {
  for (const key of secretFields) {
    const value = config[key];
    if (typeof value === 'string') out.addSecret(value);
  }
}
