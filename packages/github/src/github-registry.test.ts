import { type ContainerRegistry, createContainerRegistry, createServiceConnector, dockerConnectorType, RegistryKitError } from '@registrykit/core';
import { createDockerPusher } from '@registrykit/docker';
import { createOciClient, type OciClient } from '@registrykit/oci';
import { testCertificateAuthority, testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, certificateDirectory, createDockerConfigSandbox, type DockerConfigSandbox, removeStoredTag, skopeoInspect, waitForEngineToResolve } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubFlavor } from './github-flavor.js';
import { type GitHubFixture, startGitHub } from './test-support/github.js';
import { putImageIndex } from './test-support/multi-arch.js';

// ghcr.io and api.github.com are fixed host names: every test that maps them lives in this file.
const WORKFLOW_TOKEN = 'ghs_rk-workflow-token';
const PAT = 'ghp_rk-octocat-pat';
const READ_ONLY = 'ghp_rk-read-only';
const ORG = 'rk-org';
const USER = 'octocat';

let github: GitHubFixture;
let certDir: { path: string; remove: () => Promise<void> };
let sandbox: DockerConfigSandbox;
let dockerHost: string;
let registryApi: OciClient;

beforeAll(async () => {
  dockerHost = testDockerHost();
  registryApi = createOciClient();
  const ca = await testCertificateAuthority();
  [github, certDir, sandbox] = await Promise.all([
    startGitHub({
      ca,
      owners: { [USER]: 'User', [ORG]: 'Organization' },
      tokens: {
        [WORKFLOW_TOKEN]: { login: 'github-actions[bot]', scopes: ['read:packages', 'write:packages', 'delete:packages'] },
        [PAT]: { login: USER, scopes: ['read:packages', 'write:packages', 'delete:packages'] },
        [READ_ONLY]: { login: USER, scopes: ['read:packages', 'write:packages'] },
      },
      maxPageSize: 2,
    }),
    certificateDirectory(ca.certificatePem),
    createDockerConfigSandbox(),
  ]);
  await waitForEngineToResolve(dockerHost, github.registry.front.hostname);
});

afterAll(async () => {
  registryApi?.close();
  await Promise.all([github?.stop(), certDir?.remove(), sandbox?.remove()]);
});

async function withToken(uri: string, token = WORKFLOW_TOKEN): Promise<ContainerRegistry> {
  const env = await sandbox.env({ variables: { GITHUB_TOKEN: token, GITHUB_ACTOR: USER } });
  return createContainerRegistry({ flavor: githubFlavor, config: { uri }, pusher: createDockerPusher({ dockerHost }), registryApi, env });
}

async function withConnector(uri: string, password = PAT): Promise<ContainerRegistry> {
  const connector = createServiceConnector({ type: dockerConnectorType, authMethod: 'password', config: { username: USER, password, registry: 'ghcr.io' } });
  return createContainerRegistry({ flavor: githubFlavor, config: { uri }, connector, pusher: createDockerPusher({ dockerHost }), registryApi, env: await sandbox.env() });
}

const inspect = (image: string) => skopeoInspect(image, { tlsVerify: true, certDir: certDir.path, credentials: { username: USER, password: PAT } });

async function pushNew(registry: ContainerRegistry, image: string): Promise<string> {
  await buildTestImage({ dockerHost, tag: image, runStep: false });
  return (await registry.pushImage(image)).digest;
}

describe('pushing to GHCR through the Docker engine', () => {
  it("pushes with GITHUB_TOKEN from the environment, as a workflow does; skopeo agrees with getImageDigest", async () => {
    const registry = await withToken(`ghcr.io/${ORG}`);
    const image = `ghcr.io/${ORG}/app:1`;
    const digest = await pushNew(registry, image);

    expect(await registry.resolveCredentials()).toMatchObject({ source: 'flavor', credentials: { username: USER } });
    const seen = await inspect(image);
    expect(seen.Digest).toBe(digest);
    expect(await registry.getImageDigest(image)).toBe(seen.Digest);
  });

  it('pushes with a personal access token from a docker connector', async () => {
    const registry = await withConnector(`ghcr.io/${USER}`);
    const digest = await pushNew(registry, `ghcr.io/${USER}/tool:1`);
    expect((await inspect(`ghcr.io/${USER}/tool:1`)).Digest).toBe(digest);
    expect(await registry.getImageDigest(`ghcr.io/${USER}/tool:1`)).toBe(digest);
  });

  it('refuses a push without any token with AUTHENTICATION_FAILED that says where to put one, before pushing', async () => {
    const registry = createContainerRegistry({ flavor: githubFlavor, config: { uri: `ghcr.io/${ORG}` }, pusher: createDockerPusher({ dockerHost }), env: await sandbox.env() });
    await buildTestImage({ dockerHost, tag: `ghcr.io/${ORG}/nobody:1`, runStep: false });
    await expect(registry.pushImage(`ghcr.io/${ORG}/nobody:1`)).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      message: expect.stringMatching(/^Pushing to ghcr\.io needs a token: set GITHUB_TOKEN/),
    });
    expect(github.registry.front.requests.some((request) => request.path.includes('/nobody/'))).toBe(false);
  });
});

describe('multi-arch images and deletion through the Packages API', () => {
  const repository = `${ORG}/multi`;
  const name = `ghcr.io/${repository}`;
  let amd64: string;
  let arm64: string;
  let index: string;
  let orphan: string;
  let registry: ContainerRegistry;

  beforeAll(async () => {
    registry = await withToken(`ghcr.io/${ORG}`);
    amd64 = await pushNew(registry, `${name}:amd64`);
    arm64 = await pushNew(registry, `${name}:arm64`);
    orphan = await pushNew(registry, `${name}:orphan`);
    index = await putImageIndex(github.registry, repository, 'latest', [amd64, arm64]);
    // As buildx leaves them: the platform images untagged, next to a leftover untagged image.
    for (const tag of ['amd64', 'arm64', 'orphan']) await removeStoredTag(github.registry.registry.storageDir, repository, tag);
  });

  it('lists every package version across pages, the untagged platform images as children of the tagged index', async () => {
    const images = await registry.listImages(name);
    expect(images.map((image) => image.digest).sort()).toEqual([amd64, arm64, index, orphan].sort());
    expect(images.find((image) => image.digest === index)).toMatchObject({ tags: ['latest'], childDigests: [amd64, arm64], mediaType: 'application/vnd.oci.image.index.v1+json' });
    expect(images.find((image) => image.digest === orphan)).toMatchObject({ tags: [], pushedAt: expect.any(Date) });
    expect(github.api.front.requests.filter((request) => request.path.includes('/packages/container/multi/versions')).length).toBeGreaterThanOrEqual(2);
  });

  it('never deletes an untagged platform image of a tagged multi-arch index, and deletes a real orphan', async () => {
    const refused = await registry.deleteImage(`${name}@${amd64}`);
    expect(refused.deleted).toEqual([]);
    expect(refused.failures).toEqual([
      { reference: `${name}@${amd64}`, code: 'ImageReferencedByManifestList', reason: expect.stringMatching(/belongs to the tagged multi-arch image ghcr\.io\/rk-org\/multi:latest/) },
    ]);
    expect((await inspect(`${name}@${amd64}`)).Digest).toBe(amd64);

    expect(await registry.deleteImage(`${name}@${orphan}`)).toEqual({ deleted: [`${name}@${orphan}`], failures: [] });
    expect((await registry.listImages(name)).map((image) => image.digest)).not.toContain(orphan);
  });

  it('deletes the index by its tag; then its platform images are no longer protected', async () => {
    expect(await registry.deleteImage(`${name}:latest`)).toEqual({ deleted: [`${name}@${index}`, `${name}:latest`], failures: [] });
    expect(await registry.getImageDigest(`${name}:latest`)).toBeUndefined();
    expect(await registry.deleteImage(`${name}@${arm64}`)).toEqual({ deleted: [`${name}@${arm64}`], failures: [] });
    // GHCR refuses registry DELETE: nothing went through it.
    expect(github.registry.front.requests.filter((request) => request.method === 'DELETE')).toEqual([]);
  });
});

describe('cleaning up many versions with deleteImages', () => {
  it('reads the versions and the tagged images once, not once per image, and frees the platform images of an index it deleted', async () => {
    const registry = await withToken(`ghcr.io/${ORG}`);
    const name = `ghcr.io/${ORG}/cleanup`;
    const keep = await pushNew(registry, `${name}:keep`);
    const untagged: string[] = [];
    for (const tag of ['a', 'b', 'c']) untagged.push(await pushNew(registry, `${name}:${tag}`));
    const amd64 = await pushNew(registry, `${name}:amd64`);
    const arm64 = await pushNew(registry, `${name}:arm64`);
    const index = await putImageIndex(github.registry, `${ORG}/cleanup`, 'multi', [amd64, arm64]);
    for (const tag of ['a', 'b', 'c', 'amd64', 'arm64']) await removeStoredTag(github.registry.registry.storageDir, `${ORG}/cleanup`, tag);

    const versionPages = () => github.api.front.requests.filter((request) => request.method === 'GET' && request.path.includes('/packages/container/cleanup/versions')).length;
    const tagListings = () => github.registry.front.requests.filter((request) => request.path.includes(`/v2/${ORG}/cleanup/tags/list`)).length;
    const pagesBefore = versionPages();
    await registry.listImages(name);
    const pagesOfOneListing = versionPages() - pagesBefore;
    expect(pagesOfOneListing).toBeGreaterThan(1);

    const [pages, listings] = [versionPages(), tagListings()];
    const result = await registry.deleteImages([`${name}:multi`, `${name}@${amd64}`, ...untagged.map((digest) => `${name}@${digest}`)]);
    expect(result.failures).toEqual([]);
    expect(result.deleted).toEqual([`${name}@${index}`, `${name}:multi`, `${name}@${amd64}`, ...untagged.map((digest) => `${name}@${digest}`)]);
    expect(versionPages() - pages).toBe(pagesOfOneListing);
    expect(tagListings() - listings).toBe(1);
    expect((await registry.listImages(name)).map((image) => image.digest).sort()).toEqual([keep, arm64].sort());
    expect(await registry.deleteImages([`${name}@${amd64}`])).toEqual({ deleted: [], failures: [{ reference: `${name}@${amd64}`, code: 'NOT_FOUND', reason: expect.stringContaining('is not a version') }] });
  });
});

describe('tags, permissions and limits of the Packages API', () => {
  it('does not delete a tag that shares its version with other tags, but deletes the version by digest', async () => {
    const registry = await withConnector(`ghcr.io/${USER}`);
    const digest = await pushNew(registry, `ghcr.io/${USER}/shared:1`);
    await registry.pushImage(`ghcr.io/${USER}/shared:stable`, { source: `ghcr.io/${USER}/shared:1` });
    await pushNew(registry, `ghcr.io/${USER}/shared:2`);

    const refused = await registry.deleteImage(`ghcr.io/${USER}/shared:1`);
    expect(refused.failures).toEqual([{ reference: `ghcr.io/${USER}/shared:1`, code: 'UNSUPPORTED', reason: expect.stringMatching(/also carries "stable": delete ghcr\.io\/octocat\/shared@sha256:/) }]);

    const result = await registry.deleteImage(`ghcr.io/${USER}/shared@${digest}`);
    expect(result).toEqual({ deleted: [`ghcr.io/${USER}/shared@${digest}`, `ghcr.io/${USER}/shared:1`, `ghcr.io/${USER}/shared:stable`], failures: [] });
    expect((await registry.listTags(`ghcr.io/${USER}/shared`)).sort()).toEqual(['2']);
  });

  it('reports a token without delete:packages as a PERMISSION_DENIED failure', async () => {
    const registry = await withConnector(`ghcr.io/${USER}`, READ_ONLY);
    await pushNew(registry, `ghcr.io/${USER}/kept:1`);
    await pushNew(registry, `ghcr.io/${USER}/kept:2`);
    const result = await registry.deleteImage(`ghcr.io/${USER}/kept:1`);
    expect(result).toMatchObject({ deleted: [], failures: [{ code: 'PERMISSION_DENIED', reason: expect.stringMatching(/delete:packages/) }] });
  });

  it('refuses a revoked token with AUTHENTICATION_FAILED, without printing it', async () => {
    const registry = await withToken(`ghcr.io/${ORG}`, 'ghs_revoked-token');
    const error = await registry.listImages(`ghcr.io/${ORG}/app`).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/GitHub refused the token .*GITHUB_TOKEN lasts for its job only/);
    expect(JSON.stringify({ message: (error as Error).message, details: (error as RegistryKitError).details })).not.toContain('ghs_revoked-token');
  });

  it("turns GitHub's exhausted rate limit into RATE_LIMITED saying when it resets", async () => {
    const registry = await withToken(`ghcr.io/${ORG}`);
    github.api.throttle(1);
    const error = await registry.listImages(`ghcr.io/${ORG}/app`).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 5000, resetAt: expect.any(String) } });
    expect((error as Error).message).toMatch(/^GitHub's API rate limit \(5000 requests per hour\) was reached while .*; it resets at \d{4}-/);
  });
});
