import type { Readable } from 'node:stream';
import {
  type DeleteImageResult,
  type ImageReference,
  type ImageSummary,
  type RegistryApi,
  type RegistryApiRequest,
  RegistryKitError,
  type RepositoryReference,
} from '@registrykit/core';
import { fetchBlob } from './blob-download.js';
import type { BlobSource } from './blob-source.js';
import { blobExists, type BlobPushStatus, pushBlob, type UploadMode } from './blob-upload.js';
import { HttpTransport } from './http-transport.js';
import { deleteRegistryImage } from './image-deletion.js';
import { listRepositoryImages } from './image-listing.js';
import { type FetchedManifest, getManifest, headManifest, type ManifestHead, putManifest } from './manifest-requests.js';
import { DEFAULT_MANIFEST_SIZE_LIMIT, type ManifestBytes } from './manifests.js';
import { RegistryAuth } from './registry-auth.js';
import { RegistryHttp, repositoryScope } from './registry-http.js';
import { resolveRetryPolicy, type RetryPolicy } from './retry.js';
import { DEFAULT_PAGE_SIZE, listAllRepositories, listAllTags } from './tags.js';
import type { TokenGrant } from './token-request.js';

export interface OciClientOptions {
  /**
   * Registry host → API base URL, e.g. `{ 'registry.example.com': 'https://10.0.0.5:5000' }`:
   * mirrors, private links, and tests' local servers under a real host name.
   */
  readonly endpoints?: Readonly<Record<string, string>> | undefined;
  /**
   * Hosts reached over plain HTTP (insecure registries). Loopback hosts (`localhost`,
   * `127.x.y.z`, `[::1]`) always are, unless `plainHttpLoopback` is false; everything else
   * uses HTTPS. An `endpoints` entry overrides both rules.
   */
  readonly plainHttpRegistries?: readonly string[] | undefined;
  /** Default true: loopback registries are plain HTTP, as `docker` treats them. */
  readonly plainHttpLoopback?: boolean | undefined;
  /** Extra PEM CA certificates to trust (private CAs), on top of Node's roots and NODE_EXTRA_CA_CERTS. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[] | undefined;
  /** Default `registrykit-oci/<version> node/<version>`. */
  readonly userAgent?: string | undefined;
  /** Requests in flight per registry host (and token service). Default 8. */
  readonly maxConcurrentRequestsPerHost?: number | undefined;
  /** Retries of 408/429/5xx and broken connections. Default: 5 attempts, 200 ms doubling to 10 s, Retry-After up to 60 s. */
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** A connection idle this long fails the request (then retried). Default 60 s. */
  readonly timeoutMs?: number | undefined;
  /** The largest manifest read or written. Default 4 MiB. */
  readonly manifestSizeLimit?: number | undefined;
  /** `n` for tag and catalog pages. Default 1000 (ECR's maximum). */
  readonly pageSize?: number | undefined;
  /** How usernames and passwords get bearer tokens: `get` (the spec's GET with Basic, default) or `oauth2` (the password grant, then GET). */
  readonly tokenGrant?: TokenGrant | undefined;
  /** How blob bytes are sent: `monolithic` (default), `streamed` or `chunked`. */
  readonly uploadMode?: UploadMode | undefined;
  /** Bytes per PATCH in chunked uploads and resumptions. Default 16 MiB (raised to the registry's `OCI-Chunk-Min-Length`). */
  readonly chunkSize?: number | undefined;
}

/** A lookup made as part of a push. */
export interface LookupRequest extends RegistryApiRequest {
  /** Ask with the push scope (`pull,push`), so one token serves a whole push. Default false. */
  readonly forPush?: boolean | undefined;
}

/** Options of one blob push. */
export interface PushBlobRequest extends RegistryApiRequest {
  /** Repositories on the same registry to mount the blob from before uploading it. */
  readonly mountFrom?: readonly string[] | undefined;
  /** Skip the existence check (the caller HEADed already). */
  readonly knownMissing?: boolean | undefined;
  readonly onProgress?: ((sent: number) => void) | undefined;
}

/**
 * An OCI distribution client. It implements core's `RegistryApi` (what the container registry
 * component needs) and exposes the manifest, blob and listing calls a daemonless push uses.
 */
export interface OciClient extends RegistryApi {
  /** The manifest's digest, media type and size, or undefined when it does not exist. */
  headManifest(image: ImageReference, request: LookupRequest): Promise<ManifestHead | undefined>;
  /** The manifest's exact bytes, digest and content, or undefined when it does not exist. */
  getManifest(image: ImageReference, request: RegistryApiRequest): Promise<FetchedManifest | undefined>;
  /** Writes a manifest under `image`'s tag (or digest); answers the digest the registry stored. */
  putManifest(image: ImageReference, manifest: ManifestBytes, request: RegistryApiRequest): Promise<string>;
  blobExists(repository: RepositoryReference, digest: string, request: LookupRequest): Promise<boolean>;
  /** Streams a blob, verifying its digest (the stream fails on a mismatch). */
  getBlob(repository: RepositoryReference, digest: string, request: RegistryApiRequest): Promise<Readable>;
  /** Makes a blob present: HEAD, cross-repository mount, else an upload that resumes when interrupted. */
  pushBlob(repository: RepositoryReference, blob: BlobSource, request: PushBlobRequest): Promise<BlobPushStatus>;
  /** The repositories of a registry (`/v2/_catalog`), where the registry allows it. */
  listRepositories(registry: string, request: RegistryApiRequest): Promise<string[]>;
  /** Closes idle keep-alive connections (a process exits without it too). */
  close(): void;
}

const VERSION = '0.0.0';

/** Creates an OCI distribution client; it touches nothing until the first call. */
export function createOciClient(options: OciClientOptions = {}): OciClient {
  const policy = resolveRetryPolicy(options.retry);
  const manifestSizeLimit = positive(options.manifestSizeLimit ?? DEFAULT_MANIFEST_SIZE_LIMIT, 'manifestSizeLimit');
  const pageSize = positive(options.pageSize ?? DEFAULT_PAGE_SIZE, 'pageSize');
  const chunkSize = positive(options.chunkSize ?? 16 * 1024 * 1024, 'chunkSize');
  const uploadMode = options.uploadMode ?? 'monolithic';
  if (!['monolithic', 'streamed', 'chunked'].includes(uploadMode)) {
    throw new RegistryKitError('INVALID_ARGUMENT', `Invalid uploadMode "${uploadMode}": use "monolithic", "streamed" or "chunked".`, { details: { field: 'uploadMode' } });
  }
  const tokenGrant = options.tokenGrant ?? 'get';
  if (tokenGrant !== 'get' && tokenGrant !== 'oauth2') {
    throw new RegistryKitError('INVALID_ARGUMENT', `Invalid tokenGrant "${tokenGrant}": use "get" or "oauth2".`, { details: { field: 'tokenGrant' } });
  }
  const transport = new HttpTransport({
    ca: options.ca,
    userAgent: options.userAgent ?? `registrykit-oci/${VERSION} node/${process.versions.node}`,
    maxConcurrentRequestsPerHost: positive(options.maxConcurrentRequestsPerHost ?? 8, 'maxConcurrentRequestsPerHost'),
    timeoutMs: positive(options.timeoutMs ?? 60_000, 'timeoutMs'),
  });
  const http = new RegistryHttp(transport, new RegistryAuth(transport, policy, tokenGrant), policy, {
    endpoints: options.endpoints,
    plainHttpRegistries: options.plainHttpRegistries,
    plainHttpLoopback: options.plainHttpLoopback,
  });
  const call = (registry: string, request: RegistryApiRequest) => ({ registry, credentials: request.credentials, signal: request.signal });

  return {
    async checkCredentials(registryHost, request) {
      const response = await http.expect(call(registryHost, request), { method: 'GET', target: '/v2/', scopes: [], action: `checking the credentials for ${registryHost}` }, [200]);
      await response.discard();
    },

    async getManifestDigest(image, request) {
      return (await headManifest(http, image, request, manifestSizeLimit))?.digest;
    },

    listTags(repository, request) {
      return listAllTags(http, call(repository.registry, request), repository.repository, pageSize);
    },

    listImages(repository, request): Promise<ImageSummary[]> {
      return listRepositoryImages(http, repository, request, { pageSize, manifestSizeLimit, concurrency: 8 });
    },

    deleteImage(image, request): Promise<DeleteImageResult> {
      return deleteRegistryImage(http, image, request, manifestSizeLimit);
    },

    headManifest(image, request) {
      return headManifest(http, image, request, manifestSizeLimit, request.forPush ? [repositoryScope(image.repository, 'pull,push')] : undefined);
    },

    getManifest(image, request) {
      return getManifest(http, image, request, manifestSizeLimit);
    },

    putManifest(image, manifest, request) {
      return putManifest(http, image, manifest, request, manifestSizeLimit);
    },

    blobExists(repository, digest, request) {
      const scopes = [repositoryScope(repository.repository, request.forPush ? 'pull,push' : 'pull')];
      return blobExists(http, call(repository.registry, request), repository.repository, digest, scopes);
    },

    getBlob(repository, digest, request) {
      return fetchBlob(http, call(repository.registry, request), repository.repository, digest);
    },

    pushBlob(repository, blob, request) {
      return pushBlob(http, call(repository.registry, request), repository.repository, blob, {
        mode: uploadMode,
        chunkSize,
        mountFrom: request.mountFrom,
        knownMissing: request.knownMissing,
        onProgress: request.onProgress,
      });
    },

    listRepositories(registry, request) {
      return listAllRepositories(http, call(registry, request), pageSize);
    },

    close() {
      transport.close();
    },
  };
}

function positive(value: number, field: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RegistryKitError('INVALID_ARGUMENT', `Invalid ${field}: ${value}. Use a positive integer.`, { details: { field } });
  }
  return value;
}
