import { RegistryKitError } from '@registrykit/core';
import type Dockerode from 'dockerode';

export interface DockerConnectionOptions {
  /** A ready client; wins over `dockerHost`. */
  readonly docker?: Dockerode | undefined;
  /** `unix:///path/docker.sock`, `tcp://host:2375`, `http(s)://host:port`. Default: DOCKER_HOST, then the standard socket. */
  readonly dockerHost?: string | undefined;
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
  return new DockerodeClass(dockerodeOptions(options.dockerHost));
}

function dockerodeOptions(dockerHost: string): Dockerode.DockerOptions {
  // A URL drops the `.` of `npipe:////./pipe/docker_engine`; the pipe's name is the rest as written, as docker-modem reads it.
  if (dockerHost.startsWith('npipe://')) return { socketPath: dockerHost.slice('npipe://'.length) || '//./pipe/docker_engine' };
  const url = parseDockerHost(dockerHost);
  if (url.protocol === 'unix:') return { socketPath: decodeURIComponent(url.pathname) };
  if (url.protocol === 'tcp:' || url.protocol === 'http:') return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
  if (url.protocol === 'https:') return { host: url.hostname, port: Number(url.port || 2376), protocol: 'https' };
  throw new RegistryKitError('INVALID_ARGUMENT', `Unsupported Docker host "${dockerHost}": use unix://, npipe://, tcp://, http:// or https://.`, {
    details: { dockerHost },
  });
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
