import { describe, expect, it } from 'vitest';
import { TokenCache } from './token-cache.js';

describe('TokenCache', () => {
  it('treats short-lived tokens as good for 60 s and drops them 5 s before they expire', () => {
    let now = 1_000_000;
    const cache = new TokenCache(() => now);
    cache.set('k', 'short', 10);
    now += 54_000;
    expect(cache.get('k')).toBe('short');
    now += 2_000;
    expect(cache.get('k')).toBeUndefined();

    cache.set('k', 'long', 300);
    now += 294_000;
    expect(cache.get('k')).toBe('long');
    now += 2_000;
    expect(cache.get('k')).toBeUndefined();
  });

  it('counts from issued_at when it is in the past, but never below the minimum', () => {
    let now = 10_000_000;
    const cache = new TokenCache(() => now);
    cache.set('k', 'token', 120, new Date(now - 30_000));
    now += 84_000;
    expect(cache.get('k')).toBe('token');
    now += 2_000;
    expect(cache.get('k')).toBeUndefined();
    cache.set('old', 'token', 120, new Date(now - 100_000));
    now += 54_000;
    expect(cache.get('old')).toBe('token');
    cache.set('j', 'future', 120, new Date(now + 3_600_000));
    now += 100_000;
    expect(cache.get('j')).toBe('future');
  });

  it('shares one fetch among concurrent callers, and fetches again after a failure', async () => {
    const cache = new TokenCache();
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      cache.set('k', `token-${fetches}`, 300);
      return `token-${fetches}`;
    };
    expect(await Promise.all([cache.getOrFetch('k', fetch), cache.getOrFetch('k', fetch)])).toEqual(['token-1', 'token-1']);
    expect(fetches).toBe(1);
    await expect(cache.getOrFetch('x', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.getOrFetch('x', async () => 'recovered')).toBe('recovered');
  });
});
