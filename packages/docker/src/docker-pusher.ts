import {
  type ImagePusher,
  type ImagePushRequest,
  type LayerStatus,
  type PushProgressEvent,
  type PushResult,
  RegistryKitError,
  imageRepositoryName,
  tryParseImageReference,
} from '@registrykit/core';
import type Dockerode from 'dockerode';
import { encodeDockerAuthConfig, toDockerAuthConfig } from './docker-auth.js';
import { connectDocker, describeDockerHost, type DockerConnectionOptions } from './docker-client.js';
import { engineFailure } from './docker-errors.js';
import { type EngineMessage, readEngineStream } from './engine-stream.js';

export type DockerPusherOptions = DockerConnectionOptions;

/**
 * An image pusher that drives a Docker engine through dockerode: it tags (when given a
 * source image), pushes with `X-Registry-Auth` built from the resolved credentials, reports
 * typed progress, and resolves with the digest the registry stored, or rejects with the
 * daemon's message.
 */
export function createDockerPusher(options: DockerPusherOptions = {}): ImagePusher {
  let client: Promise<Dockerode> | undefined;
  const dockerHost = describeDockerHost(options);

  return {
    name: 'docker-engine',
    async push(request: ImagePushRequest): Promise<PushResult> {
      const repository = imageRepositoryName(request.image);
      const tag = request.image.tag ?? 'latest';
      const image = `${repository}:${tag}`;
      const context = { action: `pushing ${image}`, registryHost: request.image.registry, hadCredentials: request.credentials !== undefined, dockerHost, signal: request.signal };
      let pushed: { digest: string; size: number | undefined } | undefined;
      try {
        const docker = await (client ??= connectDocker(options));
        const abort = request.signal ? { abortSignal: request.signal } : {};
        if (request.source !== undefined) {
          await docker.getImage(request.source).tag({ repo: repository, tag, ...abort });
        }
        const authconfig = { key: encodeDockerAuthConfig(toDockerAuthConfig(request.credentials, request.image.registry)) };
        const stream = await docker.getImage(repository).push({ tag, authconfig, ...abort });
        await readEngineStream(stream, (message) => {
          pushed = pushResultOf(message, tag) ?? pushed;
          const event = progressEventOf(message);
          if (event) request.onProgress?.(event);
        });
        pushed ??= await digestFromRepoDigests(docker, image, repository);
      } catch (error) {
        throw engineFailure(error, request.source === undefined ? context : { ...context, action: `tagging ${request.source} as ${image} and pushing it` });
      }
      if (!pushed) {
        throw new RegistryKitError('PUSH_FAILED', `The Docker engine pushed ${image} but reported no digest, and the image has no matching repo digest.`, {
          details: { image },
        });
      }
      return { image, digest: pushed.digest, reference: `${repository}@${pushed.digest}`, size: pushed.size };
    },
  };
}

// The engine reports the pushed manifest in an `aux` message: {Tag, Digest, Size}.
function pushResultOf(message: EngineMessage, tag: string): { digest: string; size: number | undefined } | undefined {
  const aux = message.aux;
  if (!aux || typeof aux['Digest'] !== 'string') return undefined;
  if (typeof aux['Tag'] === 'string' && aux['Tag'] !== tag) return undefined;
  return { digest: aux['Digest'], size: typeof aux['Size'] === 'number' ? aux['Size'] : undefined };
}

const LAYER_STATUSES: ReadonlyArray<readonly [RegExp, LayerStatus]> = [
  [/^Preparing/, 'preparing'],
  [/^Waiting/, 'waiting'],
  [/^Pushing/, 'uploading'],
  [/^Pushed/, 'pushed'],
  [/^Layer already exists/, 'exists'],
  [/^Mounted from/, 'mounted'],
];

function progressEventOf(message: EngineMessage): PushProgressEvent | undefined {
  if (message.status === undefined) return undefined;
  if (message.id !== undefined) {
    const status = LAYER_STATUSES.find(([pattern]) => pattern.test(message.status ?? ''))?.[1];
    if (status) {
      return { type: 'layer', layer: message.id, status, current: message.progressDetail?.current, total: message.progressDetail?.total };
    }
  }
  return { type: 'message', message: message.id === undefined ? message.status : `${message.id}: ${message.status}` };
}

// Some engines (and registries, e.g. ECR at times) leave out the aux message; the image's
// RepoDigests then hold it. Docker may record Docker Hub names without `docker.io/`.
async function digestFromRepoDigests(docker: Dockerode, image: string, repository: string): Promise<{ digest: string; size: undefined } | undefined> {
  const info = await docker.getImage(image).inspect();
  for (const entry of info.RepoDigests ?? []) {
    const reference = tryParseImageReference(entry);
    if (reference?.digest && imageRepositoryName(reference) === repository) return { digest: reference.digest, size: undefined };
  }
  return undefined;
}
