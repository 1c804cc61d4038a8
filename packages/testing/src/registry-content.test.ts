import { expect, it } from 'vitest';
import { uploadTestImage, uploadTestIndex } from './registry-content.js';
import { listStoredRepositories, readStoredRepository, removeStoredTag } from './registry-storage.js';
import { startRegistry } from './registry-server.js';
import { skopeoRawManifest } from './skopeo.js';

it('uploads images and an index through the registry API, as the registry then serves them', async () => {
  await using registry = await startRegistry();
  const target = { registryUrl: registry.url, repository: 'team/multi' };
  const amd64 = { ...(await uploadTestImage({ ...target, architecture: 'amd64' })), architecture: 'amd64' };
  const arm64 = { ...(await uploadTestImage({ ...target, architecture: 'arm64' })), architecture: 'arm64' };
  const index = await uploadTestIndex({ ...target, tag: 'v1', children: [amd64, arm64] });

  const served = JSON.parse(await skopeoRawManifest(`${registry.host}/team/multi:v1`)) as { manifests: { digest: string }[] };
  expect(served.manifests.map((child) => child.digest)).toEqual([amd64.digest, arm64.digest]);
  const head = await fetch(`${registry.url}/v2/team/multi/manifests/v1`, { method: 'HEAD', headers: { accept: index.mediaType } });
  expect(head.headers.get('docker-content-digest')).toBe(index.digest);
  const tags = (await (await fetch(`${registry.url}/v2/team/multi/tags/list`)).json()) as { tags: string[] };
  expect(tags.tags).toEqual(['v1']);
});

it('reads what the registry stores, untagged manifests included, and removes single tags', async () => {
  await using registry = await startRegistry();
  const target = { registryUrl: registry.url, repository: 'team/stored' };
  const tagged = await uploadTestImage({ ...target, tag: 'v1' });
  const untagged = await uploadTestImage(target);
  await fetch(`${registry.url}/v2/team/stored/manifests/v2`, {
    method: 'PUT',
    headers: { 'content-type': tagged.mediaType },
    body: await (await fetch(`${registry.url}/v2/team/stored/manifests/v1`, { headers: { accept: tagged.mediaType } })).arrayBuffer(),
  });

  const stored = await readStoredRepository(registry.storageDir, 'team/stored');
  expect(stored.manifests.map((manifest) => manifest.digest).sort()).toEqual([tagged.digest, untagged.digest].sort());
  expect(Object.fromEntries(stored.tags)).toEqual({ v1: tagged.digest, v2: tagged.digest });

  await removeStoredTag(registry.storageDir, 'team/stored', 'v1');
  const tags = (await (await fetch(`${registry.url}/v2/team/stored/tags/list`)).json()) as { tags: string[] };
  expect(tags.tags).toEqual(['v2']);
  expect(await readStoredRepository(registry.storageDir, 'team/missing')).toEqual({ manifests: [], tags: new Map() });
  await uploadTestImage({ registryUrl: registry.url, repository: 'team/stored/deeper', tag: 'v1' });
  expect(await listStoredRepositories(registry.storageDir)).toEqual(['team/stored', 'team/stored/deeper']);
});
