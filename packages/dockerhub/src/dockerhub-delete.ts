import {
  type CallOptions,
  type DeleteImageResult,
  type ImageReference,
  type RegistryApi,
  type RegistryCredentials,
  RegistryKitError,
} from '@registrykit/core';
import type { HubApiClient } from './dockerhub-api.js';

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
