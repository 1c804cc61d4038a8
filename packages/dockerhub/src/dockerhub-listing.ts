import type { ImageSummary } from '@registrykit/core';
import type { HubTag } from './dockerhub-api.js';

/**
 * Images from the Hub API's tag listing, grouped by digest: tags, the latest push, the size and,
 * for multi-platform tags, the platform digests. No manifest is read, so nothing counts as a pull.
 */
export function imagesFromTags(tags: readonly HubTag[]): ImageSummary[] {
  const byDigest = new Map<string, { tags: string[]; pushedAt: Date | undefined; sizeBytes: number | undefined; childDigests: readonly string[] }>();
  for (const tag of tags) {
    if (tag.digest === undefined) continue;
    const entry = byDigest.get(tag.digest) ?? { tags: [], pushedAt: tag.lastUpdated, sizeBytes: tag.fullSize, childDigests: tag.platformDigests };
    entry.tags.push(tag.name);
    if (tag.lastUpdated && (!entry.pushedAt || tag.lastUpdated > entry.pushedAt)) entry.pushedAt = tag.lastUpdated;
    byDigest.set(tag.digest, entry);
  }
  return [...byDigest].map(([digest, entry]) => ({
    digest,
    tags: entry.tags.sort(),
    pushedAt: entry.pushedAt,
    sizeBytes: entry.sizeBytes,
    ...(entry.childDigests.length > 0 ? { childDigests: entry.childDigests } : {}),
  }));
}
