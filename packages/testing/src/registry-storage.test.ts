import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RegistryFixture, startRegistry } from './registry-server.js';
import { readStoredManifests, removeStoredTag } from './registry-storage.js';

let registry: RegistryFixture;

beforeAll(async () => {
  registry = await startRegistry();
});

afterAll(async () => {
  await registry?.stop();
});

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function putBlob(repository: string, data: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256(data);
  const start = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  const location = new URL(start.headers.get('location')!, registry.url);
  location.searchParams.set('digest', digest);
  expect((await fetch(location, { method: 'PUT', body: data, headers: { 'content-type': 'application/octet-stream' } })).status).toBe(201);
  return { digest, size: data.length };
}

async function putManifest(repository: string, reference: string, manifest: object): Promise<{ digest: string; size: number; mediaType: string }> {
  const body = Buffer.from(JSON.stringify(manifest));
  const mediaType = (manifest as { mediaType: string }).mediaType;
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, { method: 'PUT', body, headers: { 'content-type': mediaType } });
  expect(response.status).toBe(201);
  return { digest: sha256(body), size: body.length, mediaType };
}

it('lists every stored manifest of a repository, tagged or not, with index children and sizes, and removes tags', async () => {
  const repository = 'team/app';
  const config = await putBlob(repository, Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'));
  const layer = await putBlob(repository, randomBytes(1000));
  const image = (tag: string) =>
    putManifest(repository, tag, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    });
  const child = await image('child');
  const index = await putManifest(repository, 'multi', {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ ...child, platform: { architecture: 'amd64', os: 'linux' } }],
  });
  expect(await removeStoredTag(registry.storageDir, repository, 'child')).toBe(true);
  expect(await removeStoredTag(registry.storageDir, repository, 'child')).toBe(false);

  const stored = await readStoredManifests(registry.storageDir, repository);

  expect(stored.map(({ digest, tags, childDigests, sizeBytes, mediaType }) => ({ digest, tags, childDigests, sizeBytes, mediaType }))).toEqual(
    expect.arrayContaining([
      { digest: child.digest, tags: [], childDigests: [], sizeBytes: config.size + layer.size, mediaType: child.mediaType },
      { digest: index.digest, tags: ['multi'], childDigests: [child.digest], sizeBytes: config.size + layer.size, mediaType: index.mediaType },
    ]),
  );
  expect(stored).toHaveLength(2);
  expect(stored.every((manifest) => manifest.storedAt instanceof Date)).toBe(true);
  expect((await fetch(`${registry.url}/v2/${repository}/tags/list`).then((response) => response.json())) as object).toEqual({ name: repository, tags: ['multi'] });
  expect(await readStoredManifests(registry.storageDir, 'no/such')).toEqual([]);
});
