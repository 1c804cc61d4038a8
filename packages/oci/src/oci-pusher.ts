import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatImageReference,
  type ImagePusher,
  type ImagePushRequest,
  type ImageReference,
  imageRepositoryName,
  type LayerStatus,
  type PushResult,
  RegistryKitError,
} from '@registrykit/core';
import { KeyedLimiter, settleAll } from './concurrency.js';
import { openImageSource, parseImageSource } from './image-source.js';
import { gzipToFile } from './layer-compression.js';
import { describeManifest, gzipMediaTypeFor, type LocalBlob, type LocalManifest, manifestBytes } from './local-image.js';
import { type Descriptor, DEFAULT_MANIFEST_SIZE_LIMIT, type ManifestBytes, sha256Digest } from './manifests.js';
import { createOciClient, type OciClient, type OciClientOptions } from './oci-client.js';

export interface OciPusherOptions {
  /** The client to push with (shared connections and tokens). Default: `createOciClient(clientOptions)`. */
  readonly client?: OciClient | undefined;
  readonly clientOptions?: OciClientOptions | undefined;
  /** Blobs pushed (and compressed) at once. Default 4, as go-containerregistry. */
  readonly concurrency?: number | undefined;
  /** Gzip layers that are uncompressed in the source (a `docker save` archive's are). Default false. */
  readonly compressLayers?: boolean | undefined;
  /** zlib level 1 (fast) to 9 (small). Default 6. */
  readonly compressionLevel?: number | undefined;
  /** Repositories on the target registry to mount blobs from before uploading them. */
  readonly mountFrom?: readonly string[] | undefined;
  /** Where compressed layers are written while a push runs. Default: the OS temporary directory. */
  readonly tempDirectory?: string | undefined;
  /** The largest manifest or config read from the source. Default 4 MiB. */
  readonly manifestSizeLimit?: number | undefined;
}

export interface OciPusher extends ImagePusher {
  readonly client: OciClient;
}

/**
 * A daemonless image pusher: it reads the image named by the push request's `source`
 * (`oci:<dir>[:<tag>]` or `docker-archive:<path>[:<name:tag>]`) and pushes it over the
 * registry API. Blobs go up in parallel (bounded), those the registry has are skipped after a
 * HEAD, others are mounted from repositories this pusher pushed them to before (or
 * `mountFrom`), and the rest stream from disk. Manifests go last: an image's after all its
 * blobs, an index's after all its children.
 */
export function createOciPusher(options: OciPusherOptions = {}): OciPusher {
  const client = options.client ?? createOciClient(options.clientOptions);
  const concurrency = checkedInteger(options.concurrency ?? 4, 'concurrency', 1, 64);
  const level = checkedInteger(options.compressionLevel ?? 6, 'compressionLevel', 1, 9);
  const manifestSizeLimit = checkedInteger(options.manifestSizeLimit ?? DEFAULT_MANIFEST_SIZE_LIMIT, 'manifestSizeLimit', 1, Number.MAX_SAFE_INTEGER);
  // Where blobs were seen, `registry` → digest → repositories: mount candidates for later pushes.
  const seen = new Map<string, Map<string, Set<string>>>();

  function remember(registry: string, digest: string, repository: string): void {
    const byDigest = seen.get(registry) ?? new Map<string, Set<string>>();
    seen.set(registry, byDigest);
    const repositories = byDigest.get(digest) ?? new Set<string>();
    byDigest.set(digest, repositories);
    repositories.add(repository);
  }

  return {
    name: 'oci',
    client,
    async push(request: ImagePushRequest): Promise<PushResult> {
      const source = parseImageSource(request.source);
      const target = request.image;
      const tag = target.tag ?? 'latest';
      const name = formatImageReference({ registry: target.registry, repository: target.repository, tag });
      const repository = { registry: target.registry, repository: target.repository };
      // The first failure stops the rest of the push rather than letting it run on.
      const stop = new AbortController();
      const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
      let firstFailure: unknown;
      const call = { credentials: request.credentials, signal };
      const local = await openImageSource(source, manifestSizeLimit);
      const limiter = new KeyedLimiter(concurrency);
      const blobs = new Map<string, Promise<Descriptor>>();
      let tempDirectory: Promise<string> | undefined;
      const progress = request.onProgress;

      const layerEvent = (digest: string, status: LayerStatus, current?: number, total?: number) =>
        progress?.({ type: 'layer', layer: digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13), status, current, total });

      async function prepare(blob: LocalBlob & { source: NonNullable<LocalBlob['source']> }): Promise<LocalBlob & { source: NonNullable<LocalBlob['source']> }> {
        const gzipType = options.compressLayers ? gzipMediaTypeFor(blob.descriptor.mediaType) : undefined;
        if (gzipType === undefined) return blob;
        tempDirectory ??= makeTempDirectory(options.tempDirectory ?? tmpdir());
        const file = join(await tempDirectory, blob.descriptor.digest.replace(':', '-'));
        const compressed = await gzipToFile(blob.source, file, level, signal);
        return { descriptor: { ...blob.descriptor, mediaType: gzipType, digest: compressed.digest, size: compressed.size }, source: compressed };
      }

      function pushOne(blob: LocalBlob): Promise<Descriptor> {
        const { source: bytes } = blob;
        // A foreign layer the source does not hold stays a reference.
        if (bytes === undefined) return Promise.resolve(blob.descriptor);
        const key = blob.descriptor.digest;
        const existing = blobs.get(key);
        if (existing) return existing;
        const pushed = (async () => {
          let release: (() => void) | undefined;
          try {
            // Whether the registry has it is asked at once for every blob (a re-push is all HEADs);
            // only the work of compressing and uploading waits for one of the bounded slots.
            const compress = options.compressLayers === true && gzipMediaTypeFor(blob.descriptor.mediaType) !== undefined;
            if (!compress && (await client.blobExists(repository, key, { ...call, forPush: true }))) {
              layerEvent(key, 'exists', blob.descriptor.size, blob.descriptor.size);
              remember(target.registry, key, target.repository);
              return blob.descriptor;
            }
            layerEvent(key, 'waiting');
            release = await limiter.acquire('blobs', signal);
            layerEvent(key, 'preparing');
            const ready = await prepare({ descriptor: blob.descriptor, source: bytes });
            const { digest, size } = ready.descriptor;
            const mountFrom = [...(seen.get(target.registry)?.get(digest) ?? []), ...(options.mountFrom ?? [])].filter((from) => from !== target.repository).slice(0, 3);
            let reported = 0;
            const status = await client.pushBlob(repository, ready.source, {
              ...call,
              mountFrom,
              knownMissing: !compress,
              onProgress: (sent) => {
                if (sent - reported < Math.max(1024 * 1024, size / 50) && sent !== size) return;
                reported = sent;
                layerEvent(key, 'uploading', sent, size);
              },
            });
            layerEvent(key, status === 'uploaded' ? 'pushed' : status, size, size);
            remember(target.registry, digest, target.repository);
            return ready.descriptor;
          } catch (error) {
            if (!stop.signal.aborted) {
              firstFailure = error;
              stop.abort(error);
            }
            throw error;
          } finally {
            release?.();
          }
        })();
        blobs.set(key, pushed);
        return pushed;
      }

      /** Pushes a manifest's content, then the manifest under `reference` (a tag, or undefined for its digest). */
      async function pushManifest(node: LocalManifest, reference: string | undefined, previous?: Descriptor): Promise<{ bytes: ManifestBytes; descriptor: Descriptor }> {
        let bytes: ManifestBytes;
        if (node.kind === 'image') {
          const [config, ...layers] = await settleAll([node.config, ...node.layers].map(pushOne));
          bytes = manifestBytes(node.original, node.json, node.mediaType, { config, layers });
        } else {
          const children = await settleAll(
            node.children.map((child, position) => pushManifest(child, undefined, (node.json['manifests'] as Descriptor[] | undefined)?.[position])),
          );
          bytes = manifestBytes(node.original, node.json, node.mediaType, { manifests: children.map((child) => child.descriptor) });
        }
        const digest = sha256Digest(bytes.body);
        const image: ImageReference = reference === undefined ? { ...repository, digest } : { ...repository, tag: reference };
        // A manifest that is already there is not written again: a re-push writes nothing.
        const current = await client.headManifest(image, { ...call, forPush: true });
        if (current?.digest !== digest) {
          const stored = await client.putManifest(image, bytes, call);
          if (stored !== digest) {
            throw new RegistryKitError('PUSH_FAILED', `The registry stored the manifest of ${formatImageReference(image)} as ${stored}, not ${digest}; it rewrote it.`, {
              details: { expected: digest, stored },
            });
          }
        }
        return { bytes, descriptor: describeManifest(bytes, previous) };
      }

      try {
        progress?.({ type: 'message', message: `Pushing ${local.description} to ${name}` });
        const { bytes, descriptor } = await pushManifest(local.root, tag);
        progress?.({ type: 'message', message: `${tag}: digest: ${descriptor.digest} size: ${bytes.body.length}` });
        return { image: name, digest: descriptor.digest, reference: `${imageRepositoryName(target)}@${descriptor.digest}`, size: bytes.body.length };
      } catch (error) {
        throw pushFailure(firstFailure ?? error, name, local.description, request.signal);
      } finally {
        await local.close();
        // A directory that could not be made has failed the push already; there is nothing to remove.
        await tempDirectory?.then((directory) => rm(directory, { recursive: true, force: true }), () => undefined);
      }
    },
  };
}

function makeTempDirectory(parent: string): Promise<string> {
  return mkdtemp(join(parent, 'rk-oci-push-')).catch((error: unknown) => {
    throw new RegistryKitError(
      'PUSH_FAILED',
      `Cannot create a directory for compressed layers in ${parent} (${(error as Error).message}): point \`tempDirectory\` at a writable directory with room for them.`,
      { cause: error, details: { field: 'tempDirectory' } },
    );
  });
}

function pushFailure(error: unknown, name: string, description: string, signal: AbortSignal | undefined): RegistryKitError {
  if (signal?.aborted) return new RegistryKitError('ABORTED', `Pushing ${description} to ${name} was aborted.`, { cause: error });
  if (RegistryKitError.isInstance(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new RegistryKitError('PUSH_FAILED', `Pushing ${description} to ${name} failed: ${reason}`, { cause: error, details: { image: name } });
}

function checkedInteger(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RegistryKitError('INVALID_ARGUMENT', `Invalid ${field}: ${value}. Use an integer from ${min} to ${max}.`, { details: { field } });
  }
  return value;
}
