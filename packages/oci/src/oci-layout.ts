import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidDigest } from '@registrykit/core';
import { fileBlob } from './blob-source.js';
import { invalidSource as invalid, type LocalBlob, type LocalImage, type LocalManifest } from './local-image.js';
import { type Descriptor, isIndexMediaType, isManifestMediaType, type ParsedManifest, parseManifest, sha256Digest } from './manifests.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';
const NESTING_LIMIT = 8;

/**
 * Opens an OCI image layout (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`) and selects the
 * manifest named `ref` (its `org.opencontainers.image.ref.name`), or the only one when no ref
 * is given. Manifests and configs are read and checked against their digests; layers are only
 * checked for presence and size, and streamed from their files when pushed.
 */
export async function openOciLayout(dir: string, ref: string | undefined, manifestSizeLimit: number): Promise<LocalImage> {
  const description = `OCI layout ${dir}${ref === undefined ? '' : ` (${ref})`}`;
  const layoutFile = await readFile(join(dir, 'oci-layout'), 'utf8').catch((error: unknown) => {
    throw invalid(`${dir} is not an OCI image layout: it has no readable "oci-layout" file. Create one with \`skopeo copy … oci:${dir}:<tag>\`.`, error);
  });
  const version = parseJson(layoutFile, `${dir}/oci-layout`)['imageLayoutVersion'];
  if (typeof version !== 'string' || !version.startsWith('1.')) {
    throw invalid(`${dir}/oci-layout has imageLayoutVersion ${JSON.stringify(version)}; only 1.x layouts are supported.`);
  }
  const indexBody = await readFile(join(dir, 'index.json')).catch((error: unknown) => {
    throw invalid(`${dir} has no readable index.json.`, error);
  });
  const index = parseManifest(indexBody, undefined, `${dir}/index.json`);
  const selected = selectManifest(index.manifests, ref, dir);
  const root = await readNode(dir, selected, manifestSizeLimit, 0);
  return { root, description, close: async () => {} };
}

function selectManifest(manifests: readonly Descriptor[], ref: string | undefined, dir: string): Descriptor {
  const names = manifests.map((descriptor) => descriptor.annotations?.[REF_NAME]).filter((name): name is string => name !== undefined);
  if (ref === undefined) {
    if (manifests.length === 1) return manifests[0]!;
    throw invalid(
      manifests.length === 0
        ? `The OCI layout ${dir} holds no image.`
        : `The OCI layout ${dir} holds ${manifests.length} images; name one in the source, e.g. "oci:${dir}:${names[0] ?? '<ref>'}" (refs: ${names.join(', ') || 'none'}).`,
    );
  }
  const found =
    manifests.find((descriptor) => descriptor.annotations?.[REF_NAME] === ref) ??
    manifests.find((descriptor) => descriptor.annotations?.[CONTAINERD_NAME] === ref || descriptor.annotations?.[CONTAINERD_NAME]?.endsWith(`:${ref}`)) ??
    (isValidDigest(ref) ? manifests.find((descriptor) => descriptor.digest === ref) : undefined);
  if (found) return found;
  throw invalid(`The OCI layout ${dir} has no image named "${ref}"; it has: ${names.join(', ') || 'no named images'}.`);
}

async function readNode(dir: string, descriptor: Descriptor, manifestSizeLimit: number, depth: number): Promise<LocalManifest> {
  if (!isManifestMediaType(descriptor.mediaType)) {
    throw invalid(`${descriptor.digest} in the OCI layout ${dir} is a "${descriptor.mediaType}", not an image manifest or index.`);
  }
  if (depth > NESTING_LIMIT) throw invalid(`The OCI layout ${dir} nests indexes more than ${NESTING_LIMIT} deep.`);
  const body = await readVerified(dir, descriptor, manifestSizeLimit);
  const manifest: ParsedManifest = parseManifest(body, descriptor.mediaType, `manifest ${descriptor.digest} in ${dir}`);
  const original = { mediaType: manifest.mediaType, body };
  if (isIndexMediaType(manifest.mediaType)) {
    const children: LocalManifest[] = [];
    for (const child of manifest.manifests) children.push(await readNode(dir, child, manifestSizeLimit, depth + 1));
    return { kind: 'index', original, json: manifest.json, mediaType: manifest.mediaType, children };
  }
  if (!manifest.config) throw invalid(`Manifest ${descriptor.digest} in the OCI layout ${dir} has no config.`);
  const config = await readVerified(dir, manifest.config, manifestSizeLimit);
  return {
    kind: 'image',
    original,
    json: manifest.json,
    mediaType: manifest.mediaType,
    config: { descriptor: manifest.config, source: fileBlob(blobPath(dir, manifest.config.digest), manifest.config.digest, config.length) },
    layers: await Promise.all(manifest.layers.map((layer) => layerBlob(dir, layer))),
  };
}

async function layerBlob(dir: string, descriptor: Descriptor): Promise<LocalBlob> {
  const path = blobPath(dir, descriptor.digest);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    // A non-distributable (foreign) layer lives at its `urls`, not in the layout; it is referenced, not pushed.
    if (descriptor.urls?.length) return { descriptor, source: undefined };
    throw invalid(`The OCI layout ${dir} lacks layer ${descriptor.digest} (${path}).`);
  }
  if (info.size !== descriptor.size) {
    throw invalid(`Layer ${descriptor.digest} in the OCI layout ${dir} is ${info.size} bytes, but its manifest says ${descriptor.size}. The layout is damaged.`);
  }
  return { descriptor, source: fileBlob(path, descriptor.digest, descriptor.size) };
}

/** Reads a small blob (a manifest or config) and checks its digest. */
async function readVerified(dir: string, descriptor: Descriptor, limit: number): Promise<Buffer> {
  const path = blobPath(dir, descriptor.digest);
  if (descriptor.size > limit) throw invalid(`${descriptor.digest} in the OCI layout ${dir} is ${descriptor.size} bytes, over the ${limit}-byte limit for manifests and configs.`);
  const file = await open(path, 'r').catch((error: unknown) => {
    throw invalid(`The OCI layout ${dir} lacks ${descriptor.digest} (${path}).`, error);
  });
  let body: Buffer;
  try {
    body = await file.readFile();
  } finally {
    await file.close();
  }
  if (!descriptor.digest.startsWith('sha256:') || sha256Digest(body) !== descriptor.digest) {
    throw invalid(`${path} in the OCI layout does not hash to ${descriptor.digest}. The layout is damaged.`);
  }
  return body;
}

function blobPath(dir: string, digest: string): string {
  const [algorithm, hex] = digest.split(':');
  if (!algorithm || !hex || !isValidDigest(digest)) throw invalid(`The OCI layout ${dir} refers to a malformed digest "${digest}".`);
  return join(dir, 'blobs', algorithm, hex);
}

function parseJson(text: string, where: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw invalid(`${where} is not a JSON object.`);
}
