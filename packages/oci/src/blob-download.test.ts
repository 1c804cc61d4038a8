import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basicCredentials, RegistryKitError } from '@registrykit/core';
import { startFaultProxy, startRegistry } from '@registrykit/testing';
import { describe, expect, it } from 'vitest';
import { bufferBlob } from './blob-source.js';
import { createOciClient } from './oci-client.js';

const PASSWORD = 'storage-test-password';

/** Object storage on another origin: serves what `content` gives for a digest, recording the headers it got. */
async function startObjectStorage(content: (digest: string) => Buffer | undefined) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    const body = content(decodeURIComponent(request.url ?? '').replace('/objects/', ''));
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/octet-stream' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    // `localhost` is another origin than the registry's 127.0.0.1.
    url: (digest: string) => `http://localhost:${port}/objects/${digest}`,
    seen,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('blob downloads redirected to object storage', () => {
  it('follows the redirect without sending the registry credentials, and verifies the digest', async () => {
    await using registry = await startRegistry({ auth: { type: 'htpasswd', users: { alice: PASSWORD } } });
    await using proxy = await startFaultProxy({ target: registry.url });
    const data = randomBytes(200_000);
    const blob = bufferBlob(data);
    const served = new Map<string, Buffer>([[blob.digest, data]]);
    await using storage = await startObjectStorage((digest) => served.get(digest));
    const client = createOciClient();
    try {
      const credentials = basicCredentials('alice', PASSWORD);
      const repository = { registry: proxy.host, repository: 'team/app' };
      expect(await client.pushBlob(repository, blob, { credentials })).toBe('uploaded');

      proxy.addFault({ method: 'GET', path: /\/blobs\/sha256:/, action: { type: 'respond', status: 307, headers: { location: storage.url(blob.digest) } } });
      const downloaded = Buffer.concat(await (await client.getBlob(repository, blob.digest, { credentials })).toArray());
      expect(downloaded.equals(data)).toBe(true);
      expect(storage.seen).toHaveLength(1);
      expect(storage.seen[0]?.authorization).toBeUndefined();
      // The registry itself did get them.
      expect(proxy.requests.find((request) => request.method === 'GET' && request.path.includes('/blobs/'))?.status).toBe(307);

      // Storage serving other bytes than the digest says fails the stream at its end.
      served.set(blob.digest, Buffer.concat([data.subarray(0, 1000), randomBytes(10)]));
      proxy.addFault({ method: 'GET', path: /\/blobs\/sha256:/, action: { type: 'respond', status: 307, headers: { location: storage.url(blob.digest) } } });
      const corrupt = await (await client.getBlob(repository, blob.digest, { credentials })).toArray().catch((error: unknown) => error);
      expect(RegistryKitError.hasCode(corrupt, 'REGISTRY_ERROR')).toBe(true);
      expect((corrupt as Error).message).toMatch(/Digest mismatch/);
    } finally {
      client.close();
    }
  });
});

describe('a digest the client cannot verify', () => {
  it('is refused before anything is asked, so no answer is left unread holding a connection slot', async () => {
    await using registry = await startRegistry();
    await using proxy = await startFaultProxy({ target: registry.url });
    proxy.addFault({ method: 'GET', path: /\/blobs\/sha1:/, action: { type: 'respond', status: 200, body: 'some bytes' } });
    const client = createOciClient({ maxConcurrentRequestsPerHost: 1 });
    try {
      const repository = { registry: proxy.host, repository: 'team/app' };
      const failure = await client.getBlob(repository, `sha1:${'a'.repeat(40)}`, { credentials: undefined }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(proxy.requests.some((request) => request.path.includes('/blobs/sha1:'))).toBe(false);
      const next = client.blobExists(repository, `sha256:${'b'.repeat(64)}`, { credentials: undefined });
      const hang = new Promise((resolve) => setTimeout(() => resolve('still waiting after 2 s'), 2_000));
      expect(await Promise.race([next, hang])).toBe(false);
    } finally {
      client.close();
    }
  });
});
