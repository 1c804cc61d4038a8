import type { RegistryCredentials } from './credentials/registry-credentials.js';
import type { CallOptions } from './flavor.js';
import type { ImageReference } from './image-reference.js';

/** A registry call: the credentials to use (undefined for anonymous) and an optional signal. */
export interface RegistryApiRequest extends CallOptions {
  readonly credentials: RegistryCredentials | undefined;
}

/** A repository inside a registry, e.g. `{ registry: 'localhost:5000', repository: 'team/app' }`. */
export interface RepositoryReference {
  readonly registry: string;
  readonly repository: string;
}

/** An image (a manifest) in a repository, as listings report it. */
export interface ImageSummary {
  /** The manifest digest, `sha256:…`. */
  readonly digest: string;
  /** The tags pointing at it; empty for an untagged manifest. */
  readonly tags: readonly string[];
  readonly mediaType?: string | undefined;
  /** When it was pushed or last updated, when the registry says. */
  readonly pushedAt?: Date | undefined;
  /** Its size in bytes (compressed layers + config), when the registry says. */
  readonly sizeBytes?: number | undefined;
  /** For an image index / manifest list: the digests of its per-platform children. */
  readonly childDigests?: readonly string[] | undefined;
}

/** What a deletion did. Partial failure is reported here, not thrown. */
export interface DeleteImageResult {
  /** The references deleted, e.g. `repo@sha256:…` or `repo:tag`. */
  readonly deleted: readonly string[];
  readonly failures: readonly {
    readonly reference: string;
    /** A stable reason, e.g. `ImageReferencedByManifestList`, `NOT_FOUND`, `UNSUPPORTED`. */
    readonly code: string;
    readonly reason: string;
  }[];
}

/**
 * The registry's own HTTP API (OCI distribution), as the container registry component needs it.
 * `@registrykit/oci` implements it; flavors whose registries differ override single capabilities.
 */
export interface RegistryApi {
  /** Proves `credentials` are accepted by `registryHost` (ping and, where needed, a token); throws AUTHENTICATION_FAILED. */
  checkCredentials(registryHost: string, request: RegistryApiRequest): Promise<void>;
  /** The manifest digest `image` (by tag or digest) resolves to, or undefined when it does not exist. */
  getManifestDigest(image: ImageReference, request: RegistryApiRequest): Promise<string | undefined>;
  /** Every repository path in the registry (the `_catalog`), where the registry allows it. */
  listRepositories?(registryHost: string, request: RegistryApiRequest): Promise<string[]>;
  /** Every tag of the repository, following pagination. */
  listTags(repository: RepositoryReference, request: RegistryApiRequest): Promise<string[]>;
  /** The manifests of the repository with their tags (and children, for indexes). */
  listImages(repository: RepositoryReference, request: RegistryApiRequest): Promise<ImageSummary[]>;
  /**
   * Deletes `image`: by digest, the manifest and every tag on it; by tag, only that tag.
   * A registry that refuses (405) is reported as an UNSUPPORTED failure.
   */
  deleteImage(image: ImageReference, request: RegistryApiRequest): Promise<DeleteImageResult>;
}
