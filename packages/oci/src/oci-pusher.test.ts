import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { ImagePushRequest, PushProgressEvent } from '@registrykit/core';
import { testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, createTestOciLayout, type RegistryFixture, skopeoInspect, skopeoRawManifest, startFaultProxy, startRegistry, type TestOciLayout } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_TYPES, parseManifest, sha256Digest } from './manifests.js';
import { createOciPusher, type OciPusher } from './oci-pusher.js';
import { addIndexToLayout } from './test-support/layout-index.js';
import { expectCopiedBack, failureOf } from './test-support/outcomes.js';

const run = promisify(execFile);

let registry: RegistryFixture;
let pusher: OciPusher;
let layout: TestOciLayout;

beforeAll(async () => {
  registry = await startRegistry();
  pusher = createOciPusher();
  layout = await createTestOciLayout({ tag: 'v1', layers: 3, layerBytes: 2 * 1024 * 1024 });
});

afterAll(async () => {
  pusher.client.close();
  await layout.remove();
  await registry.stop();
});

function request(target: string, source: string, events?: PushProgressEvent[]): ImagePushRequest {
  const [repository, tag] = target.split(':') as [string, string];
  return { image: { registry: registry.host, repository, tag }, credentials: undefined, source, ...(events ? { onProgress: (event) => events.push(event) } : {}) };
}

function statuses(events: readonly PushProgressEvent[]): Map<string, string> {
  const last = new Map<string, string>();
  for (const event of events) if (event.type === 'layer' && event.status !== 'uploading') last.set(event.layer, event.status);
  return last;
}

describe('pushing an OCI layout', () => {
  it('pushes the image as it is in the layout, and skopeo copies it back with identical digests', async () => {
    const events: PushProgressEvent[] = [];
    const result = await pusher.push(request('team/app:v1', layout.source, events));
    expect(result).toEqual({
      image: `${registry.host}/team/app:v1`,
      digest: layout.manifestDigest,
      reference: `${registry.host}/team/app@${layout.manifestDigest}`,
      size: (await readFile(join(layout.dir, 'blobs', 'sha256', layout.manifestDigest.slice(7)))).length,
    });
    expect([...statuses(events).values()]).toEqual(['pushed', 'pushed', 'pushed', 'pushed']);
    expect(events.some((event) => event.type === 'layer' && event.status === 'uploading' && event.current === event.total)).toBe(true);

    const inspected = await skopeoInspect(`${registry.host}/team/app:v1`);
    expect(inspected.Digest).toBe(layout.manifestDigest);
    expect(inspected.Layers).toEqual(layout.layerDigests);
    await expectCopiedBack(`${registry.host}/team/app:v1`, layout.manifestDigest, [layout.configDigest, ...layout.layerDigests]);
  });

  it('skips every blob on a re-push and writes nothing, and mounts blobs into another repository', async () => {
    await using proxy = await startFaultProxy({ target: registry.url });
    const viaProxy = createOciPusher();
    try {
      const target = (repository: string) => ({ image: { registry: proxy.host, repository, tag: 'v1' }, credentials: undefined, source: layout.source });
      await viaProxy.push(target('team/mounts'));
      const before = proxy.requests.length;
      const events: PushProgressEvent[] = [];
      expect((await viaProxy.push({ ...target('team/mounts'), onProgress: (event) => events.push(event) })).digest).toBe(layout.manifestDigest);
      expect([...statuses(events).values()]).toEqual(['exists', 'exists', 'exists', 'exists']);
      const repush = proxy.requests.slice(before);
      expect(repush.every((entry) => entry.method === 'HEAD')).toBe(true);
      expect(repush).toHaveLength(5);

      const mounted: PushProgressEvent[] = [];
      expect((await viaProxy.push({ ...target('team/elsewhere'), onProgress: (event) => mounted.push(event) })).digest).toBe(layout.manifestDigest);
      expect([...statuses(mounted).values()]).toEqual(['mounted', 'mounted', 'mounted', 'mounted']);
      expect(proxy.requests.some((entry) => entry.method === 'PATCH' || (entry.method === 'PUT' && entry.path.includes('/blobs/')))).toBe(true);
      expect((await skopeoInspect(`${registry.host}/team/elsewhere:v1`)).Digest).toBe(layout.manifestDigest);
    } finally {
      viaProxy.client.close();
    }
  });

  it('pushes a multi-platform index: children first, then the index under the tag', async () => {
    const multi = await createTestOciLayout({ tag: 'amd64', layers: 1 });
    try {
      const arm = await createTestOciLayout({ dir: multi.dir, tag: 'arm64', layers: 2 });
      const indexDigest = await addIndexToLayout(multi.dir, 'multi', [multi, arm]);
      const result = await pusher.push(request('team/multi:v1', `oci:${multi.dir}:multi`));
      expect(result.digest).toBe(indexDigest);
      const raw = JSON.parse(await skopeoRawManifest(`${registry.host}/team/multi:v1`)) as { manifests: { digest: string }[] };
      expect(raw.manifests.map((child) => child.digest)).toEqual([multi.manifestDigest, arm.manifestDigest]);
      expect((await skopeoInspect(`${registry.host}/team/multi@${arm.manifestDigest}`)).Layers).toEqual(arm.layerDigests);
      const images = await pusher.client.listImages({ registry: registry.host, repository: 'team/multi' }, { credentials: undefined });
      expect(images).toEqual([{ digest: indexDigest, tags: ['v1'], mediaType: MEDIA_TYPES.ociIndex, childDigests: [multi.manifestDigest, arm.manifestDigest] }]);
    } finally {
      await multi.remove();
    }
  });

  it('gzips uncompressed layers when asked, and the registry then holds a gzip image', async () => {
    const plain = await createTestOciLayout({ tag: 'v1', layers: 1, layerBytes: 300_000, gzipLevel: 0 });
    try {
      // Rewrite the layout's manifest as an uncompressed-layer image: unpack the stored gzip first.
      await run('sh', ['-c', `cd ${plain.dir}/blobs/sha256 && gzip -dc < ${plain.layerDigests[0]!.slice(7)} > layer.tar`]);
      const tarDigest = sha256Digest(await readFile(join(plain.dir, 'blobs', 'sha256', 'layer.tar')));
      await run('mv', [join(plain.dir, 'blobs', 'sha256', 'layer.tar'), join(plain.dir, 'blobs', 'sha256', tarDigest.slice(7))]);
      const manifestPath = join(plain.dir, 'blobs', 'sha256', plain.manifestDigest.slice(7));
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { layers: { mediaType: string; digest: string; size: number }[] };
      const tarSize = (await readFile(join(plain.dir, 'blobs', 'sha256', tarDigest.slice(7)))).length;
      manifest.layers = [{ mediaType: MEDIA_TYPES.ociLayer, digest: tarDigest, size: tarSize }];
      const body = Buffer.from(JSON.stringify(manifest));
      await writeFile(join(plain.dir, 'blobs', 'sha256', sha256Digest(body).slice(7)), body);
      await writeFile(join(plain.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MEDIA_TYPES.ociManifest, digest: sha256Digest(body), size: body.length }] }));

      const compressing = createOciPusher({ compressLayers: true, compressionLevel: 1 });
      try {
        const asIs = await pusher.push(request('team/plain:v1', `oci:${plain.dir}`));
        expect(asIs.digest).toBe(sha256Digest(body));
        const result = await compressing.push(request('team/plain:gz', `oci:${plain.dir}`));
        expect(result.digest).not.toBe(sha256Digest(body));
        const pushed = parseManifest(Buffer.from(await skopeoRawManifest(`${registry.host}/team/plain:gz`)));
        expect(pushed.layers[0]?.mediaType).toBe(MEDIA_TYPES.ociLayerGzip);
        expect(pushed.layers[0]?.size).toBeLessThan(tarSize + 1000);
        // The layer is a gzip of exactly the original tar.
        const blob = Buffer.concat(await (await compressing.client.getBlob({ registry: registry.host, repository: 'team/plain' }, pushed.layers[0]!.digest, { credentials: undefined })).toArray());
        expect(sha256Digest(gunzipSync(blob))).toBe(tarDigest);
      } finally {
        compressing.client.close();
      }
    } finally {
      await plain.remove();
    }
  });
});

describe('pushing a docker save archive', () => {
  it('pushes an image the Docker engine saved, compressed on the way, and the engine pulls and runs it', async () => {
    const dockerHost = testDockerHost();
    const env = { ...process.env, DOCKER_HOST: dockerHost };
    const name = `rk-oci-archive/app:${Date.now()}`;
    await buildTestImage({ dockerHost, tag: name, layers: 2, payloadBytes: 100_000 });
    const dir = await mkdtemp(join(tmpdir(), 'rk-oci-archive-'));
    const compressing = createOciPusher({ compressLayers: true });
    try {
      const archive = join(dir, 'app.tar');
      await run('docker', ['save', '-o', archive, name], { env });

      const plain = await pusher.push(request('team/archive:plain', `docker-archive:${archive}`));
      const plainManifest = parseManifest(Buffer.from(await skopeoRawManifest(`${registry.host}/team/archive:plain`)));
      expect(plainManifest.layers.map((layer) => layer.mediaType)).toEqual(Array(plainManifest.layers.length).fill(MEDIA_TYPES.ociLayer));
      expect((await skopeoInspect(`${registry.host}/team/archive:plain`)).Digest).toBe(plain.digest);

      const events: PushProgressEvent[] = [];
      const result = await compressing.push({ ...request('team/archive:gz', `docker-archive:${archive}:${name}`), onProgress: (event) => events.push(event) });
      const manifest = parseManifest(Buffer.from(await skopeoRawManifest(`${registry.host}/team/archive:gz`)));
      expect(manifest.layers.map((layer) => layer.mediaType)).toEqual(Array(manifest.layers.length).fill(MEDIA_TYPES.ociLayerGzip));
      expect(sha256Digest(Buffer.from(await skopeoRawManifest(`${registry.host}/team/archive:gz`)))).toBe(result.digest);
      expect(events.some((event) => event.type === 'message' && event.message.includes(result.digest))).toBe(true);

      // The engine treats 127.0.0.1 registries as insecure, so it pulls over plain HTTP.
      const pulled = `${registry.host}/team/archive@${result.digest}`;
      await run('docker', ['pull', pulled], { env });
      const { stdout } = await run('docker', ['run', '--rm', '--network', 'none', pulled, '/bin/busybox', 'cat', '/etc/built'], { env });
      expect(stdout.trim()).toBe('built');
      await run('docker', ['rmi', '-f', pulled, name], { env });
    } finally {
      compressing.client.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a docker save archive of several images', () => {
  it('pushes the one named in the source, and asks which when none is named', async () => {
    const dockerHost = testDockerHost();
    const env = { ...process.env, DOCKER_HOST: dockerHost };
    const first = `rk-oci-archive/first:${Date.now()}`;
    const second = `rk-oci-archive/second:${Date.now()}`;
    await buildTestImage({ dockerHost, tag: first, runStep: false });
    await buildTestImage({ dockerHost, tag: second, runStep: false });
    const dir = await mkdtemp(join(tmpdir(), 'rk-oci-archive-'));
    try {
      const archive = join(dir, 'both.tar');
      await run('docker', ['save', '-o', archive, first, second], { env });
      const ambiguous = await failureOf(pusher.push(request('team/both:v1', `docker-archive:${archive}`)));
      expect(ambiguous.message).toMatch(/holds 2 images; name one/);
      const result = await pusher.push(request('team/both:v1', `docker-archive:${archive}:docker.io/${second}`));
      const { stdout } = await run('docker', ['inspect', '--format', '{{.Id}}', second], { env });
      const config = JSON.parse(await skopeoRawManifest(`${registry.host}/team/both:v1`)) as { config: { digest: string } };
      expect(config.config.digest).toBe(stdout.trim());
      expect((await skopeoInspect(`${registry.host}/team/both:v1`)).Digest).toBe(result.digest);
      expect((await failureOf(pusher.push(request('team/both:v1', `docker-archive:${archive}:third:1`)))).message).toMatch(/no image named "third:1"; it has: (?=.*rk-oci-archive\/first)(?=.*rk-oci-archive\/second)/);
      await run('docker', ['rmi', first, second], { env });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('bad sources', () => {
  it('refuses a missing or unknown source, naming the field and the forms it takes', async () => {
    const missing = await failureOf(pusher.push({ image: { registry: registry.host, repository: 'team/bad', tag: 'v1' }, credentials: undefined }));
    expect(missing.code).toBe('INVALID_ARGUMENT');
    expect(missing.details['field']).toBe('source');
    expect(missing.message).toMatch(/oci:<dir>.*docker-archive:<path>/);
    expect((await failureOf(pusher.push(request('team/bad:v1', 'docker-daemon:app:1')))).message).toMatch(/Unsupported source "docker-daemon:app:1"/);
    expect((await failureOf(pusher.push(request('team/bad:v1', 'oci:/nonexistent/layout')))).message).toMatch(/not an OCI image layout/);
    expect((await failureOf(pusher.push(request('team/bad:v1', 'docker-archive:/nonexistent.tar')))).message).toMatch(/docker save -o/);
  });

  it('asks which image when a layout holds several, and names the refs it has', async () => {
    const two = await createTestOciLayout({ tag: 'one' });
    try {
      await createTestOciLayout({ dir: two.dir, tag: 'two' });
      const ambiguous = await failureOf(pusher.push(request('team/bad:v1', `oci:${two.dir}`)));
      expect(ambiguous.message).toMatch(/holds 2 images.*refs: one, two/);
      expect((await failureOf(pusher.push(request('team/bad:v1', `oci:${two.dir}:three`)))).message).toMatch(/no image named "three"; it has: one, two/);
    } finally {
      await two.remove();
    }
  });

  it('refuses a damaged layout before writing anything', async () => {
    const damaged = await createTestOciLayout({ tag: 'v1', layers: 2 });
    try {
      await truncate(join(damaged.dir, 'blobs', 'sha256', damaged.layerDigests[1]!.slice(7)), 10);
      const failure = await failureOf(pusher.push(request('team/damaged:v1', damaged.source)));
      expect(failure.code).toBe('INVALID_ARGUMENT');
      expect(failure.message).toMatch(/is 10 bytes, but its manifest says/);
      expect(await pusher.client.getManifestDigest({ registry: registry.host, repository: 'team/damaged', tag: 'v1' }, { credentials: undefined })).toBeUndefined();
      expect(await pusher.client.blobExists({ registry: registry.host, repository: 'team/damaged' }, damaged.layerDigests[0]!, { credentials: undefined })).toBe(false);
    } finally {
      await damaged.remove();
    }
  });

  it('fails with a typed error naming tempDirectory when it cannot hold the compressed layers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rk-oci-tempdir-'));
    try {
      // A minimal `docker save` archive: its one layer is an uncompressed tar, so it is gzipped on the way.
      await writeFile(join(dir, 'hello'), 'hello\n');
      await run('tar', ['-cf', join(dir, 'layer.tar'), '-C', dir, 'hello']);
      const diffId = sha256Digest(await readFile(join(dir, 'layer.tar')));
      await writeFile(join(dir, 'config.json'), JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffId] } }));
      await writeFile(join(dir, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: ['app:1'], Layers: ['layer.tar'] }]));
      await run('tar', ['-cf', join(dir, 'app.tar'), '-C', dir, 'manifest.json', 'config.json', 'layer.tar']);
      const compressing = createOciPusher({ compressLayers: true, tempDirectory: join(dir, 'missing') });
      try {
        const failure = await failureOf(compressing.push(request('team/tempdir:v1', `docker-archive:${join(dir, 'app.tar')}`)));
        expect(failure.code).toBe('PUSH_FAILED');
        expect(failure.message).toContain('tempDirectory');
        expect(await compressing.client.getManifestDigest({ registry: registry.host, repository: 'team/tempdir', tag: 'v1' }, { credentials: undefined })).toBeUndefined();
      } finally {
        compressing.client.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops when aborted and writes no manifest', async () => {
    const big = await createTestOciLayout({ tag: 'v1', layers: 2, layerBytes: 8 * 1024 * 1024, gzipLevel: 0 });
    try {
      await using slow = await startFaultProxy({ target: registry.url, faults: [{ action: { type: 'delay', ms: 200 }, times: Infinity }] });
      const viaSlow = createOciPusher();
      try {
        const controller = new AbortController();
        setTimeout(() => controller.abort(new Error('user pressed ctrl-c')), 300);
        const failure = await failureOf(viaSlow.push({ image: { registry: slow.host, repository: 'team/aborted', tag: 'v1' }, credentials: undefined, source: big.source, signal: controller.signal }));
        expect(failure.code).toBe('ABORTED');
        expect(slow.requests.some((entry) => entry.path.includes('/manifests/') && entry.method === 'PUT')).toBe(false);
      } finally {
        viaSlow.client.close();
      }
    } finally {
      await big.remove();
    }
  });
});
