import { formatImageReference, type ImageReference, RegistryKitError } from '@registrykit/core';
import { MANIFEST_ACCEPT, type ManifestBytes, parseManifest, type ParsedManifest, sha256Digest } from './manifests.js';
import { responseFailure } from './registry-errors.js';
import { type RegistryCall, type RegistryHttp, repositoryScope } from './registry-http.js';

/** What a HEAD of a manifest says. */
export interface ManifestHead {
  readonly digest: string;
  readonly mediaType: string | undefined;
  readonly size: number | undefined;
}

/** A manifest fetched: its exact bytes, digest and parsed content. */
export interface FetchedManifest extends ManifestBytes {
  readonly digest: string;
  readonly manifest: ParsedManifest;
}

/** The reference part of a manifest URL: the digest when there is one, else the tag (default `latest`). */
export function manifestReference(image: ImageReference): string {
  return image.digest ?? image.tag ?? 'latest';
}

function call(image: ImageReference, request: Omit<RegistryCall, 'registry'>): RegistryCall {
  return { registry: image.registry, credentials: request.credentials, signal: request.signal };
}

/**
 * HEADs a manifest: its digest from `Docker-Content-Digest`, or, when a registry leaves that
 * out, from the bytes of a GET. Undefined when it does not exist.
 */
export async function headManifest(http: RegistryHttp, image: ImageReference, request: Omit<RegistryCall, 'registry'>, sizeLimit: number, scopes?: readonly string[]): Promise<ManifestHead | undefined> {
  const target = `/v2/${image.repository}/manifests/${manifestReference(image)}`;
  const response = await http.expect(
    call(image, request),
    { method: 'HEAD', target, headers: { accept: MANIFEST_ACCEPT }, scopes: scopes ?? [repositoryScope(image.repository, 'pull')], action: `looking up ${formatImageReference(image)}` },
    [200, 404],
  );
  await response.discard();
  if (response.status === 404) return undefined;
  const digest = response.header('docker-content-digest') ?? image.digest;
  const length = Number(response.header('content-length'));
  const mediaType = response.header('content-type')?.split(';')[0]?.trim();
  if (digest !== undefined) return { digest, mediaType, size: Number.isInteger(length) ? length : undefined };
  const fetched = await getManifest(http, image, request, sizeLimit);
  return fetched && { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.body.length };
}

/** GETs a manifest; undefined when it does not exist. A manifest fetched by digest must hash to it. */
export async function getManifest(http: RegistryHttp, image: ImageReference, request: Omit<RegistryCall, 'registry'>, sizeLimit: number): Promise<FetchedManifest | undefined> {
  const name = formatImageReference(image);
  const target = `/v2/${image.repository}/manifests/${manifestReference(image)}`;
  const response = await http.expect(
    call(image, request),
    { method: 'GET', target, headers: { accept: MANIFEST_ACCEPT }, scopes: [repositoryScope(image.repository, 'pull')], action: `reading the manifest of ${name}` },
    [200, 404],
  );
  if (response.status === 404) {
    await response.discard();
    return undefined;
  }
  const declared = Number(response.header('content-length'));
  if (Number.isInteger(declared) && declared > sizeLimit) {
    await response.discard();
    throw manifestTooLarge(name, declared, sizeLimit);
  }
  const body = await response.buffer(sizeLimit).catch((error: unknown) => {
    throw RegistryKitError.hasCode(error, 'REGISTRY_ERROR') ? manifestTooLarge(name, undefined, sizeLimit) : error;
  });
  const computed = sha256Digest(body);
  if (image.digest !== undefined && image.digest.startsWith('sha256:') && computed !== image.digest) {
    throw new RegistryKitError('REGISTRY_ERROR', `The manifest served for ${name} hashes to ${computed}, not the digest asked for. The registry served the wrong or corrupt content.`, {
      details: { expected: image.digest, actual: computed },
    });
  }
  const manifest = parseManifest(body, response.header('content-type'), `the manifest of ${name}`);
  const digest = image.digest ?? response.header('docker-content-digest') ?? computed;
  return { digest, mediaType: manifest.mediaType, body, manifest };
}

/** PUTs a manifest under a tag or its digest; answers the digest the registry stored it as. */
export async function putManifest(http: RegistryHttp, image: ImageReference, manifest: ManifestBytes, request: Omit<RegistryCall, 'registry'>, sizeLimit: number): Promise<string> {
  const name = formatImageReference(image);
  if (manifest.body.length > sizeLimit) throw manifestTooLarge(name, manifest.body.length, sizeLimit);
  const target = `/v2/${image.repository}/manifests/${manifestReference(image)}`;
  const response = await http.expect(
    call(image, request),
    {
      method: 'PUT',
      target,
      headers: { 'content-type': manifest.mediaType },
      body: manifest.body,
      scopes: [repositoryScope(image.repository, 'pull,push')],
      action: `writing the manifest of ${name}`,
    },
    [200, 201, 202],
  );
  await response.discard();
  return response.header('docker-content-digest') ?? sha256Digest(manifest.body);
}

/** DELETEs a manifest by digest (which removes every tag on it). Answers the status: 202/200 deleted, 404, 405… */
export async function deleteManifestStatus(http: RegistryHttp, image: ImageReference, reference: string, request: Omit<RegistryCall, 'registry'>): Promise<{ status: number; error: RegistryKitError | undefined }> {
  const target = `/v2/${image.repository}/manifests/${reference}`;
  const action = `deleting ${image.registry}/${image.repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  const response = await http.send(call(image, request), { method: 'DELETE', target, scopes: [repositoryScope(image.repository, 'delete')], action });
  if (response.status === 200 || response.status === 202) {
    await response.discard();
    return { status: response.status, error: undefined };
  }
  return { status: response.status, error: await responseFailure(response, http.context(call(image, request), action)) };
}

function manifestTooLarge(name: string, size: number | undefined, limit: number): RegistryKitError {
  return new RegistryKitError(
    'REGISTRY_ERROR',
    `The manifest of ${name} is ${size === undefined ? 'larger than' : `${size} bytes, over`} the ${limit}-byte limit. Raise \`manifestSizeLimit\` if it is genuine.`,
    { details: { limit, ...(size === undefined ? {} : { size }) } },
  );
}
