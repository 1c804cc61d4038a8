import { RegistryKitError } from '@registrykit/core';
import type { HttpResponse } from './http-transport.js';

/** How requests are retried on 408/429/5xx answers and broken connections. */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default 5; 1 turns retries off. */
  readonly maxAttempts: number;
  /** The first backoff; it doubles per attempt, with jitter. Default 200 ms. */
  readonly initialDelayMs: number;
  /** The longest backoff. Default 10 s. */
  readonly maxDelayMs: number;
  /** The longest `Retry-After` honoured; a registry asking for longer gets an error instead. Default 60 s. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

// Transient transport failures; a TLS or DNS error is not one of them.
const RETRYABLE_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

export function isRetryableError(error: unknown): boolean {
  if (RegistryKitError.isInstance(error)) return false;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && RETRYABLE_ERROR_CODES.has(code)) return true;
  return error instanceof Error && /socket hang up|premature close|aborted/i.test(error.message) && error.name !== 'AbortError';
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The wait before attempt `attempt + 1` (attempt counts from 1): `Retry-After` when given, else exponential backoff with jitter. */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  // Full jitter on half the delay keeps clients that failed together from retrying together.
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Resolves after `ms`, or rejects with ABORTED when `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortedError(signal: AbortSignal, what = 'The registry operation'): RegistryKitError {
  return new RegistryKitError('ABORTED', `${what} was aborted.`, { cause: signal.reason });
}

/**
 * Sends with `send` until an answer is not a retryable status, a transient failure stops, or
 * the attempts run out. Only a replayable body is ever sent twice. A `Retry-After` longer
 * than the policy allows is not waited for: that answer is returned.
 */
export async function sendWithRetries(
  policy: RetryPolicy,
  send: () => Promise<HttpResponse>,
  options: { readonly replayable: boolean; readonly signal?: AbortSignal | undefined },
): Promise<HttpResponse> {
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= policy.maxAttempts || !options.replayable;
    let response: HttpResponse;
    try {
      response = await send();
    } catch (error) {
      if (last || !isRetryableError(error) || options.signal?.aborted) throw error;
      await sleep(retryDelay(policy, attempt, undefined), options.signal);
      continue;
    }
    if (last || !isRetryableStatus(response.status)) return response;
    const retryAfter = parseRetryAfter(response.header('retry-after'));
    if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) return response;
    await response.discard();
    await sleep(retryDelay(policy, attempt, retryAfter), options.signal);
  }
}

export function resolveRetryPolicy(given: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...given };
  for (const [key, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0 || (key === 'maxAttempts' && (value < 1 || !Number.isInteger(value)))) {
      throw new RegistryKitError('INVALID_ARGUMENT', `Invalid retry.${key}: ${value}. Use a non-negative number (maxAttempts: an integer >= 1).`, {
        details: { field: `retry.${key}` },
      });
    }
  }
  return policy;
}
