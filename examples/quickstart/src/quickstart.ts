import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContainerRegistry, defaultFlavor } from '@registrykit/core';
import { type BuildProgressEvent, type BuildResult, createDockerImageBuilder, createDockerPusher } from '@registrykit/docker';
import { createOciClient } from '@registrykit/oci';
import { buildTestImage } from '@registrykit/testing';

export interface QuickstartOptions {
  /** `host:port` of the registry to push to. */
  readonly registryHost: string;
  /** The Docker engine that builds and pushes, e.g. `unix:///var/run/docker.sock`. */
  readonly dockerHost: string;
  readonly onProgress?: (event: BuildProgressEvent) => void;
}

export interface QuickstartResult {
  /** The first build: built and pushed. */
  readonly built: BuildResult;
  /** The same build again: the registry already has it, so nothing is built or pushed. */
  readonly again: BuildResult;
}

/**
 * What an orchestrator does with registrykit: configure the user's registry, build the user's
 * code into an image from DockerSettings, push it, and keep the immutable `repo@sha256:…`
 * reference to run — and, when nothing changed, skip the build and the push.
 */
export async function runQuickstart(options: QuickstartOptions): Promise<QuickstartResult> {
  const registryApi = createOciClient();
  const registry = createContainerRegistry({
    flavor: defaultFlavor,
    name: 'local',
    config: { uri: `${options.registryHost}/quickstart`, defaultRepository: 'hello' },
    pusher: createDockerPusher({ dockerHost: options.dockerHost }),
    registryApi,
  });
  const app = await mkdtemp(join(tmpdir(), 'rk-quickstart-'));
  const hashCache = await mkdtemp(join(tmpdir(), 'rk-quickstart-hashes-'));
  try {
    // This machine pulls nothing from the internet, so the parent image is made here: busybox on scratch.
    const parentImage = registry.imageName({ repository: 'base', tag: '1' });
    await buildTestImage({ dockerHost: options.dockerHost, tag: parentImage, runStep: false });
    await registry.pushImage(parentImage);

    // The user's code.
    await writeFile(join(app, 'hello.sh'), '#!/bin/sh\necho "hello from registrykit"\n', { mode: 0o755 });
    await writeFile(join(app, '.dockerignore'), 'notes.txt\n');
    await writeFile(join(app, 'notes.txt'), 'not part of the image\n');

    const builder = createDockerImageBuilder({ dockerHost: options.dockerHost, registryApi, hashCache });
    const request = {
      registry,
      root: app,
      settings: {
        parentImage,
        buildContextRoot: '.',
        environment: { GREETING: 'hello' },
        labels: { 'org.example.pipeline': 'quickstart' },
      },
      onProgress: options.onProgress,
    };
    const built = await builder.build(request);
    const again = await builder.build(request);
    return { built, again };
  } finally {
    registryApi.close();
    await Promise.all([rm(app, { recursive: true, force: true }), rm(hashCache, { recursive: true, force: true })]);
  }
}
