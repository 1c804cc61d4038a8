import { type ConfigOf, type ConfigSchema, validateConfig } from './config-schema.js';
import { createDockerCredentialResolver, type DockerCredentialResolver } from './credentials/docker-credential-resolver.js';
import { type CredentialProvider, credentialsExpireSoon, type RegistryCredentials } from './credentials/registry-credentials.js';
import { RegistryKitError } from './errors.js';
import type { BaseRegistryConfigSchema, CallOptions, ContainerRegistryFlavor, FlavorImplementation } from './flavor.js';
import {
  canonicalRegistryHost,
  type ImageReference,
  isValidTag,
  parseImageReference,
  repositoryPathProblem,
  tryParseImageReference,
} from './image-reference.js';
import type { ImagePusher, PushProgressEvent, PushResult } from './image-pusher.js';
import { isLoopbackHost, parseRegistryUri, type RegistryUri } from './registry-uri.js';

/** Where a component's credentials came from; never the secret. */
export type CredentialSource = 'explicit' | 'flavor' | `docker-config:${string}`;

export interface ResolvedRegistryCredentials {
  readonly credentials: RegistryCredentials;
  readonly source: CredentialSource;
}

export interface PushImageOptions extends CallOptions {
  /** A local image to tag as the target before pushing, e.g. `my-app:dev`. */
  readonly source?: string | undefined;
  /** Overrides the component's pusher for this call. */
  readonly pusher?: ImagePusher | undefined;
  readonly onProgress?: ((event: PushProgressEvent) => void) | undefined;
}

/** A configured instance of a flavor: the container registry component. */
export interface ContainerRegistry {
  /** The component's name, e.g. `ecr-prod`. */
  readonly name: string;
  /** The flavor id, e.g. `default`. */
  readonly flavor: string;
  /** The uri images are pushed under, without trailing slashes. */
  readonly uri: string;
  /** The registry host, `host[:port]`. */
  readonly host: string;
  /** The validated configuration. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly defaultRepository: string | undefined;
  /** True when the registry runs on this machine (any loopback host and port). */
  readonly isLocal: boolean;
  /** True when pushes need credentials: explicit ones were given, or the flavor always needs them. */
  readonly requiresAuthentication: boolean;
  /** True when `image` names a repository under this registry's uri. */
  isValidImageNameForRegistry(image: string): boolean;
  /** `<uri>/<repository>:<tag>`, with `defaultRepository` when no repository is given. */
  imageName(options: { readonly repository?: string | undefined; readonly tag?: string | undefined }): string;
  /** The credentials pushes use, and their source. */
  resolveCredentials(options?: CallOptions): Promise<ResolvedRegistryCredentials | undefined>;
  credentials(options?: CallOptions): Promise<RegistryCredentials | undefined>;
  /** Flavor checks before a push (no-op for most flavors). */
  prepareImagePush(image: string, options?: CallOptions): Promise<void>;
  /**
   * Pushes `image` after checking it belongs to this registry and running `prepareImagePush`.
   * Resolves with the pushed digest and the immutable `repo@sha256:…` reference.
   */
  pushImage(image: string, options?: PushImageOptions): Promise<PushResult>;
}

export interface CreateContainerRegistryOptions<Schema extends BaseRegistryConfigSchema & ConfigSchema> {
  readonly flavor: ContainerRegistryFlavor<Schema>;
  /** Validated against the flavor's schema; unknown keys are refused. */
  readonly config: unknown;
  /** The component's name, for messages. Default: the flavor id. */
  readonly name?: string | undefined;
  /** How images are pushed, e.g. `createDockerPusher()` from `@registrykit/docker`. */
  readonly pusher?: ImagePusher | undefined;
  /** Explicit credentials, or a provider of short-lived ones (a service connector). */
  readonly credentials?: RegistryCredentials | CredentialProvider | undefined;
  /** Looks up ambient docker-config credentials; `false` turns that off. Default: a fresh resolver. */
  readonly dockerCredentials?: DockerCredentialResolver | false | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** Creates a container registry component from a flavor and its configuration. */
export function createContainerRegistry<Schema extends BaseRegistryConfigSchema & ConfigSchema>(
  setup: CreateContainerRegistryOptions<Schema>,
): ContainerRegistry {
  const { flavor } = setup;
  const name = setup.name ?? flavor.id;
  const config = validateConfig(flavor.configSchema, setup.config, `the "${flavor.id}" flavor`);
  // Every flavor schema extends the base one, which TypeScript cannot see through the generic.
  const base = config as unknown as ConfigOf<BaseRegistryConfigSchema>;
  const uri: RegistryUri = parseRegistryUri(base.uri);
  const env = setup.env ?? process.env;
  const explicit = toProvider(setup.credentials);
  // Fixed credentials that were refused stay refused; a provider may hand out fresh ones.
  const explicitCanRefresh = typeof setup.credentials === 'function';
  const implementation: FlavorImplementation = flavor.create(config, { credentials: explicit, env });
  const dockerCredentials = setup.dockerCredentials === false ? undefined : (setup.dockerCredentials ?? createDockerCredentialResolver({ env }));
  const defaultRepository = base.defaultRepository;
  let cached: ResolvedRegistryCredentials | undefined;

  function belongs(reference: ImageReference): boolean {
    if (canonicalRegistryHost(reference.registry) !== uri.host) return false;
    return uri.namespace === '' || reference.repository === uri.namespace || reference.repository.startsWith(`${uri.namespace}/`);
  }

  async function lookUpCredentials(options: CallOptions): Promise<ResolvedRegistryCredentials | undefined> {
    const given = await explicit?.();
    if (given) return { credentials: given, source: 'explicit' };
    const fromFlavor = await implementation.getCredentials?.(options);
    if (fromFlavor) return { credentials: fromFlavor, source: 'flavor' };
    const found = await dockerCredentials?.resolve(uri.host);
    if (found) return { credentials: found.credentials, source: `docker-config:${found.source}` };
    return undefined;
  }

  function forgetCredentials(): void {
    cached = undefined;
    implementation.invalidateCredentials?.();
    dockerCredentials?.clear(uri.host);
  }

  const registry: ContainerRegistry = {
    name,
    flavor: flavor.id,
    uri: uri.uri,
    host: uri.host,
    config,
    defaultRepository,
    isLocal: implementation.isLocal ?? isLoopbackHost(uri.host),
    requiresAuthentication: explicit !== undefined || implementation.requiresAuthentication === true,

    isValidImageNameForRegistry(image) {
      const reference = tryParseImageReference(image);
      return reference !== undefined && belongs(reference);
    },

    imageName({ repository, tag }) {
      const path = repository ?? defaultRepository;
      if (path === undefined || path.length === 0) {
        throw new RegistryKitError(
          'INVALID_ARGUMENT',
          `No repository for an image in registry "${name}" (${uri.uri}): pass a repository or set "defaultRepository" in its config.`,
          { details: { registry: name } },
        );
      }
      const problem = repositoryPathProblem(path);
      if (problem) throw new RegistryKitError('INVALID_ARGUMENT', `Invalid repository: ${problem}`, { details: { repository: path } });
      const finalTag = tag ?? 'latest';
      if (!isValidTag(finalTag)) {
        throw new RegistryKitError('INVALID_ARGUMENT', `Invalid tag "${finalTag}": use letters, digits, "_", "." and "-" (up to 128, not starting with "." or "-").`, {
          details: { tag: finalTag },
        });
      }
      return `${uri.uri}/${path}:${finalTag}`;
    },

    async resolveCredentials(options = {}) {
      if (cached && !credentialsExpireSoon(cached.credentials)) return cached;
      cached = await lookUpCredentials(options);
      return cached;
    },

    async credentials(options = {}) {
      return (await registry.resolveCredentials(options))?.credentials;
    },

    async prepareImagePush(image, options = {}) {
      await implementation.prepareImagePush?.(parseImageReference(image), options);
    },

    async pushImage(image, options = {}) {
      const reference = parseImageReference(image);
      if (!belongs(reference)) {
        throw new RegistryKitError(
          'IMAGE_NOT_IN_REGISTRY',
          `Image "${image}" does not belong to container registry "${name}" (${uri.uri}): its name must start with "${uri.uri}/".`,
          { details: { image, registry: name, uri: uri.uri } },
        );
      }
      const target = reference.tag === undefined && reference.digest === undefined ? { ...reference, tag: 'latest' } : reference;
      if (target.digest !== undefined) {
        throw new RegistryKitError('INVALID_ARGUMENT', `Cannot push "${image}": a push needs a tag, not a digest.`, { details: { image } });
      }
      const pusher = options.pusher ?? setup.pusher;
      if (!pusher) {
        throw new RegistryKitError(
          'INVALID_ARGUMENT',
          `Registry "${name}" has no image pusher: pass one, e.g. \`createDockerPusher()\` from @registrykit/docker.`,
          { details: { registry: name } },
        );
      }
      await implementation.prepareImagePush?.(target, options);
      const attempt = async () =>
        pusher.push({
          image: target,
          credentials: (await registry.resolveCredentials(options))?.credentials,
          source: options.source,
          signal: options.signal,
          onProgress: options.onProgress,
        });
      try {
        return await attempt();
      } catch (error) {
        // Short-lived credentials can lapse between lookup and use (an ECR token): refresh once.
        const canRefresh = cached !== undefined && (cached.source !== 'explicit' || explicitCanRefresh);
        if (!RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED') || !canRefresh) throw error;
        forgetCredentials();
        return attempt();
      }
    },
  };
  return registry;
}

function toProvider(credentials: RegistryCredentials | CredentialProvider | undefined): CredentialProvider | undefined {
  if (credentials === undefined) return undefined;
  if (typeof credentials === 'function') return credentials;
  return async () => credentials;
}
