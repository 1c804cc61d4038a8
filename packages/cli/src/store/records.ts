import { RegistryKitError } from '@registrykit/core';
import { SECRET_MASK } from '../output.js';
import type { ConnectorRecord, RegistryRecord, StoreDocument } from './store-document.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Registry and connector names: letters, digits, `_`, `.`, `-`, up to 63 characters, as they appear in commands. */
export function checkName(name: string, what: 'container registry' | 'service connector'): void {
  if (!NAME.test(name)) {
    throw new RegistryKitError(
      'INVALID_ARGUMENT',
      `Invalid ${what} name "${name}": use letters, digits, "_", "." and "-" (up to 63, starting with a letter or digit), e.g. "prod-ecr".`,
      { details: { field: 'name', name } },
    );
  }
}

export function requireRegistry(document: StoreDocument, name: string): RegistryRecord {
  const record = Object.hasOwn(document.registries, name) ? document.registries[name] : undefined;
  if (!record) {
    throw new RegistryKitError('NOT_FOUND', `No container registry "${name}". See \`registrykit container-registry list\`.`, { details: { registry: name } });
  }
  return record;
}

export function requireConnector(document: StoreDocument, name: string): ConnectorRecord {
  const record = Object.hasOwn(document.connectors, name) ? document.connectors[name] : undefined;
  if (!record) {
    throw new RegistryKitError('NOT_FOUND', `No service connector "${name}". See \`registrykit service-connector list\`.`, { details: { connector: name } });
  }
  return record;
}

/** The container registries that take their credentials from a connector. */
export function usersOf(document: StoreDocument, connector: string): string[] {
  return Object.values(document.registries)
    .filter((registry) => registry.connector === connector)
    .map((registry) => registry.name)
    .sort();
}

/** The config with every secret value replaced by a mask, for output. */
export function redactedConfig(config: Readonly<Record<string, unknown>>, secretFields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, secretFields.includes(key) ? SECRET_MASK : value]));
}

/** A config value as one line of text. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object' && value !== null) return Object.entries(value).map(([key, item]) => `${key}=${String(item)}`).join(', ');
  return String(value);
}

export function now(): string {
  return new Date().toISOString();
}
