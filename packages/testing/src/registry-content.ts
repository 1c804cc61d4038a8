import { createHash, randomBytes } from 'node:crypto';

export interface UploadTarget {
  /** The registry's base URL, e.g. a fixture's `url`. */
  readonly registryUrl: string;
  readonly repository: string;
  /** Sent as `Authorization` on every request, e.g. `Basic …` or `Bearer …`. */
  readonly authorization?: string | undefined;
}

export interface UploadedManifest {
  readonly digest: string;
  /** The manifest's own size in bytes. */
  readonly size: number;
  readonly mediaType: string;
  /** Config and layer bytes the manifest references (for an index: its children's). */
  readonly contentBytes: number;
}

const IMAGE_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const IMAGE_CONFIG = 'application/vnd.docker.container.image.v1+json';
const LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const INDEX = 'application/vnd.oci.image.index.v1+json';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function send(target: UploadTarget, method: string, path: string, body?: Buffer, contentType?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (target.authorization) headers['authorization'] = target.authorization;
  if (contentType) headers['content-type'] = contentType;
  const response = await fetch(new URL(path, target.registryUrl), { method, headers, ...(body ? { body } : {}) });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return response;
}

async function uploadBlob(target: UploadTarget, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const started = await send(target, 'POST', `/v2/${target.repository}/blobs/uploads/`);
  const location = new URL(started.headers.get('location') ?? '', target.registryUrl);
  location.searchParams.set('digest', digest);
  await send(target, 'PUT', location.pathname + location.search, bytes, 'application/octet-stream');
  return digest;
}

async function putManifest(target: UploadTarget, reference: string, manifest: object, mediaType: string): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(JSON.stringify(manifest));
  await send(target, 'PUT', `/v2/${target.repository}/manifests/${reference}`, bytes, mediaType);
  return { digest: sha256(bytes), size: bytes.length };
}

/**
 * Uploads a small unique image (one random layer) straight through the registry API, without a
 * Docker engine: for tests of listing, digests and deletion. Without a tag it stays untagged.
 */
export async function uploadTestImage(
  target: UploadTarget & { readonly tag?: string | undefined; readonly layerBytes?: number | undefined; readonly architecture?: string | undefined },
): Promise<UploadedManifest> {
  const layer = randomBytes(target.layerBytes ?? 512);
  const config = Buffer.from(JSON.stringify({ architecture: target.architecture ?? 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
  const [configDigest, layerDigest] = [await uploadBlob(target, config), await uploadBlob(target, layer)];
  const manifest = {
    schemaVersion: 2,
    mediaType: IMAGE_MANIFEST,
    config: { mediaType: IMAGE_CONFIG, size: config.length, digest: configDigest },
    layers: [{ mediaType: LAYER, size: layer.length, digest: layerDigest }],
  };
  const digest = sha256(Buffer.from(JSON.stringify(manifest)));
  const stored = await putManifest(target, target.tag ?? digest, manifest, IMAGE_MANIFEST);
  return { ...stored, mediaType: IMAGE_MANIFEST, contentBytes: config.length + layer.length };
}

/** Uploads an OCI image index over `children` (uploaded before), e.g. a multi-arch image. */
export async function uploadTestIndex(
  target: UploadTarget & { readonly tag: string; readonly children: readonly (UploadedManifest & { readonly architecture: string })[] },
): Promise<UploadedManifest> {
  const manifest = {
    schemaVersion: 2,
    mediaType: INDEX,
    manifests: target.children.map((child) => ({
      mediaType: child.mediaType,
      digest: child.digest,
      size: child.size,
      platform: { architecture: child.architecture, os: 'linux' },
    })),
  };
  const stored = await putManifest(target, target.tag, manifest, INDEX);
  return { ...stored, mediaType: INDEX, contentBytes: target.children.reduce((sum, child) => sum + child.contentBytes, 0) };
}
