import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryKitError } from '@registrykit/core';
import { type RegistryFixture, skopeoInspect, skopeoRawManifest, startRegistry } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferBlob, fileBlob } from './blob-source.js';
import { MEDIA_TYPES, sha256Digest } from './manifests.js';
import { createOciClient, type OciClient } from './oci-client.js';
import { expectCopiedBack } from './test-support/outcomes.js';
import { pushSmallImage, smallImage } from './test-support/small-image.js';

const anonymous = { credentials: undefined };

let registry: RegistryFixture;
let client: OciClient;

beforeAll(async () => {
  registry = await startRegistry();
  client = createOciClient({ pageSize: 2 });
});

afterAll(async () => {
  client.close();
  await registry.stop();
});

describe('manifests and blobs against an open registry', () => {
  it('pushes an image that skopeo reads back, and finds its digest by tag and by digest', async () => {
    const target = { registry: registry.host, repository: 'team/app', tag: 'v1' };
    const image = await pushSmallImage(client, target, undefined, smallImage(2));

    const inspected = await skopeoInspect(`${registry.host}/team/app:v1`);
    expect(inspected.Digest).toBe(image.digest);
    expect(inspected.Layers).toEqual(image.layers.map((layer) => layer.digest));
    expect(await skopeoRawManifest(`${registry.host}/team/app:v1`)).toBe(image.manifest.body.toString());

    expect(await client.getManifestDigest(target, anonymous)).toBe(image.digest);
    expect(await client.getManifestDigest({ ...target, tag: undefined, digest: image.digest }, anonymous)).toBe(image.digest);
    expect(await client.headManifest(target, anonymous)).toEqual({ digest: image.digest, mediaType: MEDIA_TYPES.ociManifest, size: image.manifest.body.length });
    const fetched = await client.getManifest(target, anonymous);
    expect(fetched?.body.equals(image.manifest.body)).toBe(true);
    expect(fetched?.manifest.layers.map((layer) => layer.digest)).toEqual(image.layers.map((layer) => layer.digest));
  });

  it('answers undefined for a tag, digest or repository that does not exist', async () => {
    await pushSmallImage(client, { registry: registry.host, repository: 'team/present', tag: 'v1' }, undefined);
    expect(await client.getManifestDigest({ registry: registry.host, repository: 'team/present', tag: 'nope' }, anonymous)).toBeUndefined();
    expect(await client.getManifestDigest({ registry: registry.host, repository: 'team/absent', tag: 'v1' }, anonymous)).toBeUndefined();
    expect(await client.getManifestDigest({ registry: registry.host, repository: 'team/present', digest: sha256Digest('nothing') }, anonymous)).toBeUndefined();
  });

  it('skips blobs that exist, mounts from another repository, and uploads in every mode', async () => {
    const source = { registry: registry.host, repository: 'team/source' };
    const blob = bufferBlob(randomBytes(100_000));
    expect(await client.pushBlob(source, blob, anonymous)).toBe('uploaded');
    expect(await client.pushBlob(source, blob, anonymous)).toBe('exists');
    const other = { registry: registry.host, repository: 'team/other' };
    expect(await client.pushBlob(other, blob, { ...anonymous, mountFrom: ['team/source'] })).toBe('mounted');
    expect(await client.blobExists(other, blob.digest, anonymous)).toBe(true);

    for (const uploadMode of ['monolithic', 'streamed', 'chunked'] as const) {
      const modeClient = createOciClient({ uploadMode, chunkSize: 30_000 });
      try {
        const data = randomBytes(100_001);
        const modeBlob = bufferBlob(data);
        const sent: number[] = [];
        expect(await modeClient.pushBlob(source, modeBlob, { ...anonymous, onProgress: (bytes) => sent.push(bytes) })).toBe('uploaded');
        expect(sent.at(-1)).toBe(data.length);
        const downloaded = Buffer.concat(await (await modeClient.getBlob(source, modeBlob.digest, anonymous)).toArray());
        expect(downloaded.equals(data)).toBe(true);
      } finally {
        modeClient.close();
      }
    }
  });

  it('uploads a blob from a range of a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rk-oci-file-'));
    try {
      const path = join(dir, 'data');
      const data = randomBytes(50_000);
      await writeFile(path, data);
      const range = data.subarray(1000, 41_000);
      const blob = fileBlob(path, sha256Digest(range), range.length, 1000);
      const repository = { registry: registry.host, repository: 'team/files' };
      expect(await client.pushBlob(repository, blob, anonymous)).toBe('uploaded');
      const downloaded = Buffer.concat(await (await client.getBlob(repository, blob.digest, anonymous)).toArray());
      expect(downloaded.equals(range)).toBe(true);
      expect((await readFile(path)).length).toBe(50_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a manifest over the size limit, naming the limit', async () => {
    const small = createOciClient({ manifestSizeLimit: 100 });
    try {
      const image = smallImage();
      const failure = await small.putManifest({ registry: registry.host, repository: 'team/big', tag: 'v1' }, image.manifest, anonymous).catch((error: unknown) => error);
      expect(RegistryKitError.hasCode(failure, 'REGISTRY_ERROR')).toBe(true);
      expect((failure as Error).message).toMatch(/100-byte limit.*manifestSizeLimit/);
      await pushSmallImage(client, { registry: registry.host, repository: 'team/big', tag: 'v1' }, undefined, image);
      await expect(small.getManifest({ registry: registry.host, repository: 'team/big', tag: 'v1' }, anonymous)).rejects.toThrow(/100-byte limit/);
    } finally {
      small.close();
    }
  });
});

describe('tags, listing and deletion', () => {
  it('lists every tag across pages', async () => {
    const repository = { registry: registry.host, repository: 'team/paged' };
    const image = smallImage();
    const tags = ['a', 'b', 'c', 'd', 'e'];
    for (const tag of tags) await pushSmallImage(client, { ...repository, tag }, undefined, image);
    expect((await client.listTags(repository, anonymous)).sort()).toEqual(tags);
  });

  it('fails with NOT_FOUND for tags of a repository that does not exist', async () => {
    const failure = await client.listTags({ registry: registry.host, repository: 'team/never' }, anonymous).catch((error: unknown) => error);
    expect(RegistryKitError.hasCode(failure, 'NOT_FOUND')).toBe(true);
  });

  it('lists images with their tags, sizes and, for an index, its children', async () => {
    const repository = { registry: registry.host, repository: 'team/listed' };
    const first = await pushSmallImage(client, { ...repository, tag: 'one' }, undefined, smallImage(2, 1000));
    await pushSmallImage(client, { ...repository, tag: 'uno' }, undefined, first);
    // The second image is only reachable through the index, by digest.
    const untagged = smallImage();
    const second = await pushSmallImage(client, { ...repository, digest: untagged.digest }, undefined, untagged);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociIndex,
        manifests: [first, second].map((image, position) => ({
          mediaType: MEDIA_TYPES.ociManifest,
          digest: image.digest,
          size: image.manifest.body.length,
          platform: { os: 'linux', architecture: position === 0 ? 'amd64' : 'arm64' },
        })),
      }),
    );
    await client.putManifest({ ...repository, tag: 'multi' }, { mediaType: MEDIA_TYPES.ociIndex, body: index }, anonymous);

    const images = await client.listImages(repository, anonymous);
    const byDigest = new Map(images.map((image) => [image.digest, image]));
    expect(images).toHaveLength(2);
    expect(byDigest.get(first.digest)).toEqual({
      digest: first.digest,
      tags: ['one', 'uno'],
      mediaType: MEDIA_TYPES.ociManifest,
      sizeBytes: first.config.size + first.layers.reduce((total, layer) => total + layer.size, 0),
    });
    expect(byDigest.get(sha256Digest(index))).toEqual({
      digest: sha256Digest(index),
      tags: ['multi'],
      mediaType: MEDIA_TYPES.ociIndex,
      childDigests: [first.digest, second.digest],
    });
  });

  it('deletes a tag without touching the other tags of its image', async () => {
    const repository = { registry: registry.host, repository: 'team/tagdel' };
    const image = await pushSmallImage(client, { ...repository, tag: 'keep' }, undefined);
    await pushSmallImage(client, { ...repository, tag: 'drop' }, undefined, image);

    const result = await client.deleteImage({ ...repository, tag: 'drop' }, anonymous);
    expect(result).toEqual({ deleted: [`${registry.host}/team/tagdel:drop`], failures: [] });
    expect((await client.listTags(repository, anonymous)).sort()).toEqual(['keep']);
    expect(await client.getManifestDigest({ ...repository, tag: 'keep' }, anonymous)).toBe(image.digest);
    expect(await client.getManifestDigest({ ...repository, tag: 'drop' }, anonymous)).toBeUndefined();
  });

  it('deletes by digest, with every tag on it, and reports a missing image as a failure', async () => {
    const repository = { registry: registry.host, repository: 'team/digestdel' };
    const image = await pushSmallImage(client, { ...repository, tag: 'a' }, undefined);
    await pushSmallImage(client, { ...repository, tag: 'b' }, undefined, image);
    const result = await client.deleteImage({ ...repository, digest: image.digest }, anonymous);
    expect(result).toEqual({ deleted: [`${registry.host}/team/digestdel@${image.digest}`], failures: [] });
    expect(await client.listTags(repository, anonymous)).toEqual([]);

    const again = await client.deleteImage({ ...repository, digest: image.digest }, anonymous);
    expect(again.deleted).toEqual([]);
    expect(again.failures).toMatchObject([{ reference: `${registry.host}/team/digestdel@${image.digest}`, code: 'NOT_FOUND' }]);
    const missingTag = await client.deleteImage({ ...repository, tag: 'gone' }, anonymous);
    expect(missingTag.failures).toMatchObject([{ reference: `${registry.host}/team/digestdel:gone`, code: 'NOT_FOUND' }]);
  });

  it('reports UNSUPPORTED when the registry refuses deletion (405), and leaves the tag as it was', async () => {
    await using locked = await startRegistry({ deleteEnabled: false });
    const repository = { registry: locked.host, repository: 'team/locked' };
    const image = await pushSmallImage(client, { ...repository, tag: 'v1' }, undefined);

    const byDigest = await client.deleteImage({ ...repository, digest: image.digest }, anonymous);
    expect(byDigest.deleted).toEqual([]);
    expect(byDigest.failures).toMatchObject([{ reference: `${locked.host}/team/locked@${image.digest}`, code: 'UNSUPPORTED' }]);

    const byTag = await client.deleteImage({ ...repository, tag: 'v1' }, anonymous);
    expect(byTag.deleted).toEqual([]);
    expect(byTag.failures).toMatchObject([{ reference: `${locked.host}/team/locked:v1`, code: 'UNSUPPORTED' }]);
    expect(await client.getManifestDigest({ ...repository, tag: 'v1' }, anonymous)).toBe(image.digest);
  });

  it('lists the catalog across pages', async () => {
    await using fresh = await startRegistry();
    for (const name of ['x/one', 'x/two', 'x/three']) await pushSmallImage(client, { registry: fresh.host, repository: name, tag: 'v1' }, undefined);
    expect((await client.listRepositories(fresh.host, anonymous)).sort()).toEqual(['x/one', 'x/three', 'x/two']);
  });
});

describe('copying back', () => {
  it('round-trips through skopeo copy to an OCI layout with identical digests', async () => {
    const target = { registry: registry.host, repository: 'team/roundtrip', tag: 'v1' };
    const image = await pushSmallImage(client, target, undefined, smallImage(3));
    await expectCopiedBack(`${registry.host}/team/roundtrip:v1`, image.digest, [image.config, ...image.layers].map((blob) => blob.digest));
  });
});

describe('aborting', () => {
  it('stops a call waiting for a connection slot as soon as its signal fires, or at once when it already has: ABORTED', async () => {
    const one = createOciClient({ maxConcurrentRequestsPerHost: 1 });
    try {
      const repository = { registry: registry.host, repository: 'team/slots' };
      const blob = bufferBlob(randomBytes(4 * 1024 * 1024));
      await one.pushBlob(repository, blob, anonymous);
      // An unread download holds the host's only slot.
      const held = await one.getBlob(repository, blob.digest, anonymous);
      const lookup = (signal: AbortSignal) => one.getManifestDigest({ ...repository, tag: 'v1' }, { credentials: undefined, signal }).catch((error: unknown) => error);
      const timedOut = await lookup(AbortSignal.timeout(100));
      expect((timedOut as RegistryKitError).code).toBe('ABORTED');
      const hang = new Promise((resolve) => setTimeout(() => resolve('still waiting after 2 s'), 2_000));
      expect(await Promise.race([lookup(AbortSignal.abort()), hang])).toMatchObject({ code: 'ABORTED' });
      held.destroy();
    } finally {
      one.close();
    }
  });
});

describe('a credential HTTP cannot carry', () => {
  it('fails with INVALID_ARGUMENT saying what is wrong, without the secret, and keeps the connection slot free', async () => {
    const one = createOciClient({ maxConcurrentRequestsPerHost: 1 });
    try {
      const image = { registry: registry.host, repository: 'team/header', tag: 'v1' };
      const token = 'tok-3f9a1c\n';
      const failure = await one.getManifestDigest(image, { credentials: { type: 'bearer', token } }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect((failure as Error).message).toMatch(/line break/);
      expect(JSON.stringify({ message: (failure as Error).message, details: (failure as RegistryKitError).details })).not.toContain('tok-3f9a1c');
      const next = one.getManifestDigest(image, anonymous);
      const hang = new Promise((resolve) => setTimeout(() => resolve('still waiting after 2 s'), 2_000));
      expect(await Promise.race([next, hang])).toBeUndefined();
    } finally {
      one.close();
    }
  });
});

describe('checkCredentials', () => {
  it('accepts anything on an open registry, and fails REGISTRY_ERROR naming the host when nothing listens', async () => {
    await expect(client.checkCredentials(registry.host, anonymous)).resolves.toBeUndefined();
    const quick = createOciClient({ retry: { maxAttempts: 1 } });
    const failure = await quick.checkCredentials('127.0.0.1:1', anonymous).catch((error: unknown) => error);
    expect(RegistryKitError.hasCode(failure, 'REGISTRY_ERROR')).toBe(true);
    expect((failure as Error).message).toMatch(/cannot reach 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });
});
