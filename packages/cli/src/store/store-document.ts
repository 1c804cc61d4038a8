import { RegistryKitError } from '@registrykit/core';

/** The store's format version. A newer registrykit may read older files; never the other way. */
export const STORE_FORMAT_VERSION = 1;

/** A flavor registered with `flavor register`: where to import it from, and what it said about itself. */
export interface CustomFlavorRecord {
  readonly id: string;
  /** An absolute path to a module or package folder, or an installed package name. */
  readonly source: string;
  readonly sourceKind: 'path' | 'package';
  readonly displayName: string;
  readonly description: string;
  readonly registeredAt: string;
}

/** A service connector: its type, auth method and parameters (secrets included; the file is 0600). */
export interface ConnectorRecord {
  readonly name: string;
  readonly type: string;
  readonly authMethod: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** Config keys whose values are secret, recorded at registration so output can hide them without loading the type. */
  readonly secretFields: readonly string[];
  /** The registry host the connector is limited to, when it names one. */
  readonly registryHost?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A container registry component: a flavor, its config, and the connector its credentials come from. */
export interface RegistryRecord {
  readonly name: string;
  readonly flavor: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly secretFields: readonly string[];
  readonly connector?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface StoreDocument {
  readonly formatVersion: number;
  flavors: Record<string, CustomFlavorRecord>;
  connectors: Record<string, ConnectorRecord>;
  registries: Record<string, RegistryRecord>;
}

export function emptyDocument(): StoreDocument {
  return { formatVersion: STORE_FORMAT_VERSION, flavors: records(), connectors: records(), registries: records() };
}

/** Records by name, without a prototype: a registry named `constructor` is not Object's. */
function records<T>(entries?: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/** Parses the store file's text; throws STORE_FAILED naming the file and what to do. */
export function parseDocument(text: string, path: string): StoreDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw broken(path, `it is not valid JSON (${(error as Error).message})`, error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw broken(path, 'it does not hold a JSON object');
  const document = value as Record<string, unknown>;
  const version = document['formatVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version)) throw broken(path, '"formatVersion" is missing');
  if (version > STORE_FORMAT_VERSION) {
    throw new RegistryKitError(
      'STORE_FAILED',
      `The registrykit store ${path} has format version ${version}, written by a newer registrykit; this one reads up to version ${STORE_FORMAT_VERSION}. Upgrade @registrykit/cli.`,
      { details: { path, formatVersion: version } },
    );
  }
  for (const section of ['flavors', 'connectors', 'registries'] as const) {
    const entries = document[section];
    if (entries !== undefined && (typeof entries !== 'object' || entries === null || Array.isArray(entries))) {
      throw broken(path, `"${section}" is not an object`);
    }
  }
  return {
    formatVersion: STORE_FORMAT_VERSION,
    flavors: records(document['flavors'] as Record<string, CustomFlavorRecord> | undefined),
    connectors: records(document['connectors'] as Record<string, ConnectorRecord> | undefined),
    registries: records(document['registries'] as Record<string, RegistryRecord> | undefined),
  };
}

export function serializeDocument(document: StoreDocument): string {
  return `${JSON.stringify({ ...document, formatVersion: STORE_FORMAT_VERSION }, null, 2)}\n`;
}

function broken(path: string, reason: string, cause?: unknown): RegistryKitError {
  return new RegistryKitError(
    'STORE_FAILED',
    `The registrykit store ${path} cannot be read: ${reason}. Restore it from a backup, or move it away to start with an empty store.`,
    { cause, details: { path } },
  );
}
