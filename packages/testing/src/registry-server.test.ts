import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startRegistry } from './registry-server.js';

async function status(url: string, authorization?: string): Promise<number> {
  const response = await fetch(url, authorization ? { headers: { authorization } } : {});
  return response.status;
}

describe('startRegistry', () => {
  it('serves an open registry on a free loopback port and cleans up on stop', async () => {
    const registry = await startRegistry();
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await status(`${registry.url}/v2/`)).toBe(200);
    await registry.stop();
    expect(existsSync(registry.storageDir)).toBe(false);
    await expect(status(`${registry.url}/v2/`)).rejects.toThrow();
  });

  it('checks htpasswd users with HTTP Basic', async () => {
    await using registry = await startRegistry({ auth: { type: 'htpasswd', users: { alice: 'pw:with:colons' } } });
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    expect(await status(`${registry.url}/v2/`)).toBe(401);
    expect(await status(`${registry.url}/v2/`, basic('alice', 'pw:with:colons'))).toBe(200);
    expect(await status(`${registry.url}/v2/`, basic('alice', 'wrong'))).toBe(401);
  });

  it('refuses deletion with 405 UNSUPPORTED when deleteEnabled is false', async () => {
    await using registry = await startRegistry({ deleteEnabled: false });
    const response = await fetch(`${registry.url}/v2/team/app/manifests/sha256:${'0'.repeat(64)}`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(await response.text()).toContain('UNSUPPORTED');
  });

  it('runs two registries side by side', async () => {
    await using first = await startRegistry();
    await using second = await startRegistry();
    expect(first.port).not.toBe(second.port);
  });
});
