import { type CallOptions, type DeleteImageResult, formatImageReference, type ImageReference, type ImageSummary, imageRepositoryName, RegistryKitError } from '@registrykit/core';
import type { GitHubPackagesClient, PackageVersion } from './github-api.js';

type Failure = DeleteImageResult['failures'][number];

export interface GitHubDeleteContext {
  readonly packages: GitHubPackagesClient;
  /** The tagged images of a repository with the children of their indexes, read through the registry API. */
  readonly taggedImages: (repository: string, options: CallOptions) => Promise<readonly ImageSummary[]>;
}

/** `ghcr.io/<owner>/<package…>` → owner and package name. */
export function packageOf(image: Pick<ImageReference, 'repository'>): { readonly owner: string; readonly name: string } {
  const slash = image.repository.indexOf('/');
  return { owner: image.repository.slice(0, slash), name: image.repository.slice(slash + 1) };
}

/**
 * What a deletion knows of one package: its versions and the repository's tagged images, each
 * read once and then kept in step with what is deleted, as if read again.
 */
interface PackageState {
  versions(): Promise<PackageVersion[]>;
  tagged(): Promise<ImageSummary[]>;
  forget(version: PackageVersion): void;
}

function packageState(image: ImageReference, options: CallOptions, context: GitHubDeleteContext): PackageState {
  const { owner, name } = packageOf(image);
  let versions: Promise<PackageVersion[]> | undefined;
  let tagged: Promise<ImageSummary[]> | undefined;
  return {
    versions: () => (versions ??= context.packages.listVersions(owner, name, options)),
    tagged: () => (tagged ??= context.taggedImages(image.repository, options).then((images) => [...images])),
    forget(version) {
      // A deleted index no longer holds its platform images.
      versions = versions?.then((all) => all.filter((candidate) => candidate.id !== version.id));
      tagged = tagged?.then((all) => all.filter((candidate) => candidate.digest !== version.digest));
    },
  };
}

/**
 * Deletes through the GitHub Packages API, which deletes package versions (a manifest with all
 * its tags), since GHCR refuses registry DELETE. A version that is a platform image (or
 * attestation) of a tagged multi-arch index is never deleted: it looks untagged, but the
 * index needs it. A tag shared with other tags cannot be deleted alone.
 */
export function createGitHubDeletion(context: GitHubDeleteContext) {
  async function deleteImage(image: ImageReference, options: CallOptions): Promise<DeleteImageResult> {
    return deleteFrom(packageState(image, options, context), image, options, context);
  }

  /**
   * Deletes several images with one listing of versions and tagged images per package, not one
   * per image: a cleanup of hundreds of versions would otherwise spend GitHub's hourly API limit.
   * Failures are reported per image, as the component's one-by-one deletion reports them.
   */
  async function deleteImages(images: readonly ImageReference[], options: CallOptions): Promise<DeleteImageResult> {
    const deleted: string[] = [];
    const failures: Failure[] = [];
    const states = new Map<string, PackageState>();
    for (const image of images) {
      let state = states.get(image.repository);
      if (!state) states.set(image.repository, (state = packageState(image, options, context)));
      try {
        const result = await deleteFrom(state, image, options, context);
        deleted.push(...result.deleted);
        failures.push(...result.failures);
      } catch (error) {
        if (!RegistryKitError.hasCode(error, 'NOT_FOUND', 'PERMISSION_DENIED')) throw error;
        failures.push({ reference: formatImageReference(image), code: error.code, reason: error.message });
      }
    }
    return { deleted, failures };
  }

  return { deleteImage, deleteImages };
}

async function deleteFrom(state: PackageState, image: ImageReference, options: CallOptions, context: GitHubDeleteContext): Promise<DeleteImageResult> {
  const { owner, name } = packageOf(image);
  const repository = imageRepositoryName(image);
  const asked = image.digest !== undefined ? `${repository}@${image.digest}` : `${repository}:${image.tag ?? 'latest'}`;
  const refuse = (code: string, reason: string): DeleteImageResult => ({ deleted: [], failures: [{ reference: asked, code, reason } satisfies Failure] });

  let versions: PackageVersion[];
  try {
    versions = await state.versions();
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
  const parents = (await state.tagged()).filter((tagged) => tagged.childDigests?.includes(version.digest));
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
  state.forget(version);
  return { deleted: [`${repository}@${version.digest}`, ...version.tags.map((tag) => `${repository}:${tag}`)], failures: [] };
}
