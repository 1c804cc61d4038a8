import { RegistryKitError } from '@registrykit/core';

/** Which Docker Hub limit a 429 comes from. */
export type DockerHubLimit = 'pull' | 'api' | 'abuse';

/** What a throttled response said: its headers (lowercase names) and body. */
export interface ThrottledResponse {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body?: string | undefined;
}

/** The facts a RATE_LIMITED error from Docker Hub carries in `details`. */
export interface DockerHubRateLimit {
  readonly limit: DockerHubLimit;
  /** Requests (pulls) allowed per window, e.g. 100. */
  readonly allowed?: number | undefined;
  /** The window in seconds, e.g. 21600 (6 h). */
  readonly windowSeconds?: number | undefined;
  readonly remaining?: number | undefined;
  /** When requests are allowed again, when Docker Hub says. */
  readonly resetAt?: Date | undefined;
  /** Whom the pull limit counts: an IP address or an account id (`docker-ratelimit-source`). */
  readonly source?: string | undefined;
}

/**
 * Reads which limit a 429 from Docker Hub hit. The registry's pull limit sends `ratelimit-limit:
 * 100;w=21600` and a `toomanyrequests` body; the Hub API sends `x-ratelimit-*`; the anti-abuse
 * limit in front of both answers a bare "Too Many Requests" with neither.
 */
export function readDockerHubRateLimit(response: ThrottledResponse, now = Date.now()): DockerHubRateLimit {
  const header = (name: string) => response.headers[name];
  const pullHeaders = header('ratelimit-limit') !== undefined || header('docker-ratelimit-source') !== undefined;
  const pullBody = /pull rate limit|toomanyrequests/i.test(response.body ?? '');
  const resetAt = resetTime(header('ratelimit-reset') ?? header('x-ratelimit-reset'), header('retry-after'), now);
  if (pullHeaders || pullBody) {
    const [allowed, windowSeconds] = quota(header('ratelimit-limit'));
    return { limit: 'pull', allowed, windowSeconds, remaining: quota(header('ratelimit-remaining'))[0], resetAt, source: header('docker-ratelimit-source') };
  }
  if (header('x-ratelimit-limit') !== undefined) {
    return { limit: 'api', allowed: integer(header('x-ratelimit-limit')), remaining: integer(header('x-ratelimit-remaining')), resetAt };
  }
  return { limit: 'abuse', resetAt };
}

/** A RATE_LIMITED error that says which Docker Hub limit was hit, while doing what, and when it resets. */
export function dockerHubRateLimitError(response: ThrottledResponse, action: string, options: { readonly cause?: unknown; readonly now?: number } = {}): RegistryKitError {
  const now = options.now ?? Date.now();
  const facts = readDockerHubRateLimit(response, now);
  const reset = facts.resetAt ? `; it resets at ${facts.resetAt.toISOString()} (in ${duration(facts.resetAt.getTime() - now)})` : '';
  let message: string;
  switch (facts.limit) {
    case 'pull': {
      const quotaText = facts.allowed === undefined ? '' : ` of ${facts.allowed} pulls per ${facts.windowSeconds === undefined ? 'window' : duration(facts.windowSeconds * 1000)}`;
      const counted = facts.source === undefined ? '' : ` counted for ${facts.source}`;
      message =
        `Docker Hub's pull rate limit${quotaText} was reached while ${action}${counted}${reset || (facts.windowSeconds === undefined ? '' : `; pulls free up as the ${duration(facts.windowSeconds * 1000)} window slides`)}. ` +
        'Authenticated and paid accounts get more: bind a docker connector or `docker login`, or wait.';
      break;
    }
    case 'api':
      message = `Docker Hub's API rate limit${facts.allowed === undefined ? '' : ` (${facts.allowed} requests per window)`} was reached while ${action}${reset}. Wait, then retry.`;
      break;
    case 'abuse':
      message =
        `Docker Hub's anti-abuse limit (too many requests from this address in a short time; not the pull limit) stopped ${action}${reset}. ` +
        'Wait a minute and retry with fewer parallel requests.';
      break;
  }
  return new RegistryKitError('RATE_LIMITED', message, { cause: options.cause, details: { ...facts, resetAt: facts.resetAt?.toISOString() } });
}

// `100;w=21600` → [100, 21600]
function quota(value: string | undefined): [number | undefined, number | undefined] {
  if (value === undefined) return [undefined, undefined];
  const [count, ...parameters] = value.split(';');
  const window = parameters.map((part) => /^\s*w=(\d+)\s*$/.exec(part)?.[1]).find((found) => found !== undefined);
  return [integer(count), integer(window)];
}

function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

// A reset is a Unix time, or seconds from now; Retry-After is seconds or an HTTP date.
function resetTime(reset: string | undefined, retryAfter: string | undefined, now: number): Date | undefined {
  const resetValue = integer(reset);
  if (resetValue !== undefined) return new Date(resetValue > 1e9 ? resetValue * 1000 : now + resetValue * 1000);
  const seconds = integer(retryAfter);
  if (seconds !== undefined) return new Date(now + seconds * 1000);
  const date = retryAfter === undefined ? Number.NaN : Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : new Date(date);
}

function duration(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}
