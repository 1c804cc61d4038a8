import {
  type CallOptions,
  type DeleteImageResult,
  formatImageReference,
  type ImageReference,
  type ImageSummary,
  RegistryKitError,
  type RepositoryReference,
} from '@registrykit/core';
import type { AcrApi } from './azure-api.js';
import type { AcrRegistryHost } from './azure-uri.js';

/** Digests, tags, listing and deletion through ACR's own API, with its locks honoured. */
export function createAcrImages(api: AcrApi, registry: AcrRegistryHost) {
  async function getImageDigest(image: ImageReference, options: CallOptions): Promise<string | undefined> {
    const reference = image.digest ?? image.tag ?? 'latest';
    try {
      return await api.call(
        'reading manifest properties',
        async (client, abort) => (await client.getArtifact(image.repository, reference).getManifestProperties(abort)).digest,
        { ...options, repository: image.repository },
      );
    } catch (error) {
      if (RegistryKitError.hasCode(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
  }

  async function listRepositories(options: CallOptions): Promise<string[]> {
    return api.call(
      'listing repositories',
      async (client, abort) => {
        const names: string[] = [];
        for await (const name of client.listRepositoryNames(abort)) names.push(name);
        return names;
      },
      options,
    );
  }

  async function listImages(repository: RepositoryReference, options: CallOptions): Promise<ImageSummary[]> {
    return api.call(
      'listing manifests',
      async (client, abort) => {
        const images: ImageSummary[] = [];
        for await (const manifest of client.getRepository(repository.repository).listManifestProperties({ order: 'LastUpdatedOnDescending', ...abort })) {
          const children = manifest.relatedArtifacts.flatMap((child) => (child.digest ? [child.digest] : []));
          images.push({
            digest: manifest.digest,
            tags: [...manifest.tags].sort(),
            pushedAt: manifest.lastUpdatedOn,
            sizeBytes: manifest.sizeInBytes,
            ...(children.length > 0 ? { childDigests: children } : {}),
          });
        }
        return images;
      },
      { ...options, repository: repository.repository },
    );
  }

  // The SDK lists tags per artifact only; the manifests of a repository carry all of them.
  async function listTags(repository: RepositoryReference, options: CallOptions): Promise<string[]> {
    return (await listImages(repository, options)).flatMap((image) => image.tags).sort();
  }

  const lockedReason = (what: string, image: ImageReference) =>
    `${what} is locked against deletion (canDelete: false). Unlock it first, e.g. \`az acr repository update --name ${registry.name} --image ${formatImageReference(image).slice(registry.host.length + 1)} --delete-enabled true\`.`;

  /**
   * By tag: only that tag goes (ACR's deleteTag). By digest: the manifest and every tag on it.
   * A tag or manifest whose `canDelete` is false is reported as LOCKED and left alone.
   */
  async function deleteImage(image: ImageReference, options: CallOptions): Promise<DeleteImageResult> {
    const reference = formatImageReference(image);
    const failure = (code: string, reason: string): DeleteImageResult => ({ deleted: [], failures: [{ reference, code, reason }] });
    try {
      return await api.call(
        'deleting an image',
        async (client, abort) => {
          if (image.digest === undefined) {
            const tag = image.tag ?? 'latest';
            const artifact = client.getArtifact(image.repository, tag);
            const properties = await artifact.getTagProperties(tag, abort);
            if (properties.canDelete === false) return failure('LOCKED', lockedReason(`The tag "${tag}"`, image));
            await artifact.deleteTag(tag, abort);
            return { deleted: [reference], failures: [] };
          }
          const artifact = client.getArtifact(image.repository, image.digest);
          const properties = await artifact.getManifestProperties(abort);
          if (properties.canDelete === false) return failure('LOCKED', lockedReason(`The manifest ${image.digest}`, image));
          await artifact.delete(abort);
          return { deleted: [reference], failures: [] };
        },
        { ...options, repository: image.repository },
      );
    } catch (error) {
      if (RegistryKitError.hasCode(error, 'NOT_FOUND')) return failure('NOT_FOUND', error.message);
      throw error;
    }
  }

  return { getImageDigest, listRepositories, listTags, listImages, deleteImage };
}
