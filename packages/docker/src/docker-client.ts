import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryKitError } from '@registrykit/core';
import type Dockerode from 'dockerode';

export interface DockerConnectionOptions {
  /** A ready client; wins over `dockerHost`. */
  readonly docker?: Dockerode | undefined;
  /**
   * `unix:///path/docker.sock`, `npipe://…`, `tcp://host:2376`, `http(s)://host:port`, `ssh://user@host`,
   * read as the docker CLI reads DOCKER_HOST: a tcp host uses TLS when DOCKER_TLS_VERIFY=1 or the
   * port is 2376, with the client certificate in DOCKER_CERT_PATH. Default: DOCKER_HOST, then the
   * standard socket.
   */
  readonly dockerHost?: string | undefined;
  /** Where DOCKER_TLS_VERIFY and DOCKER_CERT_PATH are read. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** Where the client connects, for messages. */
export function describeDockerHost(options: DockerConnectionOptions): string {
  return options.dockerHost ?? process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
}

/** Opens a dockerode client. dockerode (and its gRPC/ssh dependencies) loads only here, on first use. */
export async function connectDocker(options: DockerConnectionOptions): Promise<Dockerode> {
  if (options.docker) return options.docker;
  const { default: DockerodeClass } = await import('dockerode');
  if (options.dockerHost === undefined) return new DockerodeClass();
  return new DockerodeClass(await dockerodeOptions(options.dockerHost, options.env ?? process.env));
}

/** The dockerode options for a Docker host URL, as the docker CLI reads DOCKER_HOST. */
export async function dockerodeOptions(dockerHost: string, env: NodeJS.ProcessEnv): Promise<Dockerode.DockerOptions> {
  // A URL drops the `.` of `npipe:////./pipe/docker_engine`; the pipe's name is the rest as written, as docker-modem reads it.
  if (dockerHost.startsWith('npipe://')) return { socketPath: dockerHost.slice('npipe://'.length) || '//./pipe/docker_engine' };
  const url = parseDockerHost(dockerHost);
  if (url.protocol === 'unix:') return { socketPath: decodeURIComponent(url.pathname) };
  if (url.protocol === 'ssh:') {
    return { protocol: 'ssh', host: url.hostname, port: Number(url.port || 22), ...(url.username ? { username: decodeURIComponent(url.username) } : {}) };
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const tls = url.protocol === 'https:' || (url.protocol === 'tcp:' && (env['DOCKER_TLS_VERIFY'] === '1' || url.port === '2376'));
    const port = Number(url.port || (tls ? 2376 : 2375));
    if (!tls) return { host: url.hostname, port, protocol: 'http' };
    return { host: url.hostname, port, protocol: 'https', ...(await clientCertificate(env['DOCKER_CERT_PATH'])) };
  }
  throw new RegistryKitError('INVALID_ARGUMENT', `Unsupported Docker host "${dockerHost}": use unix://, npipe://, tcp://, http(s):// or ssh://.`, {
    details: { dockerHost },
  });
}

// The docker CLI's layout: ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH.
async function clientCertificate(certPath: string | undefined): Promise<{ ca?: Buffer; cert?: Buffer; key?: Buffer }> {
  if (!certPath) return {};
  try {
    const [ca, cert, key] = await Promise.all(['ca.pem', 'cert.pem', 'key.pem'].map((name) => readFile(join(certPath, name))));
    return { ca: ca!, cert: cert!, key: key! };
  } catch (error) {
    throw new RegistryKitError('INVALID_ARGUMENT', `DOCKER_CERT_PATH (${certPath}) must hold ca.pem, cert.pem and key.pem: ${(error as Error).message}`, {
      cause: error,
      details: { field: 'DOCKER_CERT_PATH', certPath },
    });
  }
}

function parseDockerHost(dockerHost: string): URL {
  try {
    return new URL(dockerHost);
  } catch (error) {
    throw new RegistryKitError('INVALID_ARGUMENT', `Invalid Docker host "${dockerHost}": expected a URL such as unix:///var/run/docker.sock.`, {
      cause: error,
      details: { dockerHost },
    });
  }
}
