/** Bounds how many tasks run at once per key (a host, say); the rest wait in order. */
export class KeyedLimiter {
  readonly #limit: number;
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, (() => void)[]>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Waits for a slot for `host`; the answer releases it (calling it twice is harmless). */
  async acquire(host: string, signal?: AbortSignal | undefined): Promise<() => void> {
    // An 'abort' listener added after the abort never fires: the wait would last until a slot frees.
    signal?.throwIfAborted();
    if ((this.#active.get(host) ?? 0) >= this.#limit) {
      await new Promise<void>((resolve, reject) => {
        const queue = this.#waiting.get(host) ?? [];
        this.#waiting.set(host, queue);
        const onAbort = () => {
          const index = queue.indexOf(grant);
          if (index !== -1) queue.splice(index, 1);
          reject(signal!.reason);
        };
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        queue.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.#active.set(host, (this.#active.get(host) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.get(host)?.shift();
      // The slot passes straight to the next waiter; the count only drops when nobody waits.
      if (next) next();
      else this.#active.set(host, (this.#active.get(host) ?? 1) - 1);
    };
  }
}

/** Runs `work` over `items` with at most `concurrency` at once; rejects with the first failure after the others settle. */
export async function mapConcurrent<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}

/** Waits for every promise to settle (nothing keeps running unobserved), then rejects with the first failure, if any. */
export async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}
