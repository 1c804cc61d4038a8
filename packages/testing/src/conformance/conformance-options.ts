import type {
  BaseRegistryConfigSchema,
  ConfigSchema,
  ContainerRegistryFlavor,
  CredentialProvider,
  ImagePusher,
  RegistryApi,
  RegistryCredentials,
  ServiceConnector,
} from '@registrykit/core';
import type { SkopeoOptions } from '../skopeo.js';

/**
 * The test functions the kit registers its checks with: vitest's (or any runner's with the same
 * shape). The kit imports no test runner, so it works with the one the flavor's package uses.
 */
export interface ConformanceTestApi {
  readonly describe: (name: string, body: () => void) => unknown;
  readonly it: (name: string, body: () => Promise<void>) => unknown;
  /** Only `expect(actual, message).toEqual(expected)` is used: every check compares a list of problems with `[]`. */
  readonly expect: (actual: unknown, message?: string) => { toEqual(expected: unknown): unknown };
  /** Needed with `live`: the registry is started once before the live checks and stopped after them. */
  readonly beforeAll?: ((body: () => Promise<void>) => unknown) | undefined;
  readonly afterAll?: ((body: () => Promise<void>) => unknown) | undefined;
}

/**
 * What a component of the flavor can do beyond pushing, natively or through the registry API it
 * is given. A capability left out must be absent from the flavor's implementation (the component
 * then answers UNSUPPORTED or uses the registry API), never a method that only throws because the registry cannot do it.
 * Live runs check every declared capability end to end.
 */
export interface FlavorCapabilities {
  readonly listTags?: boolean | undefined;
  readonly listImages?: boolean | undefined;
  /** `deleteImage`, and `deleteImages` when the flavor deletes in batches. */
  readonly deleteImage?: boolean | undefined;
  readonly listRepositories?: boolean | undefined;
}

export type CapabilityName = keyof FlavorCapabilities;

export const CAPABILITY_NAMES: readonly CapabilityName[] = ['listTags', 'listImages', 'deleteImage', 'listRepositories'];

/** A configuration the flavor must refuse, and the field the refusal must name. */
export interface InvalidConfigExample {
  readonly config: Readonly<Record<string, unknown>>;
  /** The field `details.problems` must name, e.g. `uri`. */
  readonly field: string;
  /** Text (or a pattern) the problem's message must contain, e.g. the form the uri should have. */
  readonly message?: string | RegExp | undefined;
}

/** Image names for the first valid configuration: ones its component must claim, and ones it must refuse. */
export interface ImageExamples {
  readonly belonging?: readonly string[] | undefined;
  readonly foreign?: readonly string[] | undefined;
}

/** A running registry (and whatever else the flavor talks to) and the parts a component needs to reach it. */
export interface LiveConformanceTarget {
  /** A configuration whose uri points at the running registry. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly pusher: ImagePusher;
  readonly registryApi?: RegistryApi | undefined;
  readonly credentials?: RegistryCredentials | CredentialProvider | undefined;
  readonly connector?: ServiceConnector | undefined;
  /** The environment the component sees. Default: empty. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** The repository (path under the uri) images are pushed to. Default: the config's defaultRepository, else `conformance`. */
  readonly repository?: string | undefined;
  /**
   * Makes a new, unique image to push as `image` and answers the pusher's `source` for it: e.g.
   * `buildTestImage({ dockerHost, tag: image })` and undefined for the Docker engine, or
   * `(await createTestOciLayout()).source` for a daemonless push.
   */
  readonly createImage: (image: string) => Promise<string | undefined>;
  /** How skopeo reaches the registry. Default: plain HTTP or unverified TLS, with the component's credentials when they are a username and password. */
  readonly skopeo?: SkopeoOptions | undefined;
  /** Stops what `start` started. */
  readonly stop: () => Promise<void>;
}

export interface LiveConformanceOptions {
  /** Starts the registry (`startRegistry`) and anything else the flavor talks to; called once, before the live checks. */
  readonly start: () => Promise<LiveConformanceTarget>;
}

export interface FlavorConformanceOptions<Schema extends BaseRegistryConfigSchema & ConfigSchema = BaseRegistryConfigSchema> {
  readonly flavor: ContainerRegistryFlavor<Schema>;
  /**
   * The package's entry module (`import * as entry from './index.js'`): the kit checks it exports
   * the flavor as `flavor`, the name `registrykit container-registry flavor register` imports.
   */
  readonly entry?: Readonly<Record<string, unknown>> | undefined;
  /** Configurations the flavor must accept (at least one). The kit also checks each with a trailing slash on its uri. */
  readonly validConfigs: readonly Readonly<Record<string, unknown>>[];
  /** Configurations it must refuse (at least one), each with the field the refusal names. */
  readonly invalidConfigs: readonly InvalidConfigExample[];
  /** Images for the first valid configuration, on top of the ones the kit derives from each uri. */
  readonly images?: ImageExamples | undefined;
  readonly capabilities: FlavorCapabilities;
  /** Checks against a running registry: a push end to end and every declared capability. */
  readonly live?: LiveConformanceOptions | undefined;
}
