import { describe, expect, it } from 'vitest';
import { dockerHubRateLimitError, readDockerHubRateLimit } from './dockerhub-rate-limit.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const PULL_BODY = JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }] });

describe('telling Docker Hub limits apart', () => {
  it('reads the pull limit from the registry headers: quota, window, remaining, whom it counts', () => {
    const headers = { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600', 'docker-ratelimit-source': '203.0.113.7' };
    expect(readDockerHubRateLimit({ headers, body: PULL_BODY }, NOW)).toEqual({
      limit: 'pull',
      allowed: 100,
      windowSeconds: 21600,
      remaining: 0,
      resetAt: undefined,
      source: '203.0.113.7',
    });
    const error = dockerHubRateLimitError({ headers, body: PULL_BODY }, 'reading the digest of docker.io/myorg/app:1', { now: NOW });
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toBe(
      "Docker Hub's pull rate limit of 100 pulls per 6 h was reached while reading the digest of docker.io/myorg/app:1 counted for 203.0.113.7; " +
        'pulls free up as the 6 h window slides. Authenticated and paid accounts get more: bind a docker connector or `docker login`, or wait.',
    );
  });

  it('says when the pull limit resets when Docker Hub tells (ratelimit-reset, Retry-After)', () => {
    const reset = dockerHubRateLimitError({ headers: { 'ratelimit-limit': '200;w=21600', 'ratelimit-reset': '1800' }, body: PULL_BODY }, 'pulling', { now: NOW });
    expect(reset.message).toContain('; it resets at 2030-01-01T12:30:00.000Z (in 30 min).');
    expect(reset.details).toMatchObject({ limit: 'pull', allowed: 200, resetAt: '2030-01-01T12:30:00.000Z' });
    const retryAfter = readDockerHubRateLimit({ headers: { 'retry-after': '90' }, body: PULL_BODY }, NOW);
    expect(retryAfter).toMatchObject({ limit: 'pull', resetAt: new Date(NOW + 90_000) });
  });

  it('reads the Hub API limit from x-ratelimit-* with a Unix reset time', () => {
    const headers = { 'x-ratelimit-limit': '180', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 45), 'retry-after': '45' };
    const error = dockerHubRateLimitError({ headers, body: '{"detail":"Too Many Requests"}' }, 'deleting the tag myorg/app:1', { now: NOW });
    expect(error.message).toBe("Docker Hub's API rate limit (180 requests per window) was reached while deleting the tag myorg/app:1; it resets at 2030-01-01T12:00:45.000Z (in 45 s). Wait, then retry.");
    expect(error.details).toMatchObject({ limit: 'api', allowed: 180, remaining: 0 });
  });

  it('recognizes the anti-abuse limit: a bare 429 without rate-limit headers', () => {
    const error = dockerHubRateLimitError({ headers: { 'content-type': 'text/plain' }, body: 'Too Many Requests (HAP429).' }, 'pushing docker.io/myorg/app:1', { now: NOW });
    expect(error.details).toMatchObject({ limit: 'abuse' });
    expect(error.message).toMatch(/^Docker Hub's anti-abuse limit \(too many requests from this address in a short time; not the pull limit\) stopped pushing .*fewer parallel requests\.$/);
  });
});
