import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { type BlobSource, fileBlob } from './blob-source.js';

/**
 * Gzips a layer into `path`, hashing and counting the compressed bytes on the way, and answers
 * the compressed blob. A file rather than memory: the digest must be known before the upload
 * (to skip blobs the registry has) and an interrupted upload must be able to read it again.
 */
export async function gzipToFile(source: BlobSource, path: string, level: number, signal?: AbortSignal | undefined): Promise<BlobSource> {
  const hash = createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(source.open(0, source.size), createGzip({ level, chunkSize: 256 * 1024 }), measure, createWriteStream(path), signal ? { signal } : {});
  return fileBlob(path, `sha256:${hash.digest('hex')}`, size);
}
