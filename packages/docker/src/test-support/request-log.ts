import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface RequestLogProxy {
  /** `127.0.0.1:PORT`: use it as the registry host. */
  readonly host: string;
  /** Every request that went through, in order. */
  readonly requests: LoggedRequest[];
  /** Sends later requests to another registry: the same name, other storage. */
  retarget(target: { readonly host: string }): void;
  stop(): Promise<void>;
}

/**
 * A plain HTTP proxy in front of a registry that records each request (method, path, status):
 * the registry's own access log, seen from the wire. The Host header is passed on unchanged,
 * so the registry's upload locations point back through the proxy.
 */
export async function startRequestLogProxy(target: { readonly host: string }): Promise<RequestLogProxy> {
  let current = target.host;
  const requests: LoggedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const [targetHost, targetPort] = current.split(':') as [string, string];
    const forwarded = httpRequest(
      { host: targetHost, port: Number(targetPort), method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        requests.push({ method: incoming.method ?? '', path: incoming.url ?? '', status: response.statusCode ?? 0 });
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    forwarded.on('error', (error) => outgoing.destroy(error));
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    retarget: (next) => {
      current = next.host;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
