import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ImageReference, RegistryCredentials } from '@registrykit/core';
import { type BlobSource, bufferBlob } from '../blob-source.js';
import { type ManifestBytes, MEDIA_TYPES, sha256Digest } from '../manifests.js';
import type { OciClient } from '../oci-client.js';

export interface SmallImage {
  readonly config: BlobSource;
  readonly layers: readonly BlobSource[];
  readonly manifest: ManifestBytes;
  readonly digest: string;
}

/** A unique image made in memory: a config and `layers` gzip layers of random bytes. */
export function smallImage(layers = 1, layerBytes = 2048): SmallImage {
  const raw = Array.from({ length: layers }, () => randomBytes(layerBytes));
  const config = bufferBlob(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: raw.map((data) => sha256Digest(data)) } })),
  );
  const layerBlobs = raw.map((data) => bufferBlob(gzipSync(data)));
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: config.digest, size: config.size },
      layers: layerBlobs.map((layer) => ({ mediaType: MEDIA_TYPES.ociLayerGzip, digest: layer.digest, size: layer.size })),
    }),
  );
  return { config, layers: layerBlobs, manifest: { mediaType: MEDIA_TYPES.ociManifest, body }, digest: sha256Digest(body) };
}

/** Pushes `image` (blobs, then the manifest under the reference's tag or digest) with the client under test. */
export async function pushSmallImage(client: OciClient, target: ImageReference, credentials: RegistryCredentials | undefined, image = smallImage()): Promise<SmallImage> {
  const repository = { registry: target.registry, repository: target.repository };
  for (const blob of [image.config, ...image.layers]) await client.pushBlob(repository, blob, { credentials });
  await client.putManifest(target, image.manifest, { credentials });
  return image;
}
