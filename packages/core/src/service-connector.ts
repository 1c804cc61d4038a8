import { type ConfigSchema, validateConfig } from './config-schema.js';
import type { RegistryCredentials } from './credentials/registry-credentials.js';
import { RegistryKitError } from './errors.js';
import type { CallOptions } from './flavor.js';
import type { RegistryApi } from './registry-api.js';

/** One way a connector type can authenticate, e.g. `password`, `secret-key`, `service-account`. */
export interface ConnectorAuthMethod {
  readonly description: string;
  /** The method's parameters; secrets are marked `secret: true` and never printed. */
  readonly configSchema: ConfigSchema;
}

export interface VerifyConnectorOptions extends CallOptions {
  /** The registry to prove access to, `host[:port]`; default: the connector's own registry, if it names one. */
  readonly registryHost?: string | undefined;
  /** Talks to the registry, e.g. `createOciClient()` from `@registrykit/oci`. */
  readonly registryApi?: RegistryApi | undefined;
}

export interface VerifyConnectorResult {
  /** The registries (or other resources) the credentials were proven against. */
  readonly resources: readonly string[];
}

/** A configured source of credentials: where short-lived registry credentials come from. */
export interface ServiceConnector {
  readonly type: string;
  readonly authMethod: string;
  /** The registry host the connector is limited to, if any (`registry` for docker, the ECR host…). */
  readonly registryHost?: string | undefined;
  /** Registry credentials for `registryHost`, with their expiry when short-lived. */
  getRegistryCredentials(registryHost: string, options?: CallOptions): Promise<RegistryCredentials>;
  /** Forget cached short-lived credentials: the registry refused them, so the next call mints fresh ones. */
  invalidateCredentials?(): void;
  /** Proves the credentials work; throws AUTHENTICATION_FAILED or PERMISSION_DENIED otherwise. */
  verify(options?: VerifyConnectorOptions): Promise<VerifyConnectorResult>;
}

export interface CreateConnectorContext {
  readonly env: NodeJS.ProcessEnv;
}

/**
 * A kind of service connector: `docker` here in core, `aws`, `gcp` and `azure` in their flavor
 * packages. Each package exports its type as `connectorType`.
 */
export interface ServiceConnectorType {
  readonly specificationVersion: 'v1';
  /** `docker`, `aws`… the `--type` value. */
  readonly type: string;
  readonly displayName: string;
  readonly description: string;
  /** The npm package that provides the type, for install hints. */
  readonly packageName?: string | undefined;
  readonly authMethods: Readonly<Record<string, ConnectorAuthMethod>>;
  /** Builds a connector from a validated config. Must not touch the network. */
  create(authMethod: string, config: Readonly<Record<string, unknown>>, context: CreateConnectorContext): ServiceConnector;
}

export interface CreateServiceConnectorOptions {
  readonly type: ServiceConnectorType;
  readonly authMethod: string;
  /** Validated against the auth method's schema; unknown keys are refused. */
  readonly config: unknown;
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** Validates the auth method and its parameters, then builds the connector. */
export function createServiceConnector(options: CreateServiceConnectorOptions): ServiceConnector {
  const { type, authMethod } = options;
  const method = type.authMethods[authMethod];
  if (!method) {
    throw new RegistryKitError(
      'INVALID_CONFIG',
      `The ${type.type} connector has no auth method "${authMethod}"; use one of: ${Object.keys(type.authMethods).join(', ')}.`,
      { details: { field: 'authMethod', authMethods: Object.keys(type.authMethods) } },
    );
  }
  const config = validateConfig(method.configSchema, options.config, `the ${type.type} connector (auth method "${authMethod}")`);
  return type.create(authMethod, config, { env: options.env ?? process.env });
}
