import { type ConfigOf, type ConfigSchema, validateConfig } from './config-schema.js';
import { createDockerCredentialResolver, type DockerCredentialResolver } from './credentials/docker-credential-resolver.js';
import { type CredentialProvider, credentialsExpireSoon, type RegistryCredentials } from './credentials/registry-credentials.js';
import { RegistryKitError } from './errors.js';
import type { BaseRegistryConfigSchema, CallOptions, ContainerRegistryFlavor, FlavorImplementation } from './flavor.js';
import {
  canonicalRegistryHost,
  formatImageReference,
  type ImageReference,
  isValidTag,
  parseImageReference,
  repositoryPathProblem,
  tryParseImageReference,
} from './image-reference.js';
import type { ImagePusher, PushProgressEvent, PushResult } from './image-pusher.js';
import type { DeleteImageResult, ImageSummary, RegistryApi, RepositoryReference } from './registry-api.js';
import { isLoopbackHost, parseRegistryUri, type RegistryUri } from './registry-uri.js';
import type { ServiceConnector } from './service-connector.js';

/** Where a component's credentials came from; never the secret. */
export type CredentialSource = 'explicit' | 'connector' | 'flavor' | `docker-config:${string}`;

export interface ResolvedRegistryCredentials {
  readonly credentials: RegistryCredentials;
  readonly source: CredentialSource;
}

export interface PushImageOptions extends CallOptions {
  /** A local image to tag as the target before pushing, e.g. `my-app:dev`, or what the pusher reads. */
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
  /** True when pushes need credentials: a connector or credentials were given, or the flavor always needs them. */
  readonly requiresAuthentication: boolean;
  /** The bound service connector, if any. */
  readonly connector: ServiceConnector | undefined;
  /** True when `image` names a repository under this registry's uri. */
  isValidImageNameForRegistry(image: string): boolean;
  /** `<uri>/<repository>:<tag>`, with `defaultRepository` when no repository is given. */
  imageName(options: { readonly repository?: string | undefined; readonly tag?: string | undefined }): string;
  /** The credentials pushes use, and their source. */
  resolveCredentials(options?: CallOptions): Promise<ResolvedRegistryCredentials | undefined>;
  credentials(options?: CallOptions): Promise<RegistryCredentials | undefined>;
  /** Flavor checks before a push of `image` (under the uri), e.g. that an ECR repository exists; a no-op for most flavors. */
  prepareImagePush(image: string, options?: CallOptions): Promise<void>;
  /**
   * Pushes `image` after checking it belongs to this registry and running `prepareImagePush`.
   * Resolves with the pushed digest and the immutable `repo@sha256:…` reference.
   */
  pushImage(image: string, options?: PushImageOptions): Promise<PushResult>;
  /** The manifest digest `image` (a tag or digest under the uri) points at, or undefined when absent. */
  getImageDigest(image: string, options?: CallOptions): Promise<string | undefined>;
  imageExists(image: string, options?: CallOptions): Promise<boolean>;
  /** The repositories under the uri, as full names (`<host>/<path>`) that `listTags` and `listImages` take. */
  listRepositories(options?: CallOptions): Promise<string[]>;
  /** The tags of a repository under the uri, e.g. `localhost:5000/team/app`. */
  listTags(repository: string, options?: CallOptions): Promise<string[]>;
  /** The images (manifests) of a repository under the uri, with tags and, where known, size and push time. */
  listImages(repository: string, options?: CallOptions): Promise<ImageSummary[]>;
  /** Deletes an image by digest (the manifest and its tags) or a single tag; partial failures are reported, not thrown. */
  deleteImage(image: string, options?: CallOptions): Promise<DeleteImageResult>;
  /**
   * Deletes several images (each a tag or a digest under the uri): in the flavor's batches where
   * it has them, else one by one. Every name is checked before anything is deleted; images that
   * are missing or refused are reported in `failures`, never hidden.
   */
  deleteImages(images: readonly string[], options?: CallOptions): Promise<DeleteImageResult>;
}

export interface CreateContainerRegistryOptions<Schema extends BaseRegistryConfigSchema & ConfigSchema> {
  readonly flavor: ContainerRegistryFlavor<Schema>;
  /** Validated against the flavor's schema; unknown keys are refused. */
  readonly config: unknown;
  /** The component's name, for messages. Default: the flavor id. */
  readonly name?: string | undefined;
  /** How images are pushed, e.g. `createDockerPusher()` from `@registrykit/docker`. */
  readonly pusher?: ImagePusher | undefined;
  /** The registry's HTTP API, e.g. `createOciClient()` from `@registrykit/oci`: digests, tags, listing, deletion. */
  readonly registryApi?: RegistryApi | undefined;
  /** A service connector the credentials come from. Its type must be one the flavor accepts. */
  readonly connector?: ServiceConnector | undefined;
  /** Explicit credentials, or a provider of short-lived ones. Not together with `connector`. */
  readonly credentials?: RegistryCredentials | CredentialProvider | undefined;
  /** Looks up ambient docker-config credentials; `false` turns that off. Default: a fresh resolver. */
  readonly dockerCredentials?: DockerCredentialResolver | false | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** Creates a container registry component from a flavor and its configuration. */
export function createContainerRegistry<Schema extends BaseRegistryConfigSchema & ConfigSchema>(
  setup: CreateContainerRegistryOptions<Schema>,
): ContainerRegistry {
  const { flavor, connector, registryApi } = setup;
  const name = setup.name ?? flavor.id;
  const config = validateConfig(flavor.configSchema, setup.config, `the "${flavor.id}" flavor`);
  // Every flavor schema extends the base one, which TypeScript cannot see through the generic.
  const base = config as unknown as ConfigOf<BaseRegistryConfigSchema>;
  const uri: RegistryUri = parseRegistryUri(base.uri);
  const env = setup.env ?? process.env;
  checkConnector(flavor, connector, setup.credentials !== undefined);
  const explicit: CredentialProvider | undefined = connector
    ? () => connector.getRegistryCredentials(uri.host)
    : toProvider(setup.credentials);
  const explicitSource: CredentialSource = connector ? 'connector' : 'explicit';
  // Fixed credentials that were refused stay refused; a provider or connector may hand out fresh ones.
  const explicitCanRefresh = connector !== undefined || typeof setup.credentials === 'function';
  const implementation: FlavorImplementation = flavor.create(config, {
    credentials: explicit,
    connector,
    registryApi,
    env,
    // Called only after setup, when `registry` exists.
    registryCredentials: (options) => registry.credentials(options),
  });
  const dockerCredentials = setup.dockerCredentials === false ? undefined : (setup.dockerCredentials ?? createDockerCredentialResolver({ env }));
  const defaultRepository = base.defaultRepository;
  let cached: ResolvedRegistryCredentials | undefined;

  function belongs(reference: ImageReference): boolean {
    if (canonicalRegistryHost(reference.registry) !== uri.host) return false;
    return uri.namespace === '' || reference.repository === uri.namespace || reference.repository.startsWith(`${uri.namespace}/`);
  }

  /** Parses `image` and checks it is under the uri; `what` names the argument in the error. */
  function ownReference(image: string, what: string): ImageReference {
    const reference = parseImageReference(image);
    if (!belongs(reference)) {
      throw new RegistryKitError(
        'IMAGE_NOT_IN_REGISTRY',
        `${what} "${image}" does not belong to container registry "${name}" (${uri.uri}): its name must start with "${uri.uri}/".`,
        { details: { image, registry: name, uri: uri.uri } },
      );
    }
    return reference;
  }

  async function lookUpCredentials(options: CallOptions): Promise<ResolvedRegistryCredentials | undefined> {
    const given = connector ? await connector.getRegistryCredentials(uri.host, options) : await explicit?.();
    if (given) return { credentials: given, source: explicitSource };
    const fromFlavor = await implementation.getCredentials?.(options);
    if (fromFlavor) return { credentials: fromFlavor, source: 'flavor' };
    const found = await dockerCredentials?.resolve(uri.host);
    if (found) return { credentials: found.credentials, source: `docker-config:${found.source}` };
    return undefined;
  }

  /** Runs `work` with the current credentials; when they are refused and can be refreshed, refreshes once. */
  async function withCredentials<T>(options: CallOptions, work: (credentials: RegistryCredentials | undefined) => Promise<T>): Promise<T> {
    try {
      return await work((await registry.resolveCredentials(options))?.credentials);
    } catch (error) {
      // Short-lived credentials can lapse between lookup and use (an expired ECR token).
      const canRefresh = cached !== undefined && (cached.source !== explicitSource || explicitCanRefresh);
      if (!RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED') || !canRefresh) throw error;
      forgetCredentials();
      return work((await registry.resolveCredentials(options))?.credentials);
    }
  }

  /**
   * Runs a native capability, which gets its credentials itself (an SDK's, or
   * `context.registryCredentials()`): when they are refused, every cache forgets them and it runs
   * once more, as the generic path does. Fixed credentials given in code cannot get better.
   */
  async function refreshingOnce<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const fixed = setup.credentials !== undefined && !explicitCanRefresh;
      if (!RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED') || fixed) throw error;
      forgetCredentials();
      return work();
    }
  }

  function forgetCredentials(): void {
    cached = undefined;
    connector?.invalidateCredentials?.();
    implementation.invalidateCredentials?.();
    dockerCredentials?.clear(uri.host);
  }

  function requireApi(capability: string): RegistryApi {
    if (registryApi) return registryApi;
    throw new RegistryKitError(
      'UNSUPPORTED',
      `Registry "${name}" cannot ${capability}: the ${flavor.id} flavor does not do it natively and no registry client was given. ` +
        'Pass `registryApi: createOciClient()` from @registrykit/oci.',
      { details: { registry: name, capability } },
    );
  }

  const registry: ContainerRegistry = {
    name,
    flavor: flavor.id,
    uri: uri.uri,
    host: uri.host,
    config,
    defaultRepository,
    connector,
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
      // A flavor acts on what it is given (ECR creates the repository), so a foreign name never reaches it.
      await implementation.prepareImagePush?.(ownReference(image, 'Image'), options);
    },

    async pushImage(image, options = {}) {
      const reference = ownReference(image, 'Image');
      if (reference.digest !== undefined) {
        throw new RegistryKitError('INVALID_ARGUMENT', `Cannot push "${image}": a push needs a tag, not a digest.`, { details: { image } });
      }
      const target = reference.tag === undefined ? { ...reference, tag: 'latest' } : reference;
      const pusher = options.pusher ?? setup.pusher;
      if (!pusher) {
        throw new RegistryKitError(
          'INVALID_ARGUMENT',
          `Registry "${name}" has no image pusher: pass one, e.g. \`createDockerPusher()\` from @registrykit/docker.`,
          { details: { registry: name } },
        );
      }
      await implementation.prepareImagePush?.(target, options);
      return withCredentials(options, (credentials) =>
        pusher.push({ image: target, credentials, source: options.source, signal: options.signal, onProgress: options.onProgress }),
      );
    },

    async getImageDigest(image, options = {}) {
      const reference = ownReference(image, 'Image');
      if (implementation.getImageDigest) return refreshingOnce(() => implementation.getImageDigest!(reference, options));
      const api = requireApi('look up image digests');
      return withCredentials(options, (credentials) => api.getManifestDigest(reference, { credentials, signal: options.signal }));
    },

    async imageExists(image, options = {}) {
      return (await registry.getImageDigest(image, options)) !== undefined;
    },

    async listRepositories(options = {}) {
      let paths: string[];
      if (implementation.listRepositories) {
        paths = await refreshingOnce(() => implementation.listRepositories!(options));
      } else {
        const catalog = registryApi?.listRepositories?.bind(registryApi);
        if (!catalog) {
          throw new RegistryKitError('UNSUPPORTED', `Registry "${name}" cannot list repositories: the ${flavor.id} flavor does not do it natively and the registry client gives no catalog.`, {
            details: { registry: name, capability: 'list repositories' },
          });
        }
        paths = await withCredentials(options, (credentials) => catalog(uri.host, { credentials, signal: options.signal }));
      }
      const under = uri.namespace === '' ? paths : paths.filter((path) => path === uri.namespace || path.startsWith(`${uri.namespace}/`));
      return under.map((path) => `${uri.host}/${path}`).sort();
    },

    async listTags(repository, options = {}) {
      const target = repositoryOf(ownReference(repository, 'Repository'), repository);
      if (implementation.listTags) return refreshingOnce(() => implementation.listTags!(target, options));
      const api = requireApi('list tags');
      return withCredentials(options, (credentials) => api.listTags(target, { credentials, signal: options.signal }));
    },

    async listImages(repository, options = {}) {
      const target = repositoryOf(ownReference(repository, 'Repository'), repository);
      if (implementation.listImages) return refreshingOnce(() => implementation.listImages!(target, options));
      const api = requireApi('list images');
      return withCredentials(options, (credentials) => api.listImages(target, { credentials, signal: options.signal }));
    },

    async deleteImage(image, options = {}) {
      const reference = deletableReference(image);
      if (implementation.deleteImage) return refreshingOnce(() => implementation.deleteImage!(reference, options));
      const api = requireApi('delete images');
      return withCredentials(options, (credentials) => api.deleteImage(reference, { credentials, signal: options.signal }));
    },

    async deleteImages(images, options = {}) {
      const references = images.map(deletableReference);
      if (implementation.deleteImages) return refreshingOnce(() => implementation.deleteImages!(references, options));
      const deleted: string[] = [];
      const failures: DeleteImageResult['failures'][number][] = [];
      for (const [index, image] of images.entries()) {
        try {
          const result = await registry.deleteImage(image, options);
          deleted.push(...result.deleted);
          failures.push(...result.failures);
        } catch (error) {
          if (!RegistryKitError.hasCode(error, 'NOT_FOUND', 'PERMISSION_DENIED')) throw error;
          failures.push({ reference: formatImageReference(references[index]!), code: error.code, reason: error.message });
        }
      }
      return { deleted, failures };
    },
  };

  function deletableReference(image: string): ImageReference {
    const reference = ownReference(image, 'Image');
    if (reference.tag === undefined && reference.digest === undefined) {
      throw new RegistryKitError('INVALID_ARGUMENT', `Cannot delete "${image}": name a tag or a digest.`, { details: { image } });
    }
    return reference;
  }
  return registry;
}

function repositoryOf(reference: ImageReference, given: string): RepositoryReference {
  if (reference.tag !== undefined || reference.digest !== undefined) {
    throw new RegistryKitError('INVALID_ARGUMENT', `"${given}" names an image; give the repository without a tag or digest.`, { details: { repository: given } });
  }
  return { registry: reference.registry, repository: reference.repository };
}

function checkConnector(flavor: { readonly id: string; readonly connectorTypes?: readonly string[] | undefined }, connector: ServiceConnector | undefined, hasCredentials: boolean): void {
  if (!connector) return;
  if (hasCredentials) {
    throw new RegistryKitError('INVALID_ARGUMENT', 'Give either a connector or credentials, not both.', { details: { flavor: flavor.id } });
  }
  const accepted = flavor.connectorTypes?.length ? flavor.connectorTypes : ['docker'];
  if (!accepted.includes(connector.type)) {
    throw new RegistryKitError(
      'INVALID_CONFIG',
      `The ${flavor.id} flavor accepts ${accepted.map((type) => `"${type}"`).join(' or ')} connectors, not a "${connector.type}" connector.`,
      { details: { field: 'connector', flavor: flavor.id, connectorType: connector.type, accepted } },
    );
  }
}

function toProvider(credentials: RegistryCredentials | CredentialProvider | undefined): CredentialProvider | undefined {
  if (credentials === undefined) return undefined;
  if (typeof credentials === 'function') return credentials;
  return async () => credentials;
}
