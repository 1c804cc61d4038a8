import type { ImageSummary, RegistryApiRequest, RepositoryReference } from '@registrykit/core';
import { mapConcurrent } from './concurrency.js';
import { type FetchedManifest, getManifest } from './manifest-requests.js';
import type { RegistryHttp } from './registry-http.js';
import { listAllTags } from './tags.js';

export interface ListImagesSettings {
  readonly pageSize: number;
  readonly manifestSizeLimit: number;
  /** Manifests read at once. */
  readonly concurrency: number;
}

/**
 * The distribution API cannot list manifests, only tags: every tag's manifest is read and
 * tags are grouped by digest. Untagged manifests are not listed (the API has no way to find
 * them), and an index's children appear as its `childDigests`, never as untagged images a
 * cleaner might delete.
 */
export async function listRepositoryImages(http: RegistryHttp, repository: RepositoryReference, request: RegistryApiRequest, settings: ListImagesSettings): Promise<ImageSummary[]> {
  const call = { registry: repository.registry, credentials: request.credentials, signal: request.signal };
  const tags = await listAllTags(http, call, repository.repository, settings.pageSize);
  const fetched = await mapConcurrent(tags, settings.concurrency, (tag) =>
    getManifest(http, { registry: repository.registry, repository: repository.repository, tag }, request, settings.manifestSizeLimit),
  );
  const byDigest = new Map<string, { manifest: FetchedManifest; tags: string[] }>();
  fetched.forEach((manifest, index) => {
    // A tag deleted between the listing and the read is simply gone.
    if (manifest === undefined) return;
    const entry = byDigest.get(manifest.digest) ?? { manifest, tags: [] };
    entry.tags.push(tags[index]!);
    byDigest.set(manifest.digest, entry);
  });
  return [...byDigest.values()].map(({ manifest, tags: imageTags }) => summaryOf(manifest, imageTags));
}

function summaryOf(fetched: FetchedManifest, tags: readonly string[]): ImageSummary {
  const { manifest } = fetched;
  if (manifest.kind === 'index') {
    return { digest: fetched.digest, tags: [...tags].sort(), mediaType: manifest.mediaType, childDigests: manifest.manifests.map((child) => child.digest) };
  }
  const blobs = [...(manifest.config ? [manifest.config] : []), ...manifest.layers];
  return { digest: fetched.digest, tags: [...tags].sort(), mediaType: manifest.mediaType, sizeBytes: blobs.reduce((total, blob) => total + blob.size, 0) };
}
