import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { RegistryKitError } from '@registrykit/core';
import { KeyedLimiter } from './concurrency.js';

/**
 * A request body that can be sent again: a buffer, or a source that opens a fresh stream of
 * `length` bytes on every call (a file or a file range). A one-shot stream sets
 * `replayable: false`, and is then never retried.
 */
export type RequestBody = Buffer | BodySource;

export interface BodySource {
  readonly length: number;
  open(): Readable;
  readonly replayable?: boolean | undefined;
}

export function isReplayable(body: RequestBody | undefined): boolean {
  return body === undefined || Buffer.isBuffer(body) || body.replayable !== false;
}

export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly body?: RequestBody | undefined;
  readonly signal?: AbortSignal | undefined;
  /**
   * The Authorization header for a URL, asked again on every redirect hop: it answers
   * undefined for any host but the registry's, so credentials never follow a redirect to
   * object storage.
   */
  readonly authorizationFor?: ((url: URL) => string | undefined) | undefined;
  /** Follow 301/302/303/307/308 (GET and HEAD only). Default true. */
  readonly followRedirects?: boolean | undefined;
  /** Bytes of the body sent so far, as they go. */
  readonly onBodyProgress?: ((sent: number) => void) | undefined;
}

export interface HttpResponse {
  readonly status: number;
  /** The URL that answered, after redirects. */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  /** The body, unread. Read it, or call `discard()`: the host's slot is held until it ends. */
  readonly body: IncomingMessage;
  header(name: string): string | undefined;
  /** Every value of a repeated header (e.g. several `WWW-Authenticate`). */
  headerValues(name: string): string[];
  /** The body as bytes; fails with REGISTRY_ERROR beyond `limit` bytes. */
  buffer(limit: number): Promise<Buffer>;
  discard(): Promise<void>;
}

export interface HttpTransportOptions {
  /** Extra PEM certificate authorities to trust, on top of Node's roots and NODE_EXTRA_CA_CERTS. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[] | undefined;
  readonly userAgent: string;
  readonly maxConcurrentRequestsPerHost: number;
  /** A socket idle this long fails the request (which may then be retried). */
  readonly timeoutMs: number;
}

const MAX_REDIRECTS = 5;

/**
 * HTTP/1.1 over keep-alive agents (node:http, node:https), with streamed bodies of known
 * length, a per-host concurrency limit and redirects that drop credentials across hosts.
 */
export class HttpTransport {
  readonly #options: HttpTransportOptions;
  readonly #limiter: KeyedLimiter;
  #httpAgent: HttpAgent | undefined;
  #httpsAgent: HttpsAgent | undefined;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
    this.#limiter = new KeyedLimiter(options.maxConcurrentRequestsPerHost);
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    let url = request.url;
    let method = request.method;
    let body = request.body;
    const follow = (request.followRedirects ?? true) && (method === 'GET' || method === 'HEAD');
    for (let hop = 0; ; hop++) {
      const response = await this.#once({ ...request, method, url, body });
      const location = response.header('location');
      if (!follow || ![301, 302, 303, 307, 308].includes(response.status) || location === undefined) return response;
      await response.discard();
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryKitError('REGISTRY_ERROR', `Too many redirects (more than ${MAX_REDIRECTS}) starting at ${request.url.origin}${request.url.pathname}.`, {
          details: { url: `${request.url.origin}${request.url.pathname}` },
        });
      }
      url = new URL(location, url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new RegistryKitError('REGISTRY_ERROR', `The registry redirected to an unsupported URL scheme "${url.protocol}".`);
      }
      if (response.status === 303) {
        method = 'GET';
        body = undefined;
      }
    }
  }

  /** Closes idle keep-alive connections; requests after this open new ones. */
  close(): void {
    this.#httpAgent?.destroy();
    this.#httpsAgent?.destroy();
    this.#httpAgent = undefined;
    this.#httpsAgent = undefined;
  }

  async #once(request: HttpRequest & { readonly method: string; readonly url: URL }): Promise<HttpResponse> {
    const { url, body } = request;
    const release = await this.#limiter.acquire(url.host, request.signal);
    const headers: Record<string, string> = { 'user-agent': this.#options.userAgent, ...request.headers };
    const authorization = request.authorizationFor?.(url);
    if (authorization !== undefined) headers['authorization'] = authorization;
    else delete headers['authorization'];
    if (body !== undefined) headers['content-length'] = String(body.length);
    else if (['PUT', 'POST', 'PATCH'].includes(request.method)) headers['content-length'] = '0';
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      let source: Readable | undefined;
      const fail = (error: unknown) => {
        source?.destroy();
        release();
        if (!settled) {
          settled = true;
          reject(error);
        }
      };
      let outgoing: ClientRequest;
      try {
        outgoing = send(
          url,
          { method: request.method, headers, agent: https ? this.#https() : this.#http(), ...(request.signal ? { signal: request.signal } : {}) },
          (incoming) => {
            incoming.once('close', release);
            incoming.once('error', release);
            settled = true;
            resolve(wrapResponse(incoming, url));
          },
        );
      } catch (error) {
        // Node refuses a header value with a line break or a non-Latin-1 character right here.
        fail(error);
        return;
      }
      outgoing.setTimeout(this.#options.timeoutMs, () => {
        outgoing.destroy(Object.assign(new Error(`No answer from ${url.host} within ${this.#options.timeoutMs} ms of inactivity.`), { code: 'ETIMEDOUT' }));
      });
      outgoing.once('error', fail);
      if (body === undefined) {
        outgoing.end();
      } else if (Buffer.isBuffer(body)) {
        outgoing.end(body);
        request.onBodyProgress?.(body.length);
      } else {
        source = body.open();
        let sent = 0;
        source.on('data', (chunk: Buffer) => {
          sent += chunk.length;
          request.onBodyProgress?.(sent);
        });
        source.once('error', (error) => outgoing.destroy(error));
        source.pipe(outgoing);
      }
    });
  }

  #http(): HttpAgent {
    this.#httpAgent ??= new HttpAgent({ keepAlive: true, scheduling: 'lifo' });
    return this.#httpAgent;
  }

  #https(): HttpsAgent {
    this.#httpsAgent ??= new HttpsAgent({ keepAlive: true, scheduling: 'lifo', ...(this.#options.ca === undefined ? {} : { ca: trustedCertificates(this.#options.ca) }) });
    return this.#httpsAgent;
  }
}

// Giving `ca` replaces Node's trust store, so the defaults (and NODE_EXTRA_CA_CERTS) are added back.
function trustedCertificates(extra: string | Buffer | readonly (string | Buffer)[]): (string | Buffer)[] {
  const fromEnvironment: string[] = [];
  const extraFile = process.env['NODE_EXTRA_CA_CERTS'];
  if (extraFile) {
    try {
      fromEnvironment.push(readFileSync(extraFile, 'utf8'));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we, silently.
    }
  }
  return [...rootCertificates, ...fromEnvironment, ...(typeof extra === 'string' || Buffer.isBuffer(extra) ? [extra] : extra)];
}

function wrapResponse(incoming: IncomingMessage, url: URL): HttpResponse {
  return {
    status: incoming.statusCode ?? 0,
    url,
    headers: incoming.headers,
    body: incoming,
    header(name) {
      const value = incoming.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
    headerValues(name) {
      return incoming.headersDistinct[name.toLowerCase()] ?? [];
    },
    buffer(limit) {
      return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) {
            incoming.destroy();
            reject(
              new RegistryKitError('REGISTRY_ERROR', `The answer from ${url.host} is larger than the ${limit}-byte limit for it.`, {
                details: { url: `${url.origin}${url.pathname}`, limit },
              }),
            );
            return;
          }
          chunks.push(chunk);
        });
        incoming.once('end', () => resolve(Buffer.concat(chunks)));
        incoming.once('error', reject);
      });
    },
    discard() {
      return new Promise((resolve) => {
        if (incoming.readableEnded || incoming.destroyed) return resolve();
        incoming.once('end', resolve);
        incoming.once('close', resolve);
        incoming.once('error', () => resolve());
        incoming.resume();
      });
    },
  };
}
