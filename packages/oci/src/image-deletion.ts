import { randomBytes } from 'node:crypto';
import { type DeleteImageResult, formatImageReference, type ImageReference, type RegistryApiRequest, RegistryKitError } from '@registrykit/core';
import { bufferBlob } from './blob-source.js';
import { pushBlob } from './blob-upload.js';
import { deleteManifestStatus, getManifest, putManifest } from './manifest-requests.js';
import { type ManifestBytes, MEDIA_TYPES } from './manifests.js';
import type { RegistryHttp } from './registry-http.js';

type Failure = DeleteImageResult['failures'][number];

/**
 * Deletes by digest (the manifest, and with it every tag on it) or by tag (only that tag).
 *
 * Distribution has no tag deletion before OCI 1.1, and deleting the tag's manifest by digest
 * would take the image's other tags with it. So a tag is first DELETEd directly (OCI 1.1); a
 * registry that answers it does not know tag deletion (400, 404) gets regclient's treatment: a
 * unique placeholder manifest is pushed to the tag and deleted by digest, which removes exactly
 * that tag. When the registry refuses that deletion, the tag is put back on the original
 * manifest and the refusal reported. A 405 (no deletion at all) is reported without touching the tag.
 */
export async function deleteRegistryImage(http: RegistryHttp, image: ImageReference, request: RegistryApiRequest, manifestSizeLimit: number): Promise<DeleteImageResult> {
  if (image.digest !== undefined) {
    const reference = formatImageReference({ registry: image.registry, repository: image.repository, digest: image.digest });
    const outcome = await deleteManifestStatus(http, image, image.digest, request);
    return outcome.error ? { deleted: [], failures: [failureOf(reference, outcome.error)] } : { deleted: [reference], failures: [] };
  }
  const tag = image.tag ?? 'latest';
  const tagged = { registry: image.registry, repository: image.repository, tag };
  const reference = formatImageReference(tagged);
  const original = await getManifest(http, tagged, request, manifestSizeLimit);
  if (original === undefined) {
    return { deleted: [], failures: [{ reference, code: 'NOT_FOUND', reason: `${reference} does not exist.` }] };
  }
  const direct = await deleteManifestStatus(http, tagged, tag, request);
  if (!direct.error) return { deleted: [reference], failures: [] };
  // Registries without OCI 1.1 tag deletion answer 400 (Distribution 2.x: DIGEST_INVALID) or 404 here.
  // A 405 says deletion is off altogether (Docker Hub, GHCR, Distribution without delete): the
  // tag is not touched.
  if (![400, 404].includes(direct.status)) return { deleted: [], failures: [failureOf(reference, direct.error)] };
  try {
    return await deleteThroughPlaceholder(http, tagged, original, request, manifestSizeLimit);
  } catch (error) {
    if (!RegistryKitError.isInstance(error)) throw error;
    return { deleted: [], failures: [failureOf(reference, error)] };
  }
}

async function deleteThroughPlaceholder(
  http: RegistryHttp,
  tagged: ImageReference & { readonly tag: string },
  original: ManifestBytes & { readonly digest: string },
  request: RegistryApiRequest,
  manifestSizeLimit: number,
): Promise<DeleteImageResult> {
  const reference = formatImageReference(tagged);
  const call = { registry: tagged.registry, credentials: request.credentials, signal: request.signal };
  await pushBlob(http, call, tagged.repository, bufferBlob(EMPTY_CONFIG), { mode: 'monolithic', chunkSize: EMPTY_CONFIG.length });
  const placeholderDigest = await putManifest(http, tagged, placeholderManifest(tagged.tag), request, manifestSizeLimit);
  const removal = await deleteManifestStatus(http, { ...tagged, digest: placeholderDigest }, placeholderDigest, request);
  if (!removal.error) return { deleted: [reference], failures: [] };
  try {
    await putManifest(http, tagged, original, request, manifestSizeLimit);
  } catch (error) {
    const reason = RegistryKitError.isInstance(error) ? error.message : String(error);
    return {
      deleted: [],
      failures: [
        {
          reference,
          code: 'REGISTRY_ERROR',
          reason: `The registry refused to delete the tag (${removal.error.message}) and putting it back on ${original.digest} failed: ${reason} Push ${original.digest} to the tag again.`,
        },
      ],
    };
  }
  return { deleted: [], failures: [failureOf(reference, removal.error)] };
}

// OCI 1.1's empty descriptor: the config of a manifest that is not an image.
const EMPTY_CONFIG = Buffer.from('{}');

function placeholderManifest(tag: string): { mediaType: string; body: Buffer } {
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociEmpty, digest: bufferBlob(EMPTY_CONFIG).digest, size: EMPTY_CONFIG.length },
    layers: [],
    // Unique, so its digest is no other manifest's and deleting it removes only this tag.
    annotations: { 'dev.registrykit.tag-deletion': `${tag} ${randomBytes(16).toString('hex')}` },
  };
  return { mediaType: MEDIA_TYPES.ociManifest, body: Buffer.from(JSON.stringify(manifest)) };
}

/** Authentication failures are thrown (the component refreshes credentials on them); the rest are reported. */
function failureOf(reference: string, error: RegistryKitError): Failure {
  if (error.code === 'AUTHENTICATION_FAILED') throw error;
  return { reference, code: error.code, reason: error.message };
}
