import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { startProcess, waitFor } from './processes.js';
import { ensureCommands } from './system-packages.js';

export interface DockerEngineFixture {
  /** `unix:///…/docker.sock`, for DOCKER_HOST. */
  readonly dockerHost: string;
  readonly socketPath: string;
  /** Stops the engine and removes its data. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface StartDockerEngineOptions {
  /** Parent of the engine's data, exec root and socket. Default: a fresh directory under /tmp. */
  readonly rootDir?: string;
  /** Extra dockerd flags, e.g. `--insecure-registry=…`. */
  readonly extraArgs?: readonly string[];
  /**
   * PEM certificates the engine trusts for every registry, on top of the system's. Docker Hub
   * needs this: the engine reads /etc/docker/certs.d for other registries, never for Docker Hub's.
   */
  readonly trustedCaCertificates?: string | undefined;
}

/**
 * Starts a private Docker engine (Debian's `docker.io`) on its own unix socket. It needs root.
 * vfs storage and no iptables or bridge: it works inside containers and unprivileged sandboxes,
 * and `docker build` RUN steps and pushes to loopback registries work.
 */
export async function startDockerEngine(options: StartDockerEngineOptions = {}): Promise<DockerEngineFixture> {
  ensureCommands([
    { command: 'dockerd', debianPackage: 'docker.io' },
    { command: 'docker', debianPackage: 'docker.io' },
  ]);
  if (process.getuid?.() !== 0) throw new Error('The Docker engine fixture runs dockerd, which needs root.');
  // A short path: unix socket paths are limited to 107 bytes.
  const root = options.rootDir ?? (await mkdtemp('/tmp/rk-engine-'));
  const socketPath = join(root, 'docker.sock');
  const env = { ...process.env };
  if (options.trustedCaCertificates !== undefined) {
    // Go reads SSL_CERT_DIR in place of its default directories, so they are listed too.
    const caDir = join(root, 'trusted-ca');
    await mkdir(caDir, { recursive: true });
    await writeFile(join(caDir, 'ca.crt'), options.trustedCaCertificates);
    env['SSL_CERT_DIR'] = ['/etc/ssl/certs', '/etc/pki/tls/certs', caDir].join(':');
  }
  const engine = startProcess('dockerd', [
    '--storage-driver=vfs',
    '--iptables=false',
    '--ip6tables=false',
    '--bridge=none',
    `--data-root=${join(root, 'data')}`,
    `--exec-root=${join(root, 'exec')}`,
    `--pidfile=${join(root, 'docker.pid')}`,
    `--host=unix://${socketPath}`,
    ...(options.extraArgs ?? []),
  ], env);
  const stop = async () => {
    await engine.stop(20_000);
    await rm(root, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  };
  try {
    await waitFor(
      () => ping(socketPath),
      60_000,
      () => `dockerd did not answer on ${socketPath}:\n${engine.output()}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { dockerHost: `unix://${socketPath}`, socketPath, stop, [Symbol.asyncDispose]: stop };
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 1_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
