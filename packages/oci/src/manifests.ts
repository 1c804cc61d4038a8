import { createHash } from 'node:crypto';
import { RegistryKitError } from '@registrykit/core';
import { capitalize } from './registry-errors.js';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

/** What manifest requests accept: both OCI and Docker images and indexes. */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.dockerManifest].join(', ');

/** regclient pushes at most 4 MiB and the ACR SDK reads at most 4 MiB; anything larger is not a manifest. */
export const DEFAULT_MANIFEST_SIZE_LIMIT = 4 * 1024 * 1024;

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly urls?: readonly string[] | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
  readonly platform?: Readonly<Record<string, unknown>> | undefined;
}

/** A manifest as pushed or fetched: its exact bytes, type and digest. */
export interface ManifestBytes {
  readonly mediaType: string;
  readonly body: Buffer;
}

export interface ParsedManifest {
  readonly mediaType: string;
  /** `index` for an OCI index or Docker manifest list; `image` otherwise. */
  readonly kind: 'image' | 'index';
  readonly config: Descriptor | undefined;
  readonly layers: readonly Descriptor[];
  /** An index's children. */
  readonly manifests: readonly Descriptor[];
  /** The whole JSON document. */
  readonly json: Readonly<Record<string, unknown>>;
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerManifestList;
}

export function isManifestMediaType(mediaType: string | undefined): boolean {
  return isIndexMediaType(mediaType) || mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest;
}

/**
 * Parses a manifest. The media type is the document's own `mediaType`, else the one it was
 * served with, else guessed from its shape (OCI allows leaving it out).
 */
export function parseManifest(body: Buffer, servedAs?: string | undefined, where = 'the manifest'): ParsedManifest {
  let json: Record<string, unknown>;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    json = parsed as Record<string, unknown>;
  } catch (error) {
    throw new RegistryKitError('REGISTRY_ERROR', `${capitalize(where)} is not a JSON object; it cannot be read as an image manifest or index.`, { cause: error });
  }
  const declared = typeof json['mediaType'] === 'string' ? json['mediaType'] : undefined;
  const served = servedAs?.split(';')[0]?.trim();
  const mediaType =
    declared ?? (isManifestMediaType(served) ? served! : Array.isArray(json['manifests']) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest);
  const kind = isIndexMediaType(mediaType) ? 'index' : 'image';
  return {
    mediaType,
    kind,
    config: json['config'] === undefined ? undefined : descriptorOf(json['config'], `${where}: config`),
    layers: listOf(json['layers'], `${where}: layers`),
    manifests: listOf(json['manifests'], `${where}: manifests`),
    json,
  };
}

function listOf(value: unknown, where: string): Descriptor[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new RegistryKitError('REGISTRY_ERROR', `${capitalize(where)} is not a list of descriptors.`);
  return value.map((item, index) => descriptorOf(item, `${where}[${index}]`));
}

export function descriptorOf(value: unknown, where: string): Descriptor {
  const item = value as Record<string, unknown> | null;
  if (typeof item !== 'object' || item === null || typeof item['digest'] !== 'string' || typeof item['size'] !== 'number' || typeof item['mediaType'] !== 'string') {
    throw new RegistryKitError('REGISTRY_ERROR', `${capitalize(where)} is not a descriptor with mediaType, digest and size.`);
  }
  return item as unknown as Descriptor;
}

/** The blobs an image manifest needs in the repository: config first, then layers. */
export function manifestBlobs(manifest: ParsedManifest): Descriptor[] {
  return [...(manifest.config ? [manifest.config] : []), ...manifest.layers];
}
