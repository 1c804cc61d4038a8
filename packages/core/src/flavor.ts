import { type ConfigOf, type ConfigSchema, field, type StringField } from './config-schema.js';
import type { CredentialProvider, RegistryCredentials } from './credentials/registry-credentials.js';
import { RegistryKitError } from './errors.js';
import type { ImageReference } from './image-reference.js';
import { repositoryPathProblem } from './image-reference.js';
import type { DeleteImageResult, ImageSummary, RegistryApi, RepositoryReference } from './registry-api.js';
import { normalizeRegistryUri } from './registry-uri.js';
import type { ServiceConnector } from './service-connector.js';

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

/** What a flavor's `create` receives besides its validated config. */
export interface FlavorContext {
  /**
   * Credentials given to the component explicitly (by code or a service connector). Flavors
   * whose API needs its own authentication (ECR, ACR) read their settings from here or config.
   */
  readonly credentials: CredentialProvider | undefined;
  /** The service connector bound to the component, if any; cloud flavors read their SDK credentials from it. */
  readonly connector: ServiceConnector | undefined;
  /** The registry's HTTP API client given to the component, if any. */
  readonly registryApi: RegistryApi | undefined;
  readonly env: NodeJS.ProcessEnv;
  /**
   * The component's registry credentials, from wherever they come (connector, the flavor's own
   * `getCredentials`, the docker config), cached like the component's. For native capabilities
   * that call the registry or a vendor API with the same credentials (Docker Hub, GHCR); never
   * call it from `getCredentials`.
   */
  readonly registryCredentials: (options?: CallOptions) => Promise<RegistryCredentials | undefined>;
}

/** The registry-specific behaviour a flavor adds to the common component. Everything is optional. */
export interface FlavorImplementation {
  /** True when the registry never allows anonymous pushes (ECR, ACR, GCP). */
  readonly requiresAuthentication?: boolean;
  /** Checks or preparations before a push, e.g. that an ECR repository exists. */
  prepareImagePush?(image: ImageReference, options: CallOptions): Promise<void>;
  /** Registry credentials the flavor obtains itself (an ECR token, an ACR refresh token…). */
  getCredentials?(options: CallOptions): Promise<RegistryCredentials | undefined>;
  /** Forget cached credentials: the registry refused them (an expired ECR token). */
  invalidateCredentials?(): void;
  /** Overrides the loopback check, e.g. for a flavor whose hosts are never local. */
  readonly isLocal?: boolean;
  // Capabilities a flavor implements natively (ECR's DescribeImages, Docker Hub's API…);
  // without them the component uses the generic registry API.
  getImageDigest?(image: ImageReference, options: CallOptions): Promise<string | undefined>;
  /** Every repository path in the registry, e.g. `team/app` (ECR's DescribeRepositories, ACR's catalog). */
  listRepositories?(options: CallOptions): Promise<string[]>;
  listTags?(repository: RepositoryReference, options: CallOptions): Promise<string[]>;
  listImages?(repository: RepositoryReference, options: CallOptions): Promise<ImageSummary[]>;
  deleteImage?(image: ImageReference, options: CallOptions): Promise<DeleteImageResult>;
  /** Deletes several images in the registry's own batches (ECR: 100 per call); per-image failures are reported. */
  deleteImages?(images: readonly ImageReference[], options: CallOptions): Promise<DeleteImageResult>;
}

/** The fields every flavor's configuration has. */
export type BaseRegistryConfigSchema = {
  readonly uri: StringField & { readonly required: true };
  readonly defaultRepository: StringField;
};

/**
 * A kind of container registry: its id, its validated configuration, its docs, and a factory
 * for its behaviour. Third parties publish their own; see docs/writing-a-flavor.md.
 */
export interface ContainerRegistryFlavor<Schema extends BaseRegistryConfigSchema & ConfigSchema = BaseRegistryConfigSchema> {
  /** The version of this contract the flavor implements. */
  readonly specificationVersion: 'v1';
  /** Stable kebab-case id, the `--flavor` value. */
  readonly id: string;
  /** A human name, e.g. "Amazon Elastic Container Registry". */
  readonly displayName: string;
  /** What the flavor is for, in a sentence or two. */
  readonly description: string;
  readonly docsUrl?: string | undefined;
  /** The npm package that provides the flavor, for install hints. */
  readonly packageName?: string | undefined;
  /** Service connector types whose credentials the flavor accepts; empty or absent: `docker` only. */
  readonly connectorTypes?: readonly string[] | undefined;
  readonly configSchema: Schema;
  /** Builds the flavor's behaviour. Must not touch the network or the environment: it runs at setup. */
  create(config: ConfigOf<Schema>, context: FlavorContext): FlavorImplementation;
}

export interface BaseConfigSchemaOptions {
  /** The flavor's own uri rule; answers a problem with a fix, or undefined. */
  readonly checkUri: (uri: string) => string | undefined;
  readonly uriDescription: string;
  readonly uriExample: string;
}

/** The `uri` and `defaultRepository` fields, with the flavor's uri rule. */
export function baseRegistryConfigSchema(options: BaseConfigSchemaOptions) {
  return {
    uri: field.string({
      description: options.uriDescription,
      required: true,
      example: options.uriExample,
      normalize: normalizeRegistryUri,
      check: options.checkUri,
    }),
    defaultRepository: field.string({
      description: 'The repository (path under the uri) used when an image name gives none, e.g. `pipelines`.',
      example: 'pipelines',
      normalize: (value: string) => value.replace(/^\/+|\/+$/g, ''),
      check: (value: string) => {
        const problem = repositoryPathProblem(value);
        return problem ? `${problem} It is a path under the uri, without a tag.` : undefined;
      },
    }),
  } as const;
}

/** Checks a flavor against the contract and returns it; throws INVALID_FLAVOR listing every failure. */
export function defineFlavor<Schema extends BaseRegistryConfigSchema & ConfigSchema>(
  flavor: ContainerRegistryFlavor<Schema>,
): ContainerRegistryFlavor<Schema> {
  assertFlavor(flavor, 'defineFlavor');
  return flavor;
}

const FIELD_TYPES = new Set(['string', 'boolean', 'integer', 'enum', 'string-list', 'string-map']);

/** Lists how `value` breaks the flavor contract; empty when it is a valid flavor. */
export function flavorProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['it is not an object.'];
  const flavor = value as Record<string, unknown>;
  const problems: string[] = [];
  if (flavor['specificationVersion'] !== 'v1') {
    problems.push(`"specificationVersion" must be "v1" (this registrykit supports v1); got ${JSON.stringify(flavor['specificationVersion'])}.`);
  }
  const id = flavor['id'];
  if (typeof id !== 'string' || !/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(id)) {
    problems.push(`"id" must be a kebab-case string such as "my-registry"; got ${JSON.stringify(id)}.`);
  }
  for (const key of ['displayName', 'description']) {
    if (typeof flavor[key] !== 'string' || (flavor[key] as string).length === 0) problems.push(`"${key}" must be a non-empty string.`);
  }
  if (typeof flavor['create'] !== 'function') problems.push('"create" must be a function (config, context) => implementation.');
  const schema = flavor['configSchema'];
  if (typeof schema !== 'object' || schema === null) {
    problems.push('"configSchema" must be an object of fields; start from baseRegistryConfigSchema().');
  } else {
    const fields = schema as Record<string, { type?: unknown; required?: unknown; description?: unknown } | undefined>;
    const uri = fields['uri'];
    if (!uri || uri.type !== 'string' || uri.required !== true) problems.push('"configSchema.uri" must be a required string field.');
    for (const [key, spec] of Object.entries(fields)) {
      if (!spec || !FIELD_TYPES.has(spec.type as string)) problems.push(`"configSchema.${key}" has an unknown field type ${JSON.stringify(spec?.type)}.`);
      else if (typeof spec.description !== 'string') problems.push(`"configSchema.${key}" needs a "description".`);
    }
  }
  const connectorTypes = flavor['connectorTypes'];
  if (connectorTypes !== undefined && (!Array.isArray(connectorTypes) || !connectorTypes.every((item) => typeof item === 'string'))) {
    problems.push('"connectorTypes" must be a list of connector type names.');
  }
  return problems;
}

/** Throws INVALID_FLAVOR when `value` is not a flavor; `source` names where it came from. */
export function assertFlavor(value: unknown, source: string): asserts value is ContainerRegistryFlavor {
  const problems = flavorProblems(value);
  if (problems.length > 0) {
    throw new RegistryKitError('INVALID_FLAVOR', `${source} is not a valid container registry flavor:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`, {
      details: { source, problems },
    });
  }
}
