import { expect, it } from 'vitest';
import { uploadTestImage, uploadTestIndex } from './registry-content.js';
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
