import { basicCredentials, type BasicCredentials, createContainerRegistry, RegistryKitError } from '@registrykit/core';
import { createDockerPusher } from '@registrykit/docker';
import { createOciClient } from '@registrykit/oci';
import { testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, listStoredRepositories, skopeoInspect } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harborFlavor } from './harbor-flavor.js';
import { type HarborEnvironment, startHarborEnvironment } from './test-support/harbor-environment.js';

// End to end through the Docker engine, into a real registry, with the Harbor API next to it.

let harbor: HarborEnvironment;
let dockerHost: string;
const registryApi = createOciClient();

beforeAll(async () => {
  dockerHost = testDockerHost();
  // Robot accounts may push but not create projects.
  harbor = await startHarborEnvironment({ creators: ['harbor-dev'] });
});

afterAll(async () => {
  registryApi.close();
  await harbor?.stop();
});

function harborRegistry(project: string, extra: Record<string, unknown> = {}, credentials: BasicCredentials = harbor.credentials) {
  return createContainerRegistry({
    flavor: harborFlavor,
    name: 'harbor',
    config: harbor.config(project, extra),
    pusher: createDockerPusher({ dockerHost }),
    registryApi,
    credentials,
    dockerCredentials: false,
  });
}

async function pushFailure(project: string, extra: Record<string, unknown>, credentials?: BasicCredentials): Promise<RegistryKitError> {
  const image = `${harbor.registry.host}/${project}/app:1`;
  await buildTestImage({ dockerHost, tag: image, runStep: false });
  const error: unknown = await harborRegistry(project, extra, credentials).pushImage(image).catch((caught: unknown) => caught);
  if (!RegistryKitError.isInstance(error)) throw new Error(`expected a RegistryKitError, got ${String(error)}`);
  expect(await listStoredRepositories(harbor.registry.storageDir)).not.toContain(`${project}/app`);
  return error;
}

describe('pushing to Harbor through the Docker engine', () => {
  it('refuses to push into a project Harbor does not have, before the engine pushes', async () => {
    const error = await pushFailure('ml-team', {});
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(`Harbor on ${harbor.registry.host} has no project "ml-team": create it in Harbor, or set createProject: true to create it before the first push.`);
  });

  it('creates the project with createProject, pushes, and looks the project up once per component', async () => {
    const registry = harborRegistry('ml-team', { createProject: true });
    const first = `${harbor.registry.host}/ml-team/trainer:1`;
    const second = `${harbor.registry.host}/ml-team/trainer:2`;
    await buildTestImage({ dockerHost, tag: first, runStep: false });
    await buildTestImage({ dockerHost, tag: second, runStep: false });
    const before = harbor.api.requests.length;

    const pushed = await registry.pushImage(first);
    await registry.pushImage(second);

    expect(harbor.api.projects.has('ml-team')).toBe(true);
    expect(harbor.api.requests.slice(before)).toEqual([
      { method: 'HEAD', path: '/api/v2.0/projects?project_name=ml-team', user: 'harbor-dev', status: 404 },
      { method: 'POST', path: '/api/v2.0/projects', user: 'harbor-dev', status: 201 },
    ]);
    const seen = await skopeoInspect(first, { credentials: { username: 'harbor-dev', password: harbor.credentials.password } });
    expect(pushed).toEqual({ image: first, digest: seen.Digest, reference: `${harbor.registry.host}/ml-team/trainer@${seen.Digest}`, size: expect.any(Number) });
    expect(await registry.listRepositories()).toEqual([`${harbor.registry.host}/ml-team/trainer`]);
  });

  it('says a robot account may not create projects, never showing its password', async () => {
    const robot = basicCredentials('robot$ci', 'Robot-ci-pw-2');
    const error = await pushFailure('data-team', { createProject: true }, robot);
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.message).toBe(`Harbor denied POST ${harbor.api.url}/api/v2.0/projects: only system admin can create project.`);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(robot.password);
  });

  it('refuses a wrong password with AUTHENTICATION_FAILED, never showing it', async () => {
    const wrong = basicCredentials('harbor-dev', 'not-the-password-7');
    const error = await pushFailure('library', {}, wrong);
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.message).toContain('Harbor refused the credentials');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(wrong.password);
  });

  it('lists the repositories under a uri with a path, through the Harbor API', async () => {
    const registry = harborRegistry('library/team');
    for (const name of ['library/team/api', 'library/team/web', 'library/other']) {
      const image = `${harbor.registry.host}/${name}:1`;
      await buildTestImage({ dockerHost, tag: image, runStep: false });
      await harborRegistry('library').pushImage(image);
    }
    expect(await registry.listRepositories()).toEqual([`${harbor.registry.host}/library/team/api`, `${harbor.registry.host}/library/team/web`]);
  });
});
