import { existsSync } from 'node:fs';
import { openDockerArchive } from './docker-archive.js';
import { invalidSource, type LocalImage } from './local-image.js';
import { openOciLayout } from './oci-layout.js';

/** Where a daemonless push reads its image: an OCI layout directory or a `docker save` archive. */
export interface ImageSource {
  readonly transport: 'oci' | 'docker-archive';
  readonly path: string;
  /** `oci:`: a ref name in the layout; `docker-archive:`: a name in the archive's RepoTags. */
  readonly ref: string | undefined;
}

const TRANSPORTS = ['oci', 'docker-archive'] as const;

/**
 * Parses `oci:<dir>[:<ref>]` or `docker-archive:<path>[:<name:tag>]`, as skopeo writes them.
 * A path that exists as written wins, so paths with colons work; otherwise the first colon
 * after the transport separates the path from the ref.
 */
export function parseImageSource(source: string | undefined): ImageSource {
  if (source === undefined || source.trim() === '') {
    throw invalidSource('A daemonless push needs a `source`: "oci:<dir>[:<tag>]" (an OCI image layout) or "docker-archive:<path>" (a `docker save` archive).');
  }
  const colon = source.indexOf(':');
  const transport = TRANSPORTS.find((name) => name === source.slice(0, colon));
  if (colon === -1 || transport === undefined) {
    throw invalidSource(`Unsupported source "${source}": use "oci:<dir>[:<tag>]" or "docker-archive:<path>[:<name:tag>]".`);
  }
  const rest = source.slice(colon + 1);
  if (rest.length === 0) throw invalidSource(`The source "${source}" names no path: "${transport}:<path>".`);
  if (existsSync(rest)) return { transport, path: rest, ref: undefined };
  const split = rest.indexOf(':');
  if (split <= 0) return { transport, path: rest, ref: undefined };
  const ref = rest.slice(split + 1);
  return { transport, path: rest.slice(0, split), ref: ref.length > 0 ? ref : undefined };
}

export function openImageSource(source: ImageSource, manifestSizeLimit: number): Promise<LocalImage> {
  return source.transport === 'oci' ? openOciLayout(source.path, source.ref, manifestSizeLimit) : openDockerArchive(source.path, source.ref, manifestSizeLimit);
}
