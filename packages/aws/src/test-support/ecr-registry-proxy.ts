import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { CertificateFiles, RegistryFixture } from '@registrykit/testing';
import type { FakeEcrApi } from './fake-ecr-api.js';

// ECR's registry endpoint in front of the real Distribution registry: HTTP Basic `AWS:<token>`
// with tokens from the fake ECR API, a Basic challenge without credentials, ECR's 403 for an
// expired token, and "name unknown" for a repository that was never created.

export interface EcrRegistryProxy {
  /** Every answer the proxy itself gave instead of forwarding (401, 403, 404). */
  readonly refusals: readonly { readonly method: string; readonly path: string; readonly status: number }[];
  stop(): Promise<void>;
}

const EXPIRED = 'Your authorization token has expired. Reauthenticate and try again.';

export async function startEcrRegistryProxy(options: {
  readonly ecr: FakeEcrApi;
  readonly registry: RegistryFixture;
  readonly tls: CertificateFiles;
  readonly address: string;
  readonly port?: number | undefined;
}): Promise<EcrRegistryProxy> {
  const { ecr, registry } = options;
  const backend = new URL(registry.url);
  const refusals: { method: string; path: string; status: number }[] = [];

  function refuse(request: IncomingMessage, response: ServerResponse, status: number, code: string, message: string, challenge: boolean): void {
    refusals.push({ method: request.method ?? 'GET', path: request.url ?? '/', status });
    request.resume();
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      ...(challenge ? { 'www-authenticate': `Basic realm="https://${ecr.registryHost}/",service="ecr.amazonaws.com"` } : {}),
    });
    response.end(JSON.stringify({ errors: [{ code, message }] }));
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const authorization = request.headers.authorization ?? '';
    if (!authorization.startsWith('Basic ')) return refuse(request, response, 401, 'DENIED', 'Not Authorized', true);
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const status = decoded.slice(0, colon) === 'AWS' ? ecr.tokenStatus(decoded.slice(colon + 1)) : 'unknown';
    if (status === 'expired') return refuse(request, response, 403, 'DENIED', EXPIRED, false);
    if (status === 'unknown') return refuse(request, response, 401, 'DENIED', 'Not Authorized', true);
    const name = /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//.exec(new URL(request.url ?? '/', 'https://proxy').pathname)?.[1];
    if (name !== undefined && !ecr.repositories.has(name)) {
      return refuse(request, response, 404, 'NAME_UNKNOWN', `The repository with name '${name}' does not exist in the registry with id '${ecr.accountId}'`, false);
    }
    const headers = { ...request.headers, 'x-forwarded-proto': 'https' };
    delete headers.authorization;
    // The Host header stays the ECR host, so the registry's Location headers point back here.
    const forward = httpRequest({ hostname: backend.hostname, port: backend.port, method: request.method, path: request.url, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    forward.on('error', (error) => response.destroy(error));
    request.pipe(forward);
  }

  const server = createServer({ cert: await readFile(options.tls.certificatePath), key: await readFile(options.tls.keyPath) }, handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 443, options.address, resolve);
  });
  return {
    refusals,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
