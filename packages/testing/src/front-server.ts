import { readFile } from 'node:fs/promises';
import { type IncomingMessage, request as httpRequest, type ServerResponse } from 'node:http';
import { createServer, request as httpsRequest } from 'node:https';
import type { TestCertificateAuthority } from './certificates.js';
import { trustInDockerEngine } from './certificates.js';
import { loopbackAddress, mapHostname } from './hosts-file.js';

/** One request the front saw, and how it was answered. */
export interface FrontRequestRecord {
  readonly method: string;
  /** The path with its query, e.g. `/v2/team/app/manifests/1`. */
  readonly path: string;
  /** `handler`, `route` (one of `routes`) or `upstream`. */
  readonly answeredBy: 'handler' | 'route' | 'upstream';
  readonly status: number;
}

export interface StartFrontServerOptions {
  /** The host name to serve, e.g. `ghcr.io`: mapped in /etc/hosts to a fresh loopback address, port 443. */
  readonly hostname: string;
  /** Issues the server certificate, e.g. `testCertificateAuthority()`. */
  readonly ca: TestCertificateAuthority;
  /**
   * Answers a request itself (a cloud API, an injected 429); returns false to pass it on. The
   * body has not been read, so a request passed on is proxied intact.
   */
  readonly handle?: ((request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>) | undefined;
  /** Exact paths proxied to another URL, query kept, e.g. `{ '/token': issuer.realm }`. */
  readonly routes?: Readonly<Record<string, string>> | undefined;
  /** Where everything else is proxied, e.g. a registry's `url`; without it, 404. */
  readonly upstream?: string | undefined;
  /** Also trust the CA for this host in the Docker engine (/etc/docker/certs.d). Default false. */
  readonly trustInDockerEngine?: boolean | undefined;
}

export interface FrontServerFixture {
  /** `https://<hostname>`. */
  readonly url: string;
  readonly hostname: string;
  /** The loopback address the host name maps to. */
  readonly address: string;
  /** Every request so far, oldest first. */
  readonly requests: readonly FrontRequestRecord[];
  /** Stops the server and removes the host mapping (and the engine trust). */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * An HTTPS server on port 443 under a real host name (a cloud registry's, an API's), which
 * answers some requests itself and proxies the rest, e.g. a real registry behind `ghcr.io` whose
 * token realm `ghcr.io/token` is served by the token issuer. Proxied requests keep their `Host`
 * and carry `X-Forwarded-Proto: https`, so a registry builds its `Location` URLs under the host name.
 * Use a host name no concurrent test file uses.
 */
export async function startFrontServer(options: StartFrontServerOptions): Promise<FrontServerFixture> {
  const { hostname } = options;
  const address = loopbackAddress();
  const requests: FrontRequestRecord[] = [];
  const certificate = await options.ca.issue([hostname]);
  const [cert, key] = await Promise.all([readFile(certificate.certificatePath), readFile(certificate.keyPath)]);

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = request.url ?? '/';
    let answeredBy: FrontRequestRecord['answeredBy'] = 'handler';
    response.once('finish', () => requests.push({ method: request.method ?? 'GET', path, answeredBy, status: response.statusCode }));
    if (await options.handle?.(request, response)) return;
    const pathname = path.split('?')[0] ?? path;
    const route = options.routes?.[pathname];
    if (route !== undefined) {
      answeredBy = 'route';
      const target = new URL(route);
      target.search = path.includes('?') ? path.slice(path.indexOf('?')) : '';
      return proxy(request, response, target, false);
    }
    answeredBy = 'upstream';
    if (options.upstream !== undefined) return proxy(request, response, new URL(path, options.upstream), true);
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end(`${hostname} has no handler for ${path}\n`);
  }

  const server = createServer({ cert, key }, (request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(443, address, resolve);
  });
  const unmap = await mapHostname(hostname, address);
  const untrust = options.trustInDockerEngine ? await trustInDockerEngine(hostname, options.ca.certificatePem) : undefined;

  const stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await untrust?.();
    await unmap();
  };
  return {
    url: `https://${hostname}`,
    hostname,
    address,
    requests,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

function proxy(request: IncomingMessage, response: ServerResponse, target: URL, keepHost: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = { ...request.headers, 'x-forwarded-proto': 'https' };
    if (!keepHost) headers.host = target.host;
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(target, { method: request.method, headers }, (incoming) => {
      response.writeHead(incoming.statusCode ?? 502, incoming.headers);
      incoming.pipe(response);
      incoming.on('end', resolve);
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    request.pipe(outgoing);
  });
}

/** The whole body of a request, as text: for handlers that answer a request themselves. */
export function readRequestBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}
