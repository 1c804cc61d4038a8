import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startFaultProxy } from './fault-proxy.js';
import { startRegistry } from './registry-server.js';

/** Sends `body` with a known length and answers the status, or the error when the connection dies. */
function send(url: string, method: string, body?: Buffer): Promise<number | Error> {
  return new Promise((resolve) => {
    const outgoing = request(url, { method, headers: body ? { 'content-length': String(body.length) } : {} }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', resolve);
    outgoing.end(body);
  });
}

describe('startFaultProxy', () => {
  it('forwards to the registry, keeps the Host so Location points back at the proxy, and records the order', async () => {
    await using registry = await startRegistry();
    await using proxy = await startFaultProxy({ target: registry.url });
    const started = await fetch(`${proxy.url}/v2/team/app/blobs/uploads/`, { method: 'POST' });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toContain(proxy.url);
    expect(await send(`${proxy.url}/v2/`, 'GET')).toBe(200);
    expect(proxy.requests.map((entry) => [entry.method, entry.path, entry.status])).toEqual([
      ['POST', '/v2/team/app/blobs/uploads/', 202],
      ['GET', '/v2/', 200],
    ]);
    const [first, second] = proxy.requests;
    expect(first!.endSeq).toBeLessThan(second!.startSeq);
  });

  it('answers for the registry, cuts a request body, and delays, as many times as told', async () => {
    await using registry = await startRegistry();
    await using proxy = await startFaultProxy({
      target: registry.url,
      faults: [{ method: 'GET', path: /^\/v2\/$/, times: 2, action: { type: 'respond', status: 503, headers: { 'retry-after': '1' } } }],
    });
    expect(await send(`${proxy.url}/v2/`, 'GET')).toBe(503);
    expect(await send(`${proxy.url}/v2/`, 'GET')).toBe(503);
    expect(await send(`${proxy.url}/v2/`, 'GET')).toBe(200);

    const location = (await fetch(`${proxy.url}/v2/team/app/blobs/uploads/`, { method: 'POST' })).headers.get('location')!;
    proxy.addFault({ method: 'PATCH', action: { type: 'cut', afterBytes: 1000 } });
    expect(await send(location, 'PATCH', Buffer.alloc(64 * 1024))).toBeInstanceOf(Error);
    expect(proxy.requests.at(-1)).toMatchObject({ method: 'PATCH', fault: 'cut', requestBytes: 1000, status: undefined });

    proxy.addFault({ method: 'GET', after: 1, action: { type: 'respond', status: 418 } });
    expect(await send(`${proxy.url}/v2/`, 'GET')).toBe(200);
    expect(await send(`${proxy.url}/v2/`, 'GET')).toBe(418);
    expect(await send(`${proxy.url}/v2/`, 'GET')).toBe(200);

    proxy.addFault({ action: { type: 'delay', ms: 300 } });
    const start = Date.now();
    expect(await send(`${proxy.url}/v2/`, 'GET')).toBe(200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
  });
});
