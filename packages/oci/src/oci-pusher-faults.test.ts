import { RegistryKitError } from '@registrykit/core';
import { createTestOciLayout, type FaultProxyFixture, type FaultRule, type ProxiedRequest, type RegistryFixture, skopeoInspect, startFaultProxy, startRegistry, type TestOciLayout } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OciClientOptions } from './oci-client.js';
import { createOciPusher } from './oci-pusher.js';

let registry: RegistryFixture;
let layout: TestOciLayout;
let repositories = 0;

beforeAll(async () => {
  registry = await startRegistry();
  // gzip level 0: the layers keep their full 3 MiB, so cuts land inside them.
  layout = await createTestOciLayout({ tag: 'v1', layers: 3, layerBytes: 3 * 1024 * 1024, gzipLevel: 0 });
});

afterAll(async () => {
  await layout.remove();
  await registry.stop();
});

/** Pushes the layout through a fresh proxy with `faults` to a fresh repository; answers the result, the proxy and the repository. */
async function pushThrough(faults: readonly FaultRule[], clientOptions: OciClientOptions = {}, concurrency = 4) {
  const proxy = await startFaultProxy({ target: registry.url, faults });
  const repository = `faults/app${++repositories}`;
  const pusher = createOciPusher({ concurrency, clientOptions: { retry: { initialDelayMs: 20 }, ...clientOptions } });
  const started = Date.now();
  try {
    const outcome = await pusher.push({ image: { registry: proxy.host, repository, tag: 'v1' }, credentials: undefined, source: layout.source }).then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    return { ...outcome, proxy, repository, elapsedMs: Date.now() - started };
  } finally {
    pusher.client.close();
  }
}

/**
 * From the proxy's record: every manifest write started after each of its blobs was present:
 * committed (PUT ?digest= → 201), mounted (201) or found by HEAD (200).
 */
function expectManifestAfterBlobs(requests: readonly ProxiedRequest[], digests: readonly string[]): void {
  const manifestWrites = requests.filter((request) => request.method === 'PUT' && request.path.includes('/manifests/'));
  expect(manifestWrites.length).toBeGreaterThan(0);
  for (const write of manifestWrites) {
    for (const digest of digests) {
      const present = requests.find((request) => {
        if (request.endSeq === undefined || request.endSeq > write.startSeq) return false;
        const path = decodeURIComponent(request.path);
        if (request.method === 'PUT' && path.includes('/blobs/uploads/') && path.includes(`digest=${digest}`)) return request.status === 201;
        if (request.method === 'HEAD' && path.endsWith(`/blobs/${digest}`)) return request.status === 200;
        return request.method === 'POST' && path.includes(`mount=${digest}`) && request.status === 201;
      });
      expect(present, `blob ${digest} present before the manifest write #${write.startSeq}`).toBeDefined();
    }
  }
}

async function expectPushed(proxy: FaultProxyFixture, repository: string): Promise<void> {
  expect((await skopeoInspect(`${registry.host}/${repository}:v1`)).Digest).toBe(layout.manifestDigest);
  expectManifestAfterBlobs(proxy.requests, [layout.configDigest, ...layout.layerDigests]);
  await proxy.stop();
}

describe('a push through faults', () => {
  it('completes when the connection is cut in the middle of a blob', async () => {
    // The cut hits the second layer's upload, whatever order the blobs go in.
    const secondLayer = new RegExp(`/blobs/uploads/.*${layout.layerDigests[1]!.slice('sha256:'.length)}`);
    const { result, error, proxy, repository } = await pushThrough([{ method: 'PUT', path: secondLayer, action: { type: 'cut', afterBytes: 1_000_000 } }]);
    expect(error).toBeUndefined();
    expect(result?.digest).toBe(layout.manifestDigest);
    const cut = proxy.requests.find((request) => request.fault === 'cut');
    expect(cut).toMatchObject({ method: 'PUT', requestBytes: 1_000_000, status: undefined });
    await expectPushed(proxy, repository);
  });

  it('resumes a chunked upload from the offset the registry reports', async () => {
    // One blob at a time: the config (one PATCH), then the first layer, whose second chunk is refused.
    const { error, proxy, repository } = await pushThrough([{ method: 'PATCH', after: 2, action: { type: 'respond', status: 503 } }], { uploadMode: 'chunked', chunkSize: 1024 * 1024 }, 1);
    expect(error).toBeUndefined();
    const patches = proxy.requests.filter((request) => request.method === 'PATCH');
    expect(patches.findIndex((request) => request.status === 503)).toBe(2);
    // The registry was asked where the upload stood, and the next PATCH went on from there: no byte was sent twice.
    const statusCheck = proxy.requests.find((request) => request.method === 'GET' && request.path.includes('/blobs/uploads/'));
    expect(statusCheck?.status).toBe(204);
    expect(statusCheck!.startSeq).toBeGreaterThan(patches[2]!.startSeq);
    expect(patches.reduce((total, request) => total + request.requestBytes, 0)).toBe(layout.sizeBytes);
    await expectPushed(proxy, repository);
  });

  it('completes when a chunked upload is cut mid-chunk', async () => {
    const { error, proxy, repository } = await pushThrough([{ method: 'PATCH', after: 1, action: { type: 'cut', afterBytes: 300_000 } }], { uploadMode: 'chunked', chunkSize: 1024 * 1024 });
    expect(error).toBeUndefined();
    expect(proxy.requests.some((request) => request.fault === 'cut')).toBe(true);
    await expectPushed(proxy, repository);
  });

  it('completes through 503s on every kind of request', async () => {
    const unavailable = { type: 'respond', status: 503 } as const;
    const { error, proxy, repository } = await pushThrough([
      { method: 'GET', path: /^\/v2\/$/, times: 1, action: unavailable },
      { method: 'HEAD', times: 2, action: unavailable },
      { method: 'POST', times: 2, action: unavailable },
      { method: 'PUT', path: /\/blobs\//, times: 2, action: unavailable },
      { method: 'PUT', path: /\/manifests\//, times: 2, action: unavailable },
    ]);
    expect(error, String(error)).toBeUndefined();
    expect(proxy.requests.filter((request) => request.status === 503)).toHaveLength(9);
    await expectPushed(proxy, repository);
  });

  it('waits as long as Retry-After says on 429, and completes', async () => {
    const throttled = { type: 'respond', status: 429, headers: { 'retry-after': '1' }, body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}' } as const;
    const { error, proxy, repository, elapsedMs } = await pushThrough([
      { method: 'POST', times: 1, action: throttled },
      { method: 'PUT', path: /\/manifests\//, times: 1, action: throttled },
    ]);
    expect(error).toBeUndefined();
    expect(elapsedMs).toBeGreaterThanOrEqual(2_000);
    const manifestWrites = proxy.requests.filter((request) => request.method === 'PUT' && request.path.includes('/manifests/'));
    expect(manifestWrites.map((request) => request.status)).toEqual([429, 201]);
    await expectPushed(proxy, repository);
  });

  it('fails RATE_LIMITED, writing no manifest, when the registry asks to wait longer than allowed', async () => {
    const { error, proxy } = await pushThrough([{ method: 'HEAD', path: /\/blobs\//, times: Infinity, action: { type: 'respond', status: 429, headers: { 'retry-after': '120' } } }]);
    expect(RegistryKitError.hasCode(error, 'RATE_LIMITED')).toBe(true);
    expect((error as Error).message).toMatch(/asked to wait 120 s/);
    expect(proxy.requests.some((request) => request.path.includes('/manifests/') && request.method === 'PUT')).toBe(false);
    await proxy.stop();
  });

  it('completes against a slow registry, and retries a request that outlives the idle timeout', async () => {
    const { error, proxy, repository } = await pushThrough(
      [
        { method: 'HEAD', path: /\/manifests\//, times: 1, action: { type: 'delay', ms: 1_500 } },
        { times: Infinity, action: { type: 'delay', ms: 100 } },
      ],
      { timeoutMs: 1_000 },
    );
    expect(error).toBeUndefined();
    const manifestHeads = proxy.requests.filter((request) => request.method === 'HEAD' && request.path.includes('/manifests/'));
    expect(manifestHeads.length).toBeGreaterThanOrEqual(2);
    expect(manifestHeads[0]?.fault).toBe('delay');
    await expectPushed(proxy, repository);
  });

  it('gives up after bounded attempts when blob uploads keep failing, and writes no manifest', async () => {
    const { error, proxy } = await pushThrough([{ method: 'PUT', path: /\/blobs\/uploads\//, times: Infinity, action: { type: 'respond', status: 503 } }], { retry: { maxAttempts: 3, initialDelayMs: 10 } });
    expect(RegistryKitError.hasCode(error, 'REGISTRY_ERROR')).toBe(true);
    expect((error as Error).message).toMatch(/answered 503/);
    expect(proxy.requests.some((request) => request.path.includes('/manifests/') && request.method === 'PUT')).toBe(false);
    await proxy.stop();
  });
});
