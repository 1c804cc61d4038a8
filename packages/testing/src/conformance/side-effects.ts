import { Socket } from 'node:net';

// Logs of the windows in which the network is cut. The patches below are installed while at
// least one window is open, so overlapping windows (concurrent checks) each see every attempt.
const openWindows = new Set<string[]>();
let restore: (() => void) | undefined;

/**
 * Runs `work` as on a machine without a network, recording every attempt in `log`: each TCP,
 * TLS or unix-socket connection (whichever client opened it: fetch, node:http, an SDK) fails at
 * once with ECONNREFUSED, and `fetch` rejects as it does offline. The window stays open
 * `settleMs` after `work` settles, to catch what it left running.
 */
export async function withNetworkCut<T>(log: string[], work: () => Promise<T> | T, settleMs = 0): Promise<T> {
  openWindows.add(log);
  restore ??= installCut();
  try {
    return await work();
  } finally {
    if (settleMs > 0) await settle(settleMs);
    openWindows.delete(log);
    if (openWindows.size === 0) {
      restore?.();
      restore = undefined;
    }
  }
}

/** How long work a flavor started and did not await (create()'s leftovers) is given to show itself. */
export const SETTLE_MS = 50;

/** Waits `ms`, so that work left running (promises not awaited) gets done. */
export function settle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function installCut(): () => void {
  const originalConnect = Socket.prototype.connect;
  const originalFetch = globalThis.fetch;
  // Every client socket, plain or TLS, connects through Socket.prototype.connect.
  Socket.prototype.connect = function cutConnect(this: Socket, ...args: unknown[]): Socket {
    const target = connectTarget(args);
    record(`connects to ${target}`);
    const error = Object.assign(new Error(`connect ECONNREFUSED ${target} (the network is cut by the registrykit conformance kit)`), { code: 'ECONNREFUSED' });
    process.nextTick(() => this.destroy(error));
    return this;
  } as typeof Socket.prototype.connect;
  globalThis.fetch = async (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    record(`fetches ${url}`);
    throw new TypeError('fetch failed', { cause: new Error(`the network is cut by the registrykit conformance kit (${url})`) });
  };
  return () => {
    Socket.prototype.connect = originalConnect;
    globalThis.fetch = originalFetch;
  };
}

function record(entry: string): void {
  for (const log of openWindows) log.push(entry);
}

function connectTarget(args: readonly unknown[]): string {
  // net.connect() hands Socket#connect its arguments already normalized, as an array.
  const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  if (typeof first === 'object' && first !== null) {
    const options = first as { path?: unknown; host?: unknown; port?: unknown };
    if (typeof options.path === 'string') return options.path;
    return `${typeof options.host === 'string' ? options.host : 'localhost'}:${String(options.port)}`;
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return first;
  return `${typeof second === 'string' ? second : 'localhost'}:${String(first)}`;
}

/**
 * An environment that records every variable read from it (`label.NAME`), and every listing of
 * its keys (a copy, a spread, JSON.stringify), into `log`.
 */
export function recordingEnv(log: string[], label: string, target: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return new Proxy(target, {
    get(object, key, receiver) {
      if (typeof key === 'string') log.push(`${label}.${key}`);
      return Reflect.get(object, key, receiver) as unknown;
    },
    has(object, key) {
      if (typeof key === 'string') log.push(`${label}.${key}`);
      return Reflect.has(object, key);
    },
    ownKeys(object) {
      log.push(`${label} (every variable)`);
      return Reflect.ownKeys(object);
    },
  });
}

/**
 * Runs `work` with `process.env` recording into `log`, through the microtasks it leaves queued
 * (an async helper it did not await), but not beyond: timers and I/O callbacks belong to the
 * rest of the process (the test runner), which may read the environment.
 */
export async function withProcessEnvRecorded<T>(log: string[], work: () => T): Promise<T> {
  const real = process.env;
  process.env = recordingEnv(log, 'process.env', real);
  try {
    const result = work();
    for (let round = 0; round < MICROTASK_ROUNDS; round++) await null;
    return result;
  } finally {
    process.env = real;
  }
}

const MICROTASK_ROUNDS = 32;
