/** Registries may say a token lives for less, but clients treat it as valid this long (as regclient and containers/image do). */
export const MINIMUM_TOKEN_LIFETIME_SECONDS = 60;
/** A token is fetched again this long before it expires, so requests in flight do not race its expiry. */
export const TOKEN_REFRESH_MARGIN_SECONDS = 5;

interface Entry {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Bearer tokens per key (registry, credentials and scope set) with their expiry. Concurrent
 * requests for a key that is not cached share one fetch.
 */
export class TokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<string>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The cached token for `key` while it is still usable, else undefined. */
  get(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt - TOKEN_REFRESH_MARGIN_SECONDS * 1000 <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.token;
  }

  /** Stores a token; `expiresInSeconds` below the minimum (or missing) counts as the minimum. */
  set(key: string, token: string, expiresInSeconds: number | undefined, issuedAt?: Date | undefined): void {
    const lifetime = Math.max(MINIMUM_TOKEN_LIFETIME_SECONDS, Number.isFinite(expiresInSeconds) ? (expiresInSeconds ?? 0) : 0);
    // An issuer's clock may differ from ours: count from `issued_at` only when it is not in the future.
    const now = this.#now();
    const start = issuedAt !== undefined && !Number.isNaN(issuedAt.getTime()) && issuedAt.getTime() <= now ? issuedAt.getTime() : now;
    this.#entries.set(key, { token, expiresAt: Math.max(start + lifetime * 1000, now + MINIMUM_TOKEN_LIFETIME_SECONDS * 1000) });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** The cached token, or the result of `fetch` (shared by concurrent callers; stored by `fetch` via `set`). */
  async getOrFetch(key: string, fetch: () => Promise<string>): Promise<string> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = fetch().finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }
}
