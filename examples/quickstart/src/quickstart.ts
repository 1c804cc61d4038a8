import { createContainerRegistry, defaultFlavor, type PushProgressEvent, type PushResult } from '@registrykit/core';
import { createDockerPusher } from '@registrykit/docker';
import { buildTestImage } from '@registrykit/testing';

export interface QuickstartOptions {
  /** `host:port` of the registry to push to. */
  readonly registryHost: string;
  /** The Docker engine that builds and pushes, e.g. `unix:///var/run/docker.sock`. */
  readonly dockerHost: string;
  readonly onProgress?: (event: PushProgressEvent) => void;
}

/**
 * What an orchestrator does with registrykit: configure a registry, name an image under it,
 * build the image, push it, and keep the immutable `repo@sha256:…` reference to run.
 */
export async function pushQuickstartImage(options: QuickstartOptions): Promise<PushResult> {
  const registry = createContainerRegistry({
    flavor: defaultFlavor,
    name: 'local',
    config: { uri: `${options.registryHost}/quickstart`, defaultRepository: 'hello' },
    pusher: createDockerPusher({ dockerHost: options.dockerHost }),
  });
  const image = registry.imageName({ tag: `v${Date.now()}` });
  await buildTestImage({ dockerHost: options.dockerHost, tag: image });
  return registry.pushImage(image, { onProgress: options.onProgress });
}
