import { RegistryKitError } from '@registrykit/core';
import type { BlobSource } from './blob-source.js';
import type { Descriptor, ManifestBytes } from './manifests.js';
import { MEDIA_TYPES, sha256Digest } from './manifests.js';

/** A blob of a local image: its descriptor and where its bytes are. */
export interface LocalBlob {
  readonly descriptor: Descriptor;
  /** Undefined for a non-distributable layer the source does not hold: it is referenced, not pushed. */
  readonly source: BlobSource | undefined;
}

/** An image manifest read from disk (or built from a `docker save` archive). */
export interface LocalImageManifest {
  readonly kind: 'image';
  /** The exact bytes on disk; undefined when the manifest is built, as for a docker archive. */
  readonly original: ManifestBytes | undefined;
  /** The manifest's JSON; descriptors are replaced in a copy when layers are compressed on the way. */
  readonly json: Readonly<Record<string, unknown>>;
  readonly mediaType: string;
  readonly config: LocalBlob;
  readonly layers: readonly LocalBlob[];
}

/** An image index (or Docker manifest list) with its children. */
export interface LocalIndex {
  readonly kind: 'index';
  readonly original: ManifestBytes;
  readonly json: Readonly<Record<string, unknown>>;
  readonly mediaType: string;
  readonly children: readonly LocalManifest[];
}

export type LocalManifest = LocalImageManifest | LocalIndex;

/** An image on disk, ready to push. */
export interface LocalImage {
  readonly root: LocalManifest;
  /** What it is, for messages: `OCI layout ./out (tag v1)`. */
  readonly description: string;
  /** Releases what was opened. */
  close(): Promise<void>;
}

/**
 * The manifest bytes to push: the originals when no descriptor changed (so the digest is the
 * one the source has), else the JSON with the new descriptors.
 */
export function manifestBytes(original: ManifestBytes | undefined, json: Readonly<Record<string, unknown>>, mediaType: string, replacements: Readonly<Record<string, unknown>>): ManifestBytes {
  const changed = Object.entries(replacements).some(([key, value]) => JSON.stringify(json[key]) !== JSON.stringify(value));
  if (original && !changed) return original;
  return { mediaType, body: Buffer.from(JSON.stringify({ ...json, ...replacements })) };
}

/** The descriptor of pushed manifest bytes, keeping what the original descriptor said about platform and annotations. */
export function describeManifest(bytes: ManifestBytes, previous?: Descriptor | undefined): Descriptor {
  return { ...previous, mediaType: bytes.mediaType, digest: sha256Digest(bytes.body), size: bytes.body.length };
}

const UNCOMPRESSED_TO_GZIP: Readonly<Record<string, string>> = {
  [MEDIA_TYPES.ociLayer]: MEDIA_TYPES.ociLayerGzip,
  [MEDIA_TYPES.dockerLayer]: MEDIA_TYPES.dockerLayerGzip,
};

/** The gzip media type for an uncompressed layer type, or undefined when the type is not an uncompressed layer. */
export function gzipMediaTypeFor(mediaType: string): string | undefined {
  return UNCOMPRESSED_TO_GZIP[mediaType];
}

/** A problem with the image a push reads (the request's `source`). */
export function invalidSource(message: string, cause?: unknown): RegistryKitError {
  return new RegistryKitError('INVALID_ARGUMENT', message, { details: { field: 'source' }, ...(cause === undefined ? {} : { cause }) });
}
