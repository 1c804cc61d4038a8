import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ContextEntry, readContext, timeSlicer } from './build-context.js';
import type { DockerSettings } from './docker-settings.js';
import type { FileHashCache } from './file-hash-cache.js';

/** The label every built image carries: the checksum of what it was built from. */
export const CHECKSUM_LABEL = 'io.registrykit.build.checksum';

// Bumped whenever what goes into the checksum changes, so old checksums stop matching.
const CHECKSUM_VERSION = 'registrykit-build-checksum/1';

/** An image a build starts from, and what pins its content. */
export interface BaseImageIdentity {
  /** As the Dockerfile names it, e.g. `127.0.0.1:5000/base:1`. */
  readonly image: string;
  /** The registry's manifest digest, or the engine's image id for an image that exists only locally. */
  readonly identity: string;
}

export interface BuildChecksumInputs {
  readonly settings: DockerSettings;
  /** The Dockerfile the engine builds, generated or the user's own. */
  readonly dockerfile: string;
  /** `os/arch[/variant]` the image is built for: the setting, else the engine's. */
  readonly platform: string;
  readonly baseImages: readonly BaseImageIdentity[];
  /** Every entry of the context the engine receives, generated files included. */
  readonly entries: readonly ContextEntry[];
  /** Hashes remembered from earlier builds; files whose stamps match are not read. */
  readonly hashCache?: FileHashCache | undefined;
}

export interface BuildChecksum {
  /** `sha256:<64 hex>`. */
  readonly checksum: string;
  readonly files: number;
  readonly bytes: number;
}

/** Paths and names: where things are, or what the image is called, not what it holds. */
const NOT_CONTENT = new Set(['dockerfile', 'buildContextRoot', 'requirementsFile', 'repository', 'tag']);

/**
 * The checksum of everything that decides an image's content: the settings that shape it, the
 * Dockerfile, the platform, the base images' digests (a re-pushed parent tag changes it), and
 * every context entry's relative path, type, normalized mode and content (or link target).
 * Paths, mtimes, owners and the machine's directory layout stay out, so a fresh checkout on
 * another machine gives the same value. Line endings are hashed as they are: a checkout that
 * turns LF into CRLF sends different bytes, and the image would differ too.
 */
export async function computeBuildChecksum(inputs: BuildChecksumInputs): Promise<BuildChecksum> {
  const context = await hashContext(inputs.entries, inputs.hashCache);
  return { checksum: combineChecksum({ ...inputs, context: context.digest }), files: context.files, bytes: context.bytes };
}

/** The context's part of the checksum: one line per entry, in the order given (listBuildContext sorts), hashed together. */
export async function hashContext(entries: readonly ContextEntry[], cache?: FileHashCache | undefined): Promise<{ digest: string; files: number; bytes: number }> {
  const hash = createHash('sha256');
  const slice = timeSlicer();
  let files = 0;
  let bytes = 0;
  for (const entry of entries) {
    await slice();
    let content = '';
    if (entry.type === 'symlink') content = entry.linkTarget ?? '';
    else if (entry.type === 'file') {
      files += 1;
      bytes += entry.size;
      content = fileHash(entry, cache);
    }
    hash.update(`${entry.type}\u0000${entry.mode.toString(8)}\u0000${entry.path}\u0000${content}\n`);
  }
  return { digest: hash.digest('hex'), files, bytes };
}

/** The checksum from its parts, the context's digest among them: `sha256:<64 hex>`. */
export function combineChecksum(parts: Omit<BuildChecksumInputs, 'entries' | 'hashCache'> & { readonly context: string }): string {
  const settings = Object.fromEntries(Object.entries(parts.settings).filter(([key, value]) => !NOT_CONTENT.has(key) && value !== undefined));
  const document = canonicalJson({
    version: CHECKSUM_VERSION,
    settings,
    dockerfile: sha256(parts.dockerfile),
    platform: parts.platform,
    baseImages: parts.baseImages.map(({ image, identity }) => [image, identity]),
    context: parts.context,
  });
  return `sha256:${sha256(document)}`;
}

function fileHash(entry: ContextEntry, cache: FileHashCache | undefined): string {
  if (entry.content) return sha256(entry.content);
  const known = entry.stamp && cache?.get(entry.source!, entry.stamp);
  if (known) return known;
  const hash = sha256(readContext(entry.source!, (path) => readFileSync(path)));
  if (entry.stamp) cache?.set(entry.source!, entry.stamp, hash);
  return hash;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
