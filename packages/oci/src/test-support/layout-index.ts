import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestOciLayout } from '@registrykit/testing';
import { MEDIA_TYPES } from '../manifests.js';

/** Adds a multi-platform index named `tag` over images already in the layout; answers its digest. */
export async function addIndexToLayout(dir: string, tag: string, images: readonly TestOciLayout[]): Promise<string> {
  const manifests = await Promise.all(
    images.map(async (image, position) => ({
      mediaType: MEDIA_TYPES.ociManifest,
      digest: image.manifestDigest,
      size: (await readFile(join(dir, 'blobs', 'sha256', image.manifestDigest.slice(7)))).length,
      platform: { os: 'linux', architecture: ['amd64', 'arm64', 's390x'][position] ?? 'riscv64' },
    })),
  );
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }));
  const hex = createHash('sha256').update(body).digest('hex');
  await writeFile(join(dir, 'blobs', 'sha256', hex), body);
  const indexPath = join(dir, 'index.json');
  const index = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: unknown[] };
  index.manifests.push({ mediaType: MEDIA_TYPES.ociIndex, digest: `sha256:${hex}`, size: body.length, annotations: { 'org.opencontainers.image.ref.name': tag } });
  await writeFile(indexPath, JSON.stringify(index));
  return `sha256:${hex}`;
}
