import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { sha256Digest } from './manifests.js';

/**
 * The bytes of one blob, readable again from any offset: a buffer, a file, or a range of a
 * file (a layer inside a `docker save` tar). Uploads stream from it and resume or retry by
 * opening it again, so memory does not grow with the blob's size.
 */
export interface BlobSource {
  readonly digest: string;
  readonly size: number;
  /** A fresh stream of bytes `start` (inclusive) to `end` (exclusive). */
  open(start: number, end: number): Readable;
}

/** Reads files in 1 MiB pieces: fewer, larger writes to the socket than the 64 KiB default. */
const READ_CHUNK = 1024 * 1024;

export function bufferBlob(data: Buffer, digest: string = sha256Digest(data)): BlobSource {
  return { digest, size: data.length, open: (start, end) => Readable.from([data.subarray(start, end)]) };
}

/** `size` bytes of the file at `path` from `offset` on. */
export function fileBlob(path: string, digest: string, size: number, offset = 0): BlobSource {
  return {
    digest,
    size,
    open: (start, end) =>
      end <= start ? Readable.from([]) : createReadStream(path, { start: offset + start, end: offset + end - 1, highWaterMark: READ_CHUNK }),
  };
}

/** The sha256 digest of a blob's bytes, streamed. */
export async function hashBlob(source: Pick<BlobSource, 'size' | 'open'>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of source.open(0, source.size)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** The first `count` bytes of a blob (fewer when it is shorter). */
export async function blobPrefix(source: Pick<BlobSource, 'size' | 'open'>, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source.open(0, Math.min(count, source.size))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
