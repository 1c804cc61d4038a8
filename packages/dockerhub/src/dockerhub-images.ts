import {
  type CallOptions,
  type DeleteImageResult,
  type ImageReference,
  type ImageSummary,
  type RegistryApi,
  type RegistryCredentials,
  RegistryKitError,
} from '@registrykit/core';
import type { HubApiClient, HubTag } from './dockerhub-api.js';

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

interface DeleteContext {
  readonly hub: HubApiClient;
  readonly registryApi: RegistryApi | undefined;
  readonly credentials: (options?: CallOptions) => Promise<RegistryCredentials | undefined>;
  /** `docker.io/<namespace>/<name>`, for the references reported. */
  readonly name: string;
}

type Failure = DeleteImageResult['failures'][number];

/**
 * Deletes on Docker Hub, whose registry refuses DELETE of tags: a tag through the Hub API; a
 * digest by deleting every tag on it through the Hub API, then the untagged manifest through the
 * registry API (which Docker Hub may refuse, reported as an UNSUPPORTED failure).
 */
export async function deleteFromDockerHub(image: ImageReference, options: CallOptions, context: DeleteContext): Promise<DeleteImageResult> {
  const deleted: string[] = [];
  const failures: Failure[] = [];
  const deleteTag = async (tag: string) => {
    const reference = `${context.name}:${tag}`;
    try {
      await context.hub.deleteTag(image.repository, tag, options);
      deleted.push(reference);
    } catch (error) {
      if (!RegistryKitError.hasCode(error, 'NOT_FOUND', 'PERMISSION_DENIED')) throw error;
      failures.push({ reference, code: error.code, reason: error.message });
    }
  };

  if (image.digest === undefined) {
    await deleteTag(image.tag ?? 'latest');
    return { deleted, failures };
  }
  const digest = image.digest;
  const tags = (await context.hub.listTags(image.repository, options)).filter((tag) => tag.digest === digest);
  for (const tag of tags) await deleteTag(tag.name);

  const reference = `${context.name}@${digest}`;
  if (!context.registryApi) {
    failures.push({
      reference,
      code: 'UNSUPPORTED',
      reason: 'The manifest itself is deleted through the registry API: pass `registryApi: createOciClient()` from @registrykit/oci. Its tags are gone.',
    });
    return { deleted, failures };
  }
  const result = await context.registryApi.deleteImage({ registry: image.registry, repository: image.repository, digest }, {
    credentials: await context.credentials(options),
    signal: options.signal,
  });
  return { deleted: [...deleted, ...result.deleted], failures: [...failures, ...result.failures] };
}
