import type { ImageIdentifier } from '@aws-sdk/client-ecr';
import {
  type CallOptions,
  type DeleteImageResult,
  formatImageReference,
  type ImageReference,
  type ImageSummary,
  RegistryKitError,
  type RepositoryReference,
} from '@registrykit/core';
import type { EcrApi } from './aws-api.js';
import { isAwsError } from './aws-errors.js';
import type { EcrRegistryHost } from './aws-uri.js';

/** ECR takes at most 100 image ids per BatchDeleteImage and BatchGetImage call. */
export const ECR_BATCH_SIZE = 100;
/** ECR's largest page for DescribeImages and ListImages. */
const PAGE_SIZE = 1000;
const INDEX_MEDIA_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

function imageIdOf(image: ImageReference): ImageIdentifier {
  return image.digest !== undefined ? { imageDigest: image.digest } : { imageTag: image.tag ?? 'latest' };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** Digests, tags, listing and deletion through ECR's own API (DescribeImages, ListImages, BatchDeleteImage). */
export function createEcrImages(api: EcrApi, registry: EcrRegistryHost) {
  const registryId = registry.accountId;

  async function getImageDigest(image: ImageReference, options: CallOptions): Promise<string | undefined> {
    try {
      const output = await api.call(
        'DescribeImages',
        (client, sdk, signal) => client.send(new sdk.DescribeImagesCommand({ registryId, repositoryName: image.repository, imageIds: [imageIdOf(image)] }), signal),
        { ...options, repository: image.repository },
      );
      return output.imageDetails?.[0]?.imageDigest;
    } catch (error) {
      // cdk-assets relies on the same answers for "not there".
      if (isAwsError((error as Error).cause, 'ImageNotFoundException') || RegistryKitError.hasCode(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
  }

  async function listTags(repository: RepositoryReference, options: CallOptions): Promise<string[]> {
    const tags = new Set<string>();
    await api.call(
      'ListImages',
      async (client, sdk, signal) => {
        for await (const page of sdk.paginateListImages({ client, pageSize: PAGE_SIZE }, { registryId, repositoryName: repository.repository, filter: { tagStatus: 'TAGGED' } })) {
          signal.abortSignal?.throwIfAborted();
          for (const id of page.imageIds ?? []) if (id.imageTag) tags.add(id.imageTag);
        }
      },
      { ...options, repository: repository.repository },
    );
    return [...tags].sort();
  }

  async function listImages(repository: RepositoryReference, options: CallOptions): Promise<ImageSummary[]> {
    const repositoryName = repository.repository;
    const images = await api.call(
      'DescribeImages',
      async (client, sdk, signal) => {
        const found: ImageSummary[] = [];
        for await (const page of sdk.paginateDescribeImages({ client, pageSize: PAGE_SIZE }, { registryId, repositoryName, filter: { tagStatus: 'ANY' } })) {
          signal.abortSignal?.throwIfAborted();
          for (const detail of page.imageDetails ?? []) {
            if (!detail.imageDigest) continue;
            found.push({
              digest: detail.imageDigest,
              tags: [...(detail.imageTags ?? [])].sort(),
              mediaType: detail.imageManifestMediaType,
              pushedAt: detail.imagePushedAt,
              sizeBytes: detail.imageSizeInBytes,
            });
          }
        }
        return found;
      },
      { ...options, repository: repositoryName },
    );
    // DescribeImages does not name an index's children; BatchGetImage does, and cleanup needs
    // them: untagged children of a multi-arch image are not garbage.
    const indexes = images.filter((image) => image.mediaType !== undefined && INDEX_MEDIA_TYPES.includes(image.mediaType));
    const children = await childDigests(repositoryName, indexes.map((image) => image.digest), options);
    return images.map((image) => (children.has(image.digest) ? { ...image, childDigests: children.get(image.digest) } : image));
  }

  async function childDigests(repositoryName: string, digests: readonly string[], options: CallOptions): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    for (const batch of chunks(digests, ECR_BATCH_SIZE)) {
      const output = await api.call(
        'BatchGetImage',
        (client, sdk, signal) =>
          client.send(
            new sdk.BatchGetImageCommand({ registryId, repositoryName, imageIds: batch.map((imageDigest) => ({ imageDigest })), acceptedMediaTypes: INDEX_MEDIA_TYPES }),
            signal,
          ),
        { ...options, repository: repositoryName },
      );
      for (const image of output.images ?? []) {
        if (!image.imageId?.imageDigest || !image.imageManifest) continue;
        const manifest = JSON.parse(image.imageManifest) as { manifests?: { digest?: string }[] };
        result.set(image.imageId.imageDigest, (manifest.manifests ?? []).flatMap((child) => (child.digest ? [child.digest] : [])));
      }
    }
    return result;
  }

  /**
   * Deletes with BatchDeleteImage, at most 100 images per call, one repository at a time. ECR
   * answers per-image failures (e.g. ImageReferencedByManifestList) instead of throwing; they are
   * all reported, each with ECR's code and reason.
   */
  async function deleteImages(images: readonly ImageReference[], options: CallOptions): Promise<DeleteImageResult> {
    const deleted: string[] = [];
    const failures: DeleteImageResult['failures'][number][] = [];
    const byRepository = new Map<string, ImageReference[]>();
    for (const image of images) byRepository.set(image.repository, [...(byRepository.get(image.repository) ?? []), image]);
    for (const [repositoryName, repositoryImages] of byRepository) {
      for (const batch of chunks(repositoryImages, ECR_BATCH_SIZE)) {
        try {
          const output = await api.call(
            'BatchDeleteImage',
            (client, sdk, signal) => client.send(new sdk.BatchDeleteImageCommand({ registryId, repositoryName, imageIds: batch.map(imageIdOf) }), signal),
            { ...options, repository: repositoryName },
          );
          for (const id of output.imageIds ?? []) {
            deleted.push(formatImageReference({ registry: registry.host, repository: repositoryName, tag: id.imageTag, digest: id.imageTag ? undefined : id.imageDigest }));
          }
          for (const failure of output.failures ?? []) {
            const tag = failure.imageId?.imageTag;
            const digest = tag ? undefined : failure.imageId?.imageDigest;
            failures.push({
              reference: formatImageReference({ registry: registry.host, repository: repositoryName, tag, digest }),
              code: failure.failureCode ?? 'UNKNOWN',
              reason: failure.failureReason ?? 'ECR gave no reason.',
            });
          }
        } catch (error) {
          // A missing repository: reported as NOT_FOUND, as the component and the other flavors report it.
          if (!RegistryKitError.hasCode(error, 'NOT_FOUND')) throw error;
          for (const image of batch) failures.push({ reference: formatImageReference(image), code: error.code, reason: error.message });
        }
      }
    }
    return { deleted, failures };
  }

  return { getImageDigest, listTags, listImages, deleteImages };
}
