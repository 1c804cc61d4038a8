import { stat } from 'node:fs/promises';
import { formatImageReference, isValidDigest, tryParseImageReference } from '@registrykit/core';
import { blobPrefix, bufferBlob, fileBlob, hashBlob } from './blob-source.js';
import { invalidSource as invalid, type LocalBlob, type LocalImage } from './local-image.js';
import { type Descriptor, MEDIA_TYPES } from './manifests.js';
import { indexTar, resolveTarFile, type TarEntry } from './tar-index.js';

interface ArchiveImage {
  readonly Config?: unknown;
  readonly RepoTags?: unknown;
  readonly Layers?: unknown;
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/**
 * Opens a `docker save` archive (the legacy `<id>/layer.tar` form and the OCI form of Docker
 * 25+) without unpacking it: the tar is indexed and layers are streamed as byte ranges of it.
 * `ref` picks one of several images by a name in its `RepoTags`. The manifest pushed is an OCI
 * image manifest; `docker save` layers are uncompressed tars, whose digests are the config's
 * `diff_ids`, so nothing is hashed before the upload (the registry checks the digest).
 */
export async function openDockerArchive(path: string, ref: string | undefined, manifestSizeLimit: number): Promise<LocalImage> {
  const info = await stat(path).catch((error: unknown) => {
    throw invalid(`The docker archive ${path} does not exist or cannot be read. Create it with \`docker save -o ${path} <image>\`.`, error);
  });
  if (!info.isFile()) throw invalid(`The docker archive ${path} is not a file.`);
  const entries = await indexTar(path);
  const read = async (name: string, what: string): Promise<Buffer> => {
    const entry = fileEntry(entries, name, path, what);
    if (entry.size > manifestSizeLimit) throw invalid(`${what} in ${path} is ${entry.size} bytes, over the ${manifestSizeLimit}-byte limit.`);
    return blobPrefix(rangeOf(path, entry), entry.size);
  };

  const list = parseJson(await read('manifest.json', 'manifest.json'), `manifest.json in ${path}`);
  if (!Array.isArray(list) || list.length === 0) throw invalid(`manifest.json in ${path} lists no image.`);
  const image = selectImage(list as ArchiveImage[], ref, path);
  if (typeof image.Config !== 'string' || !Array.isArray(image.Layers) || image.Layers.some((layer) => typeof layer !== 'string')) {
    throw invalid(`manifest.json in ${path} does not name a config and layers for the image.`);
  }
  const configBytes = await read(image.Config, `the image config ${image.Config}`);
  const config = bufferBlob(configBytes);
  const diffIds = diffIdsOf(parseJson(configBytes, `the image config in ${path}`));
  const layers: LocalBlob[] = [];
  for (const [position, layerName] of (image.Layers as string[]).entries()) {
    const entry = fileEntry(entries, layerName, path, `layer ${layerName}`);
    const source = rangeOf(path, entry);
    const head = await blobPrefix(source, 4);
    const gzip = head.subarray(0, 2).equals(GZIP_MAGIC);
    const zstd = head.equals(ZSTD_MAGIC);
    const mediaType = gzip ? MEDIA_TYPES.ociLayerGzip : zstd ? 'application/vnd.oci.image.layer.v1.tar+zstd' : MEDIA_TYPES.ociLayer;
    const named = /(?:^|\/)blobs\/sha256\/([a-f0-9]{64})$/.exec(entry.name)?.[1];
    const uncompressedDigest = diffIds[position];
    const digest = named ? `sha256:${named}` : !gzip && !zstd && uncompressedDigest !== undefined ? uncompressedDigest : await hashBlob(source);
    if (!isValidDigest(digest)) throw invalid(`The image config in ${path} has a malformed diff_id "${digest}".`);
    const descriptor: Descriptor = { mediaType, digest, size: entry.size };
    layers.push({ descriptor, source: fileBlob(path, digest, entry.size, entry.offset) });
  }
  const configDescriptor: Descriptor = { mediaType: MEDIA_TYPES.ociConfig, digest: config.digest, size: config.size };
  const json = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: configDescriptor, layers: layers.map((layer) => layer.descriptor) };
  return {
    root: { kind: 'image', original: undefined, json, mediaType: MEDIA_TYPES.ociManifest, config: { descriptor: configDescriptor, source: config }, layers },
    description: `docker archive ${path}${ref === undefined ? '' : ` (${ref})`}`,
    close: async () => {},
  };
}

function selectImage(images: readonly ArchiveImage[], ref: string | undefined, path: string): ArchiveImage {
  const tagsOf = (image: ArchiveImage) => (Array.isArray(image.RepoTags) ? image.RepoTags.filter((tag): tag is string => typeof tag === 'string') : []);
  const all = images.flatMap(tagsOf);
  if (ref === undefined) {
    if (images.length === 1) return images[0]!;
    throw invalid(`The docker archive ${path} holds ${images.length} images; name one in the source, e.g. "docker-archive:${path}:${all[0] ?? '<name:tag>'}".`);
  }
  const wanted = normalized(ref);
  const found = images.find((image) => tagsOf(image).some((tag) => normalized(tag) === wanted));
  if (found) return found;
  throw invalid(`The docker archive ${path} has no image named "${ref}"; it has: ${all.join(', ') || 'only untagged images'}.`);
}

// `app:1` and `docker.io/library/app:1` are the same name.
function normalized(name: string): string {
  const reference = tryParseImageReference(name);
  return reference ? formatImageReference({ ...reference, tag: reference.tag ?? (reference.digest ? undefined : 'latest') }) : name;
}

function diffIdsOf(config: unknown): string[] {
  const ids = (config as { rootfs?: { diff_ids?: unknown } } | null)?.rootfs?.diff_ids;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

function fileEntry(entries: ReadonlyMap<string, TarEntry>, name: string, path: string, what: string): TarEntry {
  const entry = resolveTarFile(entries, name);
  if (!entry) throw invalid(`The docker archive ${path} lacks ${what} ("${name}"). Is it a \`docker save\` archive?`);
  return entry;
}

function rangeOf(path: string, entry: TarEntry) {
  return fileBlob(path, '', entry.size, entry.offset);
}

function parseJson(bytes: Buffer, where: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    throw invalid(`${where} is not valid JSON.`, error);
  }
}
