import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ContainerRegistry,
  createContainerRegistry,
  defaultFlavor,
  type PushProgressEvent,
  RegistryKitError,
} from '@registrykit/core';
import { testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, type RegistryFixture, skopeoInspect, startRegistry } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerPusher } from './docker-pusher.js';

const USER = 'alice';
const PASSWORD = 'correct horse:battery';

let open: RegistryFixture;
let secured: RegistryFixture;
let workDir: string;
let dockerHost: string;

beforeAll(async () => {
  dockerHost = testDockerHost();
  [open, secured, workDir] = await Promise.all([
    startRegistry(),
    startRegistry({ auth: { type: 'htpasswd', users: { [USER]: PASSWORD } } }),
    mkdtemp(join(tmpdir(), 'rk-docker-test-')),
  ]);
});

afterAll(async () => {
  await Promise.all([open?.stop(), secured?.stop(), rm(workDir, { recursive: true, force: true })]);
});

let counter = 0;
/** An environment with its own (initially empty) docker config directory and PATH. */
async function isolatedEnv(config?: object, extraPath?: string): Promise<NodeJS.ProcessEnv> {
  const dir = join(workDir, `env-${++counter}`);
  await mkdir(dir, { recursive: true });
  if (config) await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  return { ...process.env, DOCKER_CONFIG: dir, PATH: extraPath ? `${extraPath}:${process.env['PATH']}` : process.env['PATH'] };
}

function registryFor(fixture: RegistryFixture, env: NodeJS.ProcessEnv): ContainerRegistry {
  return createContainerRegistry({
    flavor: defaultFlavor,
    name: 'test',
    config: { uri: `${fixture.host}/team` },
    pusher: createDockerPusher({ dockerHost }),
    env,
  });
}

const basicAuth = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

describe('pushing through a real Docker engine', () => {
  it('pushes to an open registry; the digest is the one skopeo sees', async () => {
    const image = `${open.host}/team/app:1`;
    await buildTestImage({ dockerHost, tag: image });
    const events: PushProgressEvent[] = [];
    const registry = registryFor(open, await isolatedEnv());

    const result = await registry.pushImage(image, { onProgress: (event) => events.push(event) });

    const seen = await skopeoInspect(image);
    expect(result.digest).toBe(seen.Digest);
    expect(result).toMatchObject({ image, reference: `${open.host}/team/app@${seen.Digest}` });
    expect(result.size).toBeGreaterThan(0);
    const layerStatuses = new Set(events.flatMap((event) => (event.type === 'layer' ? [event.status] : [])));
    expect(layerStatuses).toContain('pushed');
    expect(events.some((event) => event.type === 'message' && event.message.includes('The push refers to repository'))).toBe(true);
  });

  it('tags a local source image and pushes it, reporting layers that already exist', async () => {
    const source = `local/rk-source-${Date.now()}:dev`;
    await buildTestImage({ dockerHost, tag: source });
    const registry = registryFor(open, await isolatedEnv());
    const first = await registry.pushImage(`${open.host}/team/source:1`, { source });
    const events: PushProgressEvent[] = [];
    const second = await registry.pushImage(`${open.host}/team/source:2`, { source, onProgress: (event) => events.push(event) });
    expect(second.digest).toBe(first.digest);
    expect(events.some((event) => event.type === 'layer' && event.status === 'exists')).toBe(true);
    expect((await skopeoInspect(`${open.host}/team/source:2`)).Digest).toBe(second.digest);
  });

  it('authenticates with credentials from a docker config auths entry', async () => {
    const image = `${secured.host}/team/auths:1`;
    await buildTestImage({ dockerHost, tag: image });
    const env = await isolatedEnv({ auths: { [secured.host]: { auth: basicAuth(USER, PASSWORD) } } });
    const registry = registryFor(secured, env);

    expect(await registry.resolveCredentials()).toMatchObject({ source: 'docker-config:auths' });
    const result = await registry.pushImage(image);
    expect(result.digest).toBe((await skopeoInspect(image, { credentials: { username: USER, password: PASSWORD } })).Digest);
  });

  it('authenticates with credentials from a credential helper executable', async () => {
    const bin = join(workDir, 'bin');
    await mkdir(bin, { recursive: true });
    const log = join(workDir, 'helper-calls.log');
    await writeFile(
      join(bin, 'docker-credential-rktest'),
      `#!/bin/sh\n[ "$1" = get ] || exit 1\nread server\necho "$server" >> ${log}\n` +
        `printf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$server"\n`,
    );
    await chmod(join(bin, 'docker-credential-rktest'), 0o755);
    const image = `${secured.host}/team/helper:1`;
    await buildTestImage({ dockerHost, tag: image });
    const registry = registryFor(secured, await isolatedEnv({ credHelpers: { [secured.host]: 'rktest' } }, bin));

    const result = await registry.pushImage(image);

    expect(await readFile(log, 'utf8')).toBe(`${secured.host}\n`);
    expect(await registry.resolveCredentials()).toMatchObject({ source: 'docker-config:credHelpers:rktest' });
    expect(result.digest).toBe((await skopeoInspect(image, { credentials: { username: USER, password: PASSWORD } })).Digest);
  });

  it('rejects a wrong password with an authentication error, never resolving', async () => {
    const image = `${secured.host}/team/wrong:1`;
    await buildTestImage({ dockerHost, tag: image });
    const wrongPassword = 'definitely-not-it-7f3a';
    const registry = registryFor(secured, await isolatedEnv({ auths: { [secured.host]: { auth: basicAuth(USER, wrongPassword) } } }));

    const outcome = await registry.pushImage(image).then(
      (result) => ({ resolved: result }),
      (error: unknown) => ({ rejected: error }),
    );

    expect(outcome).not.toHaveProperty('resolved');
    const error = (outcome as { rejected: unknown }).rejected;
    expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain('unauthorized');
    expect((error as Error).message).not.toContain(wrongPassword);
    await expect(skopeoInspect(image, { credentials: { username: USER, password: PASSWORD } })).rejects.toThrow();
  });

  it('rejects a push without credentials with a hint to log in', async () => {
    const image = `${secured.host}/team/anonymous:1`;
    await buildTestImage({ dockerHost, tag: image });
    const error = await registryFor(secured, await isolatedEnv()).pushImage(image).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain(`docker login ${secured.host}`);
  });

  it('rejects a push of an image the engine does not have', async () => {
    const error = await registryFor(open, await isolatedEnv()).pushImage(`${open.host}/team/never-built:1`).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'NOT_FOUND')).toBe(true);
  });

  it('rejects with ENGINE_UNAVAILABLE when no engine listens', async () => {
    const registry = createContainerRegistry({
      flavor: defaultFlavor,
      config: { uri: open.host },
      pusher: createDockerPusher({ dockerHost: `unix://${join(workDir, 'no-such.sock')}` }),
      dockerCredentials: false,
    });
    const error = await registry.pushImage(`${open.host}/app:1`).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'ENGINE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('no-such.sock');
  });

  it('stops a push when its signal aborts', async () => {
    const image = `${open.host}/team/aborted:1`;
    await buildTestImage({ dockerHost, tag: image, payloadBytes: 8 * 1024 * 1024 });
    const controller = new AbortController();
    controller.abort();
    const error = await registryFor(open, await isolatedEnv()).pushImage(image, { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'ABORTED')).toBe(true);
  });

  it('stops a push aborted while the engine streams it with ABORTED, not as an unreachable engine', async () => {
    const image = `${open.host}/team/aborted-midway:1`;
    await buildTestImage({ dockerHost, tag: image, payloadBytes: 8 * 1024 * 1024 });
    const controller = new AbortController();
    const error = await registryFor(open, await isolatedEnv())
      .pushImage(image, { signal: controller.signal, onProgress: (event) => event.type === 'layer' && controller.abort() })
      .catch((caught: unknown) => caught);
    expect((error as RegistryKitError).code).toBe('ABORTED');
  });
});
