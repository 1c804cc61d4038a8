import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ContainerRegistry, createContainerRegistry, defaultFlavor, RegistryKitError } from '@registrykit/core';
import { createOciClient } from '@registrykit/oci';
import { testDockerHost } from '@registrykit/test-harness';
import { type RegistryFixture, skopeoInspect, startRegistry } from '@registrykit/testing';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKSUM_LABEL } from './build-checksum.js';
import { connectDocker } from './docker-client.js';
import { type BuildProgressEvent, type BuildResult, createDockerImageBuilder } from './docker-builder.js';
import { createDockerPusher } from './docker-pusher.js';
import { docker as dockerCli, importBaseImage, runInImage } from './test-support/base-image.js';
import { engineEvents } from './test-support/engine-events.js';
import { openFilesAfterClosing } from './test-support/open-files.js';
import { type RequestLogProxy, startRequestLogProxy } from './test-support/request-log.js';

const USER = 'builder';
// Chosen so that the base64 of the credentials holds "+" and "/": the engine reads
// X-Registry-Config as base64url and silently ignores a header it cannot decode.
const PASSWORD = 'p>?~s>?~w>?~d';
const CREDENTIALS = { username: USER, password: PASSWORD };

let dockerHost: string;
let docker: Dockerode;
let registryServer: RegistryFixture;
let proxy: RequestLogProxy;
let registry: ContainerRegistry;
let workDir: string;
let project: string;
let parentImage: string;

function registryThrough(host: string, password = PASSWORD): ContainerRegistry {
  return createContainerRegistry({
    flavor: defaultFlavor,
    name: 'builds',
    config: { uri: host, defaultRepository: 'team/app' },
    credentials: { type: 'basic', username: USER, password },
    registryApi: createOciClient(),
    dockerCredentials: false,
  });
}

/** Imports a base image with `marker`, pushes it as `parentImage`, and removes it from the engine, so builds must pull it. */
async function publishParent(marker: string): Promise<void> {
  const local = `rk-build-base-${randomBytes(4).toString('hex')}:1`;
  await importBaseImage(dockerHost, local, marker);
  await registry.pushImage(parentImage, { source: local, pusher: createDockerPusher({ dockerHost }) });
  await dockerCli(dockerHost, ['rmi', local, parentImage]);
}

beforeAll(async () => {
  dockerHost = testDockerHost();
  docker = await connectDocker({ dockerHost });
  [registryServer, workDir] = await Promise.all([startRegistry({ auth: { type: 'htpasswd', users: { [USER]: PASSWORD } } }), mkdtemp(join(tmpdir(), 'rk-builder-'))]);
  proxy = await startRequestLogProxy(registryServer);
  registry = registryThrough(proxy.host);
  parentImage = `${proxy.host}/base/busybox:1`;
  await publishParent('first parent');

  project = join(workDir, 'project');
  await mkdir(join(project, 'app', 'src'), { recursive: true });
  await mkdir(join(project, 'app', 'logs'), { recursive: true });
  await writeFile(join(project, 'app', 'src', 'main.py'), 'print("hello")\n');
  await writeFile(join(project, 'app', 'logs', 'debug.log'), 'left out\n');
  await writeFile(join(project, 'app', '.dockerignore'), 'logs\n.dockerignore\n');
});

afterAll(async () => {
  await Promise.all([proxy?.stop(), registryServer?.stop(), rm(workDir, { recursive: true, force: true })]);
});

const SETTINGS = {
  parentImage: '', // set in each test from parentImage
  buildContextRoot: 'app',
  requirements: ['requests==2.32.3'],
  aptPackages: ['curl'],
  environment: { GREETING: 'hello "world"' },
  labels: { 'org.example.team': 'ml' },
  user: '1000:1000',
};

async function build(settings: object, extra: { tag?: string; events?: BuildProgressEvent[] } = {}): Promise<BuildResult> {
  return createDockerImageBuilder({ hashCache: join(workDir, 'hashes'), dockerHost }).build({
    registry,
    root: project,
    settings,
    tag: extra.tag,
    onProgress: (event) => extra.events?.push(event),
  });
}

const skopeo = (image: string) => skopeoInspect(image, { credentials: CREDENTIALS });

/** The repository's tags; none when the registry does not know the repository. */
async function tagsOf(repository: string): Promise<string[]> {
  return registry.listTags(repository).catch((caught: unknown) => {
    if (RegistryKitError.hasCode(caught, 'NOT_FOUND')) return [];
    throw caught;
  });
}

describe('building images on a real engine and pushing them to a real registry', () => {
  let first: BuildResult;

  it('builds a generated Dockerfile on a private parent, pulled with the registry credentials, and pushes both tags', async () => {
    const events: BuildProgressEvent[] = [];
    first = await build({ ...SETTINGS, parentImage }, { tag: 'Experiment: One', events });

    expect(first.reused).toBe(false);
    expect(first.image).toBe(`${proxy.host}/team/app:Experiment-One`);
    expect(first.checksumImage).toBe(`${proxy.host}/team/app:checksum-${first.checksum.slice('sha256:'.length)}`);
    const seen = await skopeo(first.image);
    expect(seen.Digest).toBe(first.digest);
    expect(first.reference).toBe(`${proxy.host}/team/app@${seen.Digest}`);
    expect(seen.Labels).toMatchObject({ [CHECKSUM_LABEL]: first.checksum, 'org.example.team': 'ml' });
    expect(seen.RepoTags).toEqual(expect.arrayContaining(['Experiment-One', `checksum-${first.checksum.slice('sha256:'.length)}`]));
    expect((await skopeo(first.checksumImage)).Digest).toBe(first.digest);

    // The RUN steps ran in the image: apt-get and pip stand-ins recorded what they were asked.
    const inside = await runInImage(dockerHost, first.reference, ['sh', '-c', 'cat /stand-ins.log; ls -A /app /app/src; id -u; echo "$GREETING"; cat /etc/base-marker']);
    expect(inside).toBe(
      [
        'apt-get update',
        'apt-get install -y --no-install-recommends curl',
        'pip install --no-cache-dir --default-timeout=60 -r /tmp/registrykit/requirements.txt',
        'requests==2.32.3',
        '/app:',
        'src',
        '',
        '/app/src:',
        'main.py',
        '1000',
        'hello "world"',
        'first parent',
        '',
      ].join('\n'),
    );

    const types = new Set(events.map((event) => event.type));
    expect([...types]).toEqual(expect.arrayContaining(['checksum', 'step', 'output', 'pull', 'built', 'push', 'pushed']));
    expect(events.find((event) => event.type === 'step')).toEqual({ type: 'step', step: 1, steps: expect.any(Number), instruction: `FROM ${parentImage}` });
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it('does no engine build and no push for an unchanged context: the engine and the registry say so', async () => {
    const requestsBefore = proxy.requests.length;
    const tagsBefore = await registry.listTags(`${proxy.host}/team/app`);
    const since = Date.now();
    const events: BuildProgressEvent[] = [];

    const second = await build({ ...SETTINGS, parentImage }, { tag: 'a later run', events });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const until = Date.now();

    expect(second).toMatchObject({ reused: true, checksum: first.checksum, digest: first.digest, reference: first.reference });
    expect(events.map((event) => event.type)).toEqual(['checksum', 'reused']);
    // The registry saw only reads: the parent's and the checksum tag's manifests.
    const requests = proxy.requests.slice(requestsBefore);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((request) => !['GET', 'HEAD'].includes(request.method))).toEqual([]);
    expect(requests.some((request) => request.path.includes('/blobs/uploads'))).toBe(false);
    expect(await registry.listTags(`${proxy.host}/team/app`)).toEqual(tagsBefore);
    // The engine built, tagged, pulled and pushed nothing under this repository.
    const ours = (await engineEvents(docker, since, until)).filter(
      (event) => event.Type === 'image' && [event.Actor.ID, event.Actor.Attributes?.['name'] ?? ''].some((name) => name.includes(`${proxy.host}/`)),
    );
    expect(ours).toEqual([]);
  });

  it('builds a new image with a new checksum after a one-byte change', async () => {
    await writeFile(join(project, 'app', 'src', 'main.py'), 'print("hellO")\n');
    try {
      const changed = await build({ ...SETTINGS, parentImage });
      expect(changed.reused).toBe(false);
      expect(changed.checksum).not.toBe(first.checksum);
      expect(changed.digest).not.toBe(first.digest);
      expect((await skopeo(changed.checksumImage)).Labels?.[CHECKSUM_LABEL]).toBe(changed.checksum);
      expect((await skopeo(first.checksumImage)).Digest).toBe(first.digest);
    } finally {
      await writeFile(join(project, 'app', 'src', 'main.py'), 'print("hello")\n');
    }
  });

  it('rebuilds when the parent tag is pushed again, on the new parent', async () => {
    await publishParent('second parent');
    const rebuilt = await build({ ...SETTINGS, parentImage });
    expect(rebuilt.reused).toBe(false);
    expect(rebuilt.checksum).not.toBe(first.checksum);
    expect(await runInImage(dockerHost, rebuilt.reference, ['cat', '/etc/base-marker'])).toBe('second parent\n');
  });

  it('builds a Dockerfile of your own with RUN steps, build args and a target stage', async () => {
    const dir = join(project, 'own');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'Dockerfile'),
      [
        `ARG BASE=${parentImage}`,
        'FROM ${BASE} AS base',
        'ARG MESSAGE',
        'RUN echo "$MESSAGE" > /message && mkdir -p /work',
        'FROM base AS final',
        'COPY data.txt /work/data.txt',
        'RUN cat /message /work/data.txt > /work/both',
        'FROM base AS unused',
        'RUN exit 1',
        '',
      ].join('\n'),
    );
    await writeFile(join(dir, 'data.txt'), 'data\n');
    const result = await build({ dockerfile: 'own/Dockerfile', buildContextRoot: 'own', buildArgs: { MESSAGE: 'from a build arg' }, target: 'final', labels: { stage: 'final' }, platform: 'linux/amd64' });
    expect((await skopeo(result.image)).Labels).toMatchObject({ stage: 'final', [CHECKSUM_LABEL]: result.checksum });
    expect(await runInImage(dockerHost, result.reference, ['cat', '/work/both'])).toBe('from a build arg\ndata\n');
  });

  it('rejects a failing RUN step with the step and its output, and pushes nothing', async () => {
    const dir = join(project, 'failing');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'Dockerfile'), `FROM ${parentImage}\nRUN echo preparing the thing && echo "it broke" >&2 && exit 3\n`);
    const error = await build({ dockerfile: 'failing/Dockerfile', repository: 'team/failing' }).catch((caught: unknown) => caught);

    expect(RegistryKitError.hasCode(error, 'BUILD_FAILED')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('failed at step 2/3 (RUN echo preparing the thing && echo "it broke" >&2 && exit 3)');
    expect(message).toContain('returned a non-zero code: 3');
    expect(message).toContain('  preparing the thing');
    expect(message).toContain('  it broke');
    expect(message).not.toContain('Running in');
    expect((error as RegistryKitError).details).toMatchObject({ step: 2, steps: 3 });
    expect(await tagsOf(`${proxy.host}/team/failing`)).toEqual([]);
  });

  it('refuses wrong registry credentials before building, without showing the password', async () => {
    const wrong = 'not-the-password-42';
    const error = await createDockerImageBuilder({ hashCache: join(workDir, 'hashes'), dockerHost })
      .build({ registry: registryThrough(proxy.host, wrong), root: project, settings: { ...SETTINGS, parentImage } })
      .catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
    expect(JSON.stringify({ message: (error as Error).message, details: (error as RegistryKitError).details })).not.toContain(wrong);
  });

  it('pulls a base image from another private registry with the docker config credentials for its host', async () => {
    const otherUser = 'other-user';
    const otherPassword = 'other/pass+word';
    const other = await startRegistry({ auth: { type: 'htpasswd', users: { [otherUser]: otherPassword } } });
    try {
      const otherParent = `${other.host}/mirror/busybox:1`;
      const local = `rk-build-other-${randomBytes(4).toString('hex')}:1`;
      await importBaseImage(dockerHost, local, 'other parent');
      const otherRegistry = createContainerRegistry({
        flavor: defaultFlavor,
        config: { uri: other.host },
        credentials: { type: 'basic', username: otherUser, password: otherPassword },
        dockerCredentials: false,
      });
      await otherRegistry.pushImage(otherParent, { source: local, pusher: createDockerPusher({ dockerHost }) });
      await dockerCli(dockerHost, ['rmi', local, otherParent]);
      const dockerConfig = join(workDir, 'docker-config');
      await mkdir(dockerConfig, { recursive: true });
      const auth = Buffer.from(`${otherUser}:${otherPassword}`).toString('base64');
      await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [other.host]: { auth } } }));

      const events: BuildProgressEvent[] = [];
      const result = await createDockerImageBuilder({ hashCache: join(workDir, 'hashes'), dockerHost, registryApi: createOciClient(), env: { ...process.env, DOCKER_CONFIG: dockerConfig } }).build({
        registry,
        root: project,
        settings: { parentImage: otherParent, buildContextRoot: 'app', repository: 'team/from-other' },
        onProgress: (event) => events.push(event),
      });
      expect(events.some((event) => event.type === 'pull')).toBe(true);
      expect(await runInImage(dockerHost, result.reference, ['cat', '/etc/base-marker'])).toBe('other parent\n');
      expect(JSON.stringify(events)).not.toContain(otherPassword);
    } finally {
      await other.stop();
    }
  });

  it('rejects with ENGINE_UNAVAILABLE when no engine listens', async () => {
    const error = await createDockerImageBuilder({ hashCache: join(workDir, 'hashes'), dockerHost: `unix://${join(workDir, 'no-engine.sock')}` })
      .build({ registry, root: project, settings: { ...SETTINGS, parentImage } })
      .catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'ENGINE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('no-engine.sock');
  });

  it('stops when its signal aborts, pushing nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await createDockerImageBuilder({ hashCache: join(workDir, 'hashes'), dockerHost })
      .build({ registry, root: project, settings: { ...SETTINGS, parentImage, repository: 'team/aborted' }, signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'ABORTED')).toBe(true);
    expect(await tagsOf(`${proxy.host}/team/aborted`)).toEqual([]);
  });

  it('stops a build aborted while the engine runs its steps with ABORTED, pushing nothing', async () => {
    const controller = new AbortController();
    const error = await createDockerImageBuilder({ hashCache: join(workDir, 'hashes'), dockerHost })
      .build({
        registry,
        root: project,
        settings: { ...SETTINGS, parentImage, repository: 'team/aborted-midway' },
        signal: controller.signal,
        onProgress: (event) => event.type === 'step' && controller.abort(),
      })
      .catch((caught: unknown) => caught);
    expect((error as RegistryKitError).code).toBe('ABORTED');
    expect(await tagsOf(`${proxy.host}/team/aborted-midway`)).toEqual([]);
  });

  it('closes the context files when a build is aborted while its context is sent', async () => {
    const dir = join(project, 'large');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'data.bin'), randomBytes(16 * 1024 * 1024));
    const controller = new AbortController();
    const error = await createDockerImageBuilder({ hashCache: false, dockerHost })
      .build({
        registry,
        root: project,
        settings: { parentImage, buildContextRoot: 'large', repository: 'team/aborted-sending' },
        reuse: false,
        signal: controller.signal,
        onProgress: (event) => event.type === 'checksum' && controller.abort(),
      })
      .catch((caught: unknown) => caught);
    expect((error as RegistryKitError).code).toBe('ABORTED');
    expect(await openFilesAfterClosing(dir)).toEqual([]);
  });

  it('pushes an image the engine still has without building it again when the registry lost it', async () => {
    const built = await build({ ...SETTINGS, parentImage });
    const empty = await startRegistry({ auth: { type: 'htpasswd', users: { [USER]: PASSWORD } } });
    try {
      proxy.retarget(empty);
      // The new registry needs the parent, whose digest is part of the checksum.
      await registry.pushImage(parentImage, { pusher: createDockerPusher({ dockerHost }) });
      const events: BuildProgressEvent[] = [];
      const again = await build({ ...SETTINGS, parentImage }, { events });
      expect(again).toMatchObject({ reused: false, checksum: built.checksum });
      expect(again.imageId).toBe((await docker.getImage(built.checksumImage).inspect()).Id);
      expect(events.some((event) => event.type === 'cached')).toBe(true);
      expect(events.some((event) => event.type === 'step')).toBe(false);
      expect((await skopeo(again.checksumImage)).Digest).toBe(again.digest);
    } finally {
      proxy.retarget(registryServer);
      await empty.stop();
    }
  });
});
