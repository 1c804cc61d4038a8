import { createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to a matching request instead of (or while) forwarding it. */
export type FaultAction =
  /** Answer without forwarding, e.g. `{ status: 503 }` or `{ status: 429, headers: { 'retry-after': '1' } }`. */
  | { readonly type: 'respond'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  /** Forward, then cut both connections once `afterBytes` bytes of the request body went through. */
  | { readonly type: 'cut'; readonly afterBytes: number }
  /** Wait `ms` before forwarding: a slow registry. */
  | { readonly type: 'delay'; readonly ms: number };

export interface FaultRule {
  /** Only requests with this method. */
  readonly method?: string;
  /** Only requests whose path (with query) matches. */
  readonly path?: RegExp;
  /** Matching requests to let through untouched before the fault starts. Default 0. */
  readonly after?: number;
  /** How many matching requests get the fault. Default 1; `Infinity` for all. */
  readonly times?: number;
  readonly action: FaultAction;
}

/** One request as the proxy saw it. */
export interface ProxiedRequest {
  /** Increases with every request start and answer end: compare `startSeq` with another's `endSeq` to order them. */
  readonly startSeq: number;
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  /** The fault applied, if any. */
  readonly fault: FaultAction['type'] | undefined;
  /** The status answered; undefined while pending or when the connection was cut. */
  status: number | undefined;
  /** Set when the answer was sent completely. */
  endSeq: number | undefined;
  /** Bytes of request body forwarded. */
  requestBytes: number;
}

export interface StartFaultProxyOptions {
  /** Where requests go, e.g. a registry fixture's `url` (plain HTTP). */
  readonly target: string;
  readonly faults?: readonly FaultRule[];
}

export interface FaultProxyFixture {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `127.0.0.1:PORT`: use it as the registry host in image names. */
  readonly host: string;
  readonly port: number;
  /** Every request so far, in the order they started. */
  readonly requests: readonly ProxiedRequest[];
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a registry that injects faults (refusals, cut connections,
 * delays) and records every request with its order, so tests can check what a client did
 * when things went wrong. The `Host` header is passed through, so the registry's `Location`
 * URLs point back at the proxy.
 */
export async function startFaultProxy(options: StartFaultProxyOptions): Promise<FaultProxyFixture> {
  const target = new URL(options.target);
  const rules: { rule: FaultRule; skip: number; left: number }[] = [];
  const requests: ProxiedRequest[] = [];
  let seq = 0;
  const addFault = (rule: FaultRule) => rules.push({ rule, skip: rule.after ?? 0, left: rule.times ?? 1 });
  for (const rule of options.faults ?? []) addFault(rule);

  function takeFault(request: IncomingMessage): FaultAction | undefined {
    const matching = rules.filter(
      ({ rule, left }) => left > 0 && (rule.method === undefined || rule.method === request.method) && (rule.path === undefined || rule.path.test(request.url ?? '')),
    );
    // Every matching rule counts the request, so `after` means the same whatever other rules exist.
    let action: FaultAction | undefined;
    for (const entry of matching) {
      if (entry.skip > 0) {
        entry.skip--;
      } else if (action === undefined) {
        entry.left--;
        action = entry.rule.action;
      }
    }
    return action;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const fault = takeFault(request);
    const record: ProxiedRequest = { startSeq: ++seq, method: request.method ?? 'GET', path: request.url ?? '/', fault: fault?.type, status: undefined, endSeq: undefined, requestBytes: 0 };
    requests.push(record);
    response.once('finish', () => {
      record.endSeq = ++seq;
    });
    if (fault?.type === 'respond') {
      request.resume();
      record.status = fault.status;
      response.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      response.end(fault.body ?? JSON.stringify({ errors: [{ code: 'INJECTED', message: `fault proxy answered ${fault.status}` }] }));
      return;
    }
    if (fault?.type === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    const headers = { ...request.headers };
    delete headers['connection'];
    delete headers['keep-alive'];
    const upstream = httpRequest({ protocol: target.protocol, hostname: target.hostname, port: target.port, method: request.method, path: request.url, headers }, (answer) => {
      record.status = answer.statusCode;
      const answerHeaders = { ...answer.headers };
      delete answerHeaders['connection'];
      delete answerHeaders['keep-alive'];
      response.writeHead(answer.statusCode ?? 502, answerHeaders);
      answer.pipe(response);
    });
    upstream.on('error', () => {
      record.status = undefined;
      response.destroy();
    });
    const cutAfter = fault?.type === 'cut' ? fault.afterBytes : Infinity;
    request.on('data', (chunk: Buffer) => {
      const room = cutAfter - record.requestBytes;
      if (chunk.length >= room && cutAfter !== Infinity) {
        if (room > 0) upstream.write(chunk.subarray(0, room));
        record.requestBytes += Math.max(0, room);
        // Both sides see the connection drop mid-body, as with a network failure.
        upstream.destroy();
        request.socket.destroy();
        return;
      }
      record.requestBytes += chunk.length;
      if (!upstream.write(chunk)) {
        request.pause();
        upstream.once('drain', () => request.resume());
      }
    });
    request.on('end', () => upstream.end());
    request.on('error', () => upstream.destroy());
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    requests,
    addFault,
    clearFaults: () => {
      rules.length = 0;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
