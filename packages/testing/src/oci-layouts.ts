import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface CreateTestOciLayoutOptions {
  /** The layout directory; an existing layout gets one more image. Default: a fresh temporary directory. */
  readonly dir?: string;
  /** The image's `org.opencontainers.image.ref.name`. Default `latest`. */
  readonly tag?: string;
  /** Layers, each a tar holding one file of random bytes. Default 1. */
  readonly layers?: number;
  /** Random bytes per layer. Default 1 KiB. */
  readonly layerBytes?: number;
  /** gzip level of the layers, 0 (stored, fastest) to 9. Default 1. */
  readonly gzipLevel?: number;
}

export interface TestOciLayout {
  readonly dir: string;
  readonly tag: string;
  /** `oci:<dir>:<tag>`, as skopeo and registrykit's daemonless push take it. */
  readonly source: string;
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly layerDigests: readonly string[];
  /** Compressed layers and config, in bytes. */
  readonly sizeBytes: number;
  /** Removes the directory. */
  remove(): Promise<void>;
}

const BLOCK = 512;
const CHUNK = 1024 * 1024;

/**
 * Writes an OCI image layout with a unique image: `layers` gzip tar layers of random data (streamed:
 * GiB-sized layers never sit in memory), an OCI config with their diff ids, and a manifest
 * named `tag` in index.json.
 */
export async function createTestOciLayout(options: CreateTestOciLayoutOptions = {}): Promise<TestOciLayout> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'rk-layout-')));
  const tag = options.tag ?? 'latest';
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const layers: { digest: string; size: number; diffId: string }[] = [];
  for (let index = 0; index < (options.layers ?? 1); index++) {
    layers.push(await writeLayer(blobs, `payload-${index}`, options.layerBytes ?? 1024, options.gzipLevel ?? 1));
  }
  const config = Buffer.from(
    JSON.stringify({
      created: new Date().toISOString(),
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    }),
  );
  const configDigest = await writeBlob(blobs, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size })),
    }),
  );
  const manifestDigest = await writeBlob(blobs, manifest);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const indexPath = join(dir, 'index.json');
  const index = (await readFile(indexPath, 'utf8').then(JSON.parse, () => ({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }))) as {
    manifests: { annotations?: Record<string, string> }[];
  };
  index.manifests = index.manifests.filter((entry) => entry.annotations?.['org.opencontainers.image.ref.name'] !== tag);
  index.manifests.push({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: manifestDigest,
    size: manifest.length,
    annotations: { 'org.opencontainers.image.ref.name': tag },
  } as { annotations: Record<string, string> });
  await writeFile(indexPath, JSON.stringify(index));
  return {
    dir,
    tag,
    source: `oci:${dir}:${tag}`,
    manifestDigest,
    configDigest,
    layerDigests: layers.map((layer) => layer.digest),
    sizeBytes: config.length + layers.reduce((total, layer) => total + layer.size, 0),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

async function writeBlob(blobs: string, data: Buffer): Promise<string> {
  const hex = createHash('sha256').update(data).digest('hex');
  await writeFile(join(blobs, hex), data);
  return `sha256:${hex}`;
}

/** A tar of one file of random bytes, gzipped into the blob store; the tar's hash is the diff id. */
async function writeLayer(blobs: string, name: string, bytes: number, level: number): Promise<{ digest: string; size: number; diffId: string }> {
  const uncompressed = createHash('sha256');
  const compressed = createHash('sha256');
  let size = 0;
  const temporary = join(blobs, `.${name}-${randomBytes(6).toString('hex')}`);
  await pipeline(
    Readable.from(tarOfRandomFile(name, bytes)),
    tap((chunk) => uncompressed.update(chunk)),
    createGzip({ level, chunkSize: 256 * 1024 }),
    tap((chunk) => {
      compressed.update(chunk);
      size += chunk.length;
    }),
    createWriteStream(temporary),
  );
  const hex = compressed.digest('hex');
  await rename(temporary, join(blobs, hex));
  return { digest: `sha256:${hex}`, size, diffId: `sha256:${uncompressed.digest('hex')}` };
}

function* tarOfRandomFile(name: string, bytes: number): Generator<Buffer> {
  yield tarHeader(name, bytes);
  for (let written = 0; written < bytes; written += CHUNK) yield randomBytes(Math.min(CHUNK, bytes - written));
  const padding = (BLOCK - (bytes % BLOCK)) % BLOCK;
  yield Buffer.alloc(padding + 2 * BLOCK);
}

/** A ustar header for a regular file (sizes up to 8 GiB). */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'latin1');
  const octal = (value: number, length: number) => `${value.toString(8).padStart(length - 1, '0')}\0`;
  field(0, 100, name);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(size, 12));
  field(136, 12, octal(Math.floor(Date.now() / 1000), 12));
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

function tap(observe: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      observe(chunk);
      callback(null, chunk);
    },
  });
}
