import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { RegistryKitError } from '@registrykit/core';
import { describe, expect, it } from 'vitest';
import { HttpTransport, type RequestBody } from './http-transport.js';
import { DEFAULT_RETRY_POLICY, isRetryableError, isRetryableStatus, parseRetryAfter, resolveRetryPolicy, retryDelay, sendWithRetries } from './retry.js';

describe('retry policy', () => {
  it('retries 408, 429 and 5xx gateway failures, and transient connection errors only', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 405, 501].some(isRetryableStatus)).toBe(false);
    expect(isRetryableError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryableError(new Error('socket hang up'))).toBe(true);
    expect(isRetryableError(Object.assign(new Error('bad cert'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }))).toBe(false);
    expect(isRetryableError(new RegistryKitError('ABORTED', 'aborted'))).toBe(false);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter up to the cap, and waits what Retry-After says', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelay(policy, 1, undefined, () => 0)).toBe(50);
    expect(retryDelay(policy, 1, undefined, () => 1)).toBe(100);
    expect(retryDelay(policy, 3, undefined, () => 1)).toBe(400);
    expect(retryDelay(policy, 10, undefined, () => 1)).toBe(1000);
    expect(retryDelay(policy, 1, 2500)).toBe(2500);
  });

  it('refuses a nonsensical policy, naming the field', () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/retry\.maxAttempts/);
    expect(() => resolveRetryPolicy({ initialDelayMs: -1 })).toThrow(/retry\.initialDelayMs/);
    expect(resolveRetryPolicy({ maxAttempts: 1 }).maxAttempts).toBe(1);
  });
});

describe('sendWithRetries', () => {
  it('sends a replayable body again after a 503, and a one-shot stream only once', async () => {
    const received: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(body);
        response.writeHead(received.length % 2 === 1 ? 503 : 201);
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const transport = new HttpTransport({ userAgent: 'test', maxConcurrentRequestsPerHost: 2, timeoutMs: 5_000 });
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`);
    const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 1 };
    const send = (body: RequestBody, replayable: boolean) => sendWithRetries(policy, () => transport.request({ method: 'PUT', url, body }), { replayable });
    try {
      const replayed = await send({ length: 5, open: () => Readable.from([Buffer.from('bytes')]) }, true);
      await replayed.discard();
      expect(replayed.status).toBe(201);
      expect(received).toEqual(['bytes', 'bytes']);

      const stream = Readable.from([Buffer.from('once!')]);
      const oneShot = await send({ length: 5, open: () => stream, replayable: false }, false);
      await oneShot.discard();
      expect(oneShot.status).toBe(503);
      expect(received).toEqual(['bytes', 'bytes', 'once!']);
    } finally {
      transport.close();
      server.close();
    }
  });
});
