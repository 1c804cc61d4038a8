import { type CallOptions, type DeleteImageResult, type ImageReference, type ImageSummary, imageRepositoryName, RegistryKitError } from '@registrykit/core';
import type { GitHubPackagesClient, PackageVersion } from './github-api.js';

type Failure = DeleteImageResult['failures'][number];

export interface GitHubDeleteContext {
  readonly packages: GitHubPackagesClient;
  /** The tagged images of the repository with the children of their indexes, read through the registry API. */
  readonly taggedImages: (options: CallOptions) => Promise<readonly ImageSummary[]>;
}

/** `ghcr.io/<owner>/<package…>` → owner and package name. */
export function packageOf(image: Pick<ImageReference, 'repository'>): { readonly owner: string; readonly name: string } {
  const slash = image.repository.indexOf('/');
  return { owner: image.repository.slice(0, slash), name: image.repository.slice(slash + 1) };
}

/**
 * Deletes through the GitHub Packages API, which deletes package versions (a manifest with all
 * its tags), since GHCR refuses registry DELETE. A version that is a platform image (or
 * attestation) of a tagged multi-arch index is never deleted: it looks untagged, but the
 * index needs it. A tag shared with other tags cannot be deleted alone.
 */
export async function deleteFromGitHub(image: ImageReference, options: CallOptions, context: GitHubDeleteContext): Promise<DeleteImageResult> {
  const { owner, name } = packageOf(image);
  const repository = imageRepositoryName(image);
  const asked = image.digest !== undefined ? `${repository}@${image.digest}` : `${repository}:${image.tag ?? 'latest'}`;
  const refuse = (code: string, reason: string): DeleteImageResult => ({ deleted: [], failures: [{ reference: asked, code, reason } satisfies Failure] });

  let versions: PackageVersion[];
  try {
    versions = await context.packages.listVersions(owner, name, options);
  } catch (error) {
    if (RegistryKitError.hasCode(error, 'NOT_FOUND')) return refuse('NOT_FOUND', error.message);
    throw error;
  }
  const version =
    image.digest !== undefined ? versions.find((candidate) => candidate.digest === image.digest) : versions.find((candidate) => candidate.tags.includes(image.tag ?? 'latest'));
  if (!version) return refuse('NOT_FOUND', `${asked} is not a version of the package ${owner}/${name}.`);
  if (image.digest === undefined && version.tags.length > 1) {
    const others = version.tags.filter((tag) => tag !== (image.tag ?? 'latest'));
    return refuse(
      'UNSUPPORTED',
      `GitHub deletes package versions, not single tags, and this version also carries ${others.map((tag) => `"${tag}"`).join(', ')}: ` +
        `delete ${repository}@${version.digest} to remove them all, or push another image to those tags first.`,
    );
  }
  const parents = (await context.taggedImages(options)).filter((tagged) => tagged.childDigests?.includes(version.digest));
  if (parents.length > 0) {
    return refuse(
      'ImageReferencedByManifestList',
      `${repository}@${version.digest} belongs to the tagged multi-arch image ${parents.flatMap((parent) => parent.tags.map((tag) => `${repository}:${tag}`)).join(', ')}; ` +
        'deleting it would break that image. Delete the index instead; its platform images can go once no tagged index needs them.',
    );
  }
  try {
    await context.packages.deleteVersion(owner, name, version.id, options);
  } catch (error) {
    if (!RegistryKitError.hasCode(error, 'NOT_FOUND', 'PERMISSION_DENIED', 'REGISTRY_ERROR')) throw error;
    return refuse(error.code, error.message);
  }
  return { deleted: [`${repository}@${version.digest}`, ...version.tags.map((tag) => `${repository}:${tag}`)], failures: [] };
}
