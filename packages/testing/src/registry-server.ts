import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificateFiles } from './certificates.js';
import { freePort, startProcess, waitFor } from './processes.js';
import { ensureCommands } from './system-packages.js';

export type RegistryAuth =
  | { readonly type: 'none' }
  /** HTTP Basic against an htpasswd file made from `users` (bcrypt, as Distribution requires). */
  | { readonly type: 'htpasswd'; readonly users: Readonly<Record<string, string>> }
  /** Bearer tokens from an issuer at `realm`, signed by the key of the certificate in `rootCertBundle`. */
  | {
      readonly type: 'token';
      readonly realm: string;
      readonly service: string;
      readonly issuer: string;
      /** Path to the PEM certificate(s) whose keys sign the tokens. */
      readonly rootCertBundle: string;
    };

export interface StartRegistryOptions {
  readonly auth?: RegistryAuth;
  /** Serve HTTPS with this PEM certificate and key, e.g. from `createTestCertificateAuthority().issue([host])`. */
  readonly tls?: CertificateFiles;
  /** The address to listen on. Default 127.0.0.1. */
  readonly address?: string;
  /** Default: a free port. */
  readonly port?: number;
  /** Where blobs and manifests are stored. Default: a fresh temporary directory, removed on stop. */
  readonly storageDir?: string;
  /** Allow deleting manifests and blobs through the API. Default true; false makes DELETE answer 405 UNSUPPORTED. */
  readonly deleteEnabled?: boolean;
}

export interface RegistryFixture {
  /** `http://127.0.0.1:PORT` (or https). */
  readonly url: string;
  /** `127.0.0.1:PORT`, the registry part of image names. */
  readonly host: string;
  readonly port: number;
  readonly storageDir: string;
  /** Stops the registry and removes what it created. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a real CNCF Distribution registry (Debian's `docker-registry`) on loopback. Throws when
 * it cannot run; it never pretends to have started.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<RegistryFixture> {
  ensureCommands([{ command: 'docker-registry', debianPackage: 'docker-registry' }]);
  const workDir = await mkdtemp(join(tmpdir(), 'rk-registry-'));
  const storageDir = options.storageDir ?? join(workDir, 'storage');
  const address = options.address ?? '127.0.0.1';
  const port = options.port ?? (await freePort());
  const auth = options.auth ?? { type: 'none' };

  const config: Record<string, unknown> = {
    version: '0.1',
    log: { level: 'error', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: storageDir },
      delete: { enabled: options.deleteEnabled ?? true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: {
      addr: `${address}:${port}`,
      secret: randomBytes(16).toString('hex'),
      ...(options.tls ? { tls: { certificate: options.tls.certificatePath, key: options.tls.keyPath } } : {}),
    },
  };
  if (auth.type === 'htpasswd') {
    ensureCommands([{ command: 'htpasswd', debianPackage: 'apache2-utils' }]);
    const path = join(workDir, 'htpasswd');
    const lines = Object.entries(auth.users).map(([user, password]) =>
      // -i reads the password from stdin, keeping it out of the process list.
      execFileSync('htpasswd', ['-niB', user], { input: password, encoding: 'utf8' }).trim(),
    );
    await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
    config['auth'] = { htpasswd: { realm: 'registrykit-test', path } };
  } else if (auth.type === 'token') {
    config['auth'] = {
      token: { realm: auth.realm, service: auth.service, issuer: auth.issuer, rootcertbundle: auth.rootCertBundle },
    };
  }
  // JSON is YAML: no YAML writer needed, and no quoting surprises.
  const configPath = join(workDir, 'config.yml');
  await writeFile(configPath, JSON.stringify(config, null, 2));

  const scheme = options.tls ? 'https' : 'http';
  const probeHost = address === '0.0.0.0' ? '127.0.0.1' : address;
  const url = `${scheme}://${probeHost}:${port}`;
  const server = startProcess('docker-registry', ['serve', configPath]);
  const stop = async () => {
    await server.stop();
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => [200, 401].includes(await statusOf(`${url}/v2/`)),
      15_000,
      () => `The registry did not start on ${url}:\n${server.output()}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, host: `${probeHost}:${port}`, port, storageDir, stop, [Symbol.asyncDispose]: stop };
}

function statusOf(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, { method: 'GET', rejectUnauthorized: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.setTimeout(1_000, () => request.destroy(new Error('timeout')));
    request.end();
  });
}
