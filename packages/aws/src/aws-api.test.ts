import { inspect } from 'node:util';
import { type ContainerRegistry, createContainerRegistry, RegistryKitError } from '@registrykit/core';
import { uploadTestImage, uploadTestIndex } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { awsFlavor } from './aws-flavor.js';
import { useAwsKeys } from './test-support/aws-environment-variables.js';
import { startEcrEnvironment, type EcrEnvironment } from './test-support/ecr-environment.js';

// The flavor's ECR API calls, made by the real AWS SDK (default credential chain) against the
// fake ECR API, whose images are what the real Distribution registry behind it holds.

const KEY_ID = 'AKIAECRAPITEST000001';
const SECRET = 'ecr-api-test-secret/with+chars';
const KEYS = { accessKeyId: KEY_ID, secretAccessKey: SECRET };
let env: EcrEnvironment;

beforeAll(async () => {
  env = await startEcrEnvironment();
  env.ecr.addAccessKey(KEY_ID, { secretAccessKey: SECRET });
  useAwsKeys(KEYS);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await env?.stop();
});

function ecrRegistry(config: Record<string, unknown> = {}): ContainerRegistry {
  return createContainerRegistry({ flavor: awsFlavor, config: { uri: env.host, endpoint: env.ecr.endpoint, ...config }, dockerCredentials: false });
}

const upload = (repository: string, tag?: string) => uploadTestImage({ registryUrl: env.registry.url, repository, tag });
const callsOf = (operation: string) => env.ecr.calls.filter((call) => call.operation === operation);

describe('prepareImagePush', () => {
  it('fails for a missing repository with an error that says how to create it, looking it up by name', async () => {
    const error = await ecrRegistry().prepareImagePush(`${env.host}/team/missing:1`).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain(`aws ecr create-repository --repository-name team/missing --region ${env.region}`);
    expect((error as Error).message).toContain('createRepository: true');
    expect(callsOf('DescribeRepositories').at(-1)).toMatchObject({ repository: undefined, accessKeyId: KEY_ID, error: 'RepositoryNotFoundException' });
    expect(env.ecr.repositories.has('team/missing')).toBe(false);
  });

  it('creates the repository with the configured mutability and scanning, once', async () => {
    const registry = ecrRegistry({ createRepository: true, imageTagMutability: 'IMMUTABLE', scanOnPush: true });
    await registry.prepareImagePush(`${env.host}/team/created:1`);
    expect(env.ecr.repositories.get('team/created')).toMatchObject({ imageTagMutability: 'IMMUTABLE', scanOnPush: true });
    const before = env.ecr.calls.length;
    await registry.prepareImagePush(`${env.host}/team/created:2`);
    expect(env.ecr.calls.length).toBe(before);
  });

  it('passes an existing repository without creating anything', async () => {
    env.ecr.createRepository('team/existing');
    await ecrRegistry({ createRepository: true }).prepareImagePush(`${env.host}/team/existing:1`);
    expect(callsOf('CreateRepository').filter((call) => call.repository === 'team/existing')).toHaveLength(0);
  });
});

describe('digests and listing through DescribeImages', () => {
  it('answers the digest of a tag or a digest, and undefined for what does not exist', async () => {
    env.ecr.createRepository('team/digests');
    const image = await upload('team/digests', 'v1');
    const registry = ecrRegistry();
    expect(await registry.getImageDigest(`${env.host}/team/digests:v1`)).toBe(image.digest);
    expect(await registry.imageExists(`${env.host}/team/digests@${image.digest}`)).toBe(true);
    expect(await registry.getImageDigest(`${env.host}/team/digests:nope`)).toBeUndefined();
    expect(await registry.imageExists(`${env.host}/team/never-created:v1`)).toBe(false);
  });

  it('lists tags and images with digests, tags, sizes, push times and the children of an index', async () => {
    env.ecr.createRepository('team/listed');
    const target = { registryUrl: env.registry.url, repository: 'team/listed' };
    const amd64 = { ...(await uploadTestImage({ ...target, architecture: 'amd64' })), architecture: 'amd64' };
    const arm64 = { ...(await uploadTestImage({ ...target, architecture: 'arm64' })), architecture: 'arm64' };
    const index = await uploadTestIndex({ ...target, tag: 'multi', children: [amd64, arm64] });
    const single = await upload('team/listed', 'single');
    const registry = ecrRegistry();
    // One result per page: every listing has to follow nextToken.
    env.ecr.setPageLimit(1);
    onTestFinished(() => env.ecr.setPageLimit(Number.POSITIVE_INFINITY));

    expect(await registry.listTags(`${env.host}/team/listed`)).toEqual(['multi', 'single']);
    const images = await registry.listImages(`${env.host}/team/listed`);
    expect(images).toHaveLength(4);
    const byDigest = new Map(images.map((image) => [image.digest, image]));
    expect(byDigest.get(index.digest)).toMatchObject({ tags: ['multi'], mediaType: index.mediaType, childDigests: [amd64.digest, arm64.digest] });
    expect(byDigest.get(amd64.digest)).toMatchObject({ tags: [] });
    expect(byDigest.get(amd64.digest)).not.toHaveProperty('childDigests');
    expect(byDigest.get(single.digest)?.sizeBytes).toBe(512);
    expect(byDigest.get(single.digest)?.pushedAt).toBeInstanceOf(Date);
  });

  it('lists the repositories of the registry through DescribeRepositories', async () => {
    env.ecr.createRepository('inventory/b');
    env.ecr.createRepository('inventory/a');
    env.ecr.setPageLimit(2);
    onTestFinished(() => env.ecr.setPageLimit(Number.POSITIVE_INFINITY));
    const repositories = await ecrRegistry().listRepositories();
    expect(repositories).toEqual([...env.ecr.repositories.keys()].map((name) => `${env.host}/${name}`).sort());
    expect(repositories).toEqual(expect.arrayContaining([`${env.host}/inventory/a`, `${env.host}/inventory/b`]));
  });

  it('refuses to list a repository that does not exist, saying how to create it', async () => {
    await expect(ecrRegistry().listImages(`${env.host}/team/not-there`)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('create-repository') });
  });
});

describe('deletion through BatchDeleteImage', () => {
  it('reports the children of an index as ImageReferencedByManifestList instead of hiding it', async () => {
    env.ecr.createRepository('team/multi');
    const target = { registryUrl: env.registry.url, repository: 'team/multi' };
    const child = { ...(await uploadTestImage(target)), architecture: 'amd64' };
    const index = await uploadTestIndex({ ...target, tag: 'v1', children: [child] });
    const registry = ecrRegistry();

    const refused = await registry.deleteImage(`${env.host}/team/multi@${child.digest}`);
    expect(refused.deleted).toEqual([]);
    expect(refused.failures).toEqual([
      { reference: `${env.host}/team/multi@${child.digest}`, code: 'ImageReferencedByManifestList', reason: expect.stringContaining(index.digest) },
    ]);
    expect(await registry.imageExists(`${env.host}/team/multi@${child.digest}`)).toBe(true);

    // The index first, then its child: both go.
    const result = await registry.deleteImages([`${env.host}/team/multi@${index.digest}`, `${env.host}/team/multi@${child.digest}`]);
    expect(result).toEqual({ deleted: [`${env.host}/team/multi@${index.digest}`, `${env.host}/team/multi@${child.digest}`], failures: [] });
    expect(await registry.listImages(`${env.host}/team/multi`)).toEqual([]);
  });

  it('removes only the tag when the image keeps another one', async () => {
    env.ecr.createRepository('team/tags');
    const image = await upload('team/tags', 'a');
    await fetch(`${env.registry.url}/v2/team/tags/manifests/b`, {
      method: 'PUT',
      headers: { 'content-type': image.mediaType },
      body: await (await fetch(`${env.registry.url}/v2/team/tags/manifests/a`, { headers: { accept: image.mediaType } })).arrayBuffer(),
    });
    const registry = ecrRegistry();
    expect(await registry.deleteImage(`${env.host}/team/tags:a`)).toEqual({ deleted: [`${env.host}/team/tags:a`], failures: [] });
    expect(await registry.listImages(`${env.host}/team/tags`)).toEqual([expect.objectContaining({ digest: image.digest, tags: ['b'] })]);
  });

  it('deletes in batches of at most 100 and reports every missing image', async () => {
    env.ecr.createRepository('team/batch');
    const present = await Promise.all([1, 2, 3].map((n) => upload('team/batch', `keep-${n}`)));
    const missing = Array.from({ length: 200 }, (_, n) => `${env.host}/team/batch:missing-${n}`);
    const before = callsOf('BatchDeleteImage').length;

    const result = await ecrRegistry().deleteImages([...present.map((_, n) => `${env.host}/team/batch:keep-${n + 1}`), ...missing]);

    expect(callsOf('BatchDeleteImage').length - before).toBe(3);
    expect(result.deleted).toHaveLength(3);
    expect(result.failures).toHaveLength(200);
    expect(result.failures[0]).toEqual({ reference: `${env.host}/team/batch:missing-0`, code: 'ImageNotFound', reason: 'Requested image not found' });
    expect(await ecrRegistry().listTags(`${env.host}/team/batch`)).toEqual([]);
  });

  it('reports a missing repository for each image, with the way to create it', async () => {
    const result = await ecrRegistry().deleteImages([`${env.host}/team/gone:1`]);
    expect(result.failures).toEqual([{ reference: `${env.host}/team/gone:1`, code: 'NOT_FOUND', reason: expect.stringContaining('does not exist') }]);
  });
});

describe('credentials and permissions', () => {
  it('says which IAM permission is missing when AWS denies a call', async () => {
    env.ecr.addAccessKey('AKIAREADONLY00000001', { secretAccessKey: 'read-only-secret', allow: (operation) => operation !== 'BatchDeleteImage' });
    useAwsKeys({ accessKeyId: 'AKIAREADONLY00000001', secretAccessKey: 'read-only-secret' });
    try {
      env.ecr.createRepository('team/protected');
      await upload('team/protected', 'v1');
      const error = await ecrRegistry().deleteImage(`${env.host}/team/protected:v1`).catch((caught: unknown) => caught);
      expect(RegistryKitError.hasCode(error, 'PERMISSION_DENIED')).toBe(true);
      expect((error as Error).message).toContain('Grant the caller the IAM permission "ecr:BatchDeleteImage" on the repository "team/protected"');
    } finally {
      useAwsKeys(KEYS);
    }
  });

  it('refuses a wrong secret or an unknown key as an authentication failure, never showing the secret', async () => {
    for (const [keyId, secret] of [
      [KEY_ID, 'not-the-secret-9f2c'],
      ['AKIAUNKNOWN000000001', 'unknown-key-secret-77aa'],
    ] as const) {
      useAwsKeys({ accessKeyId: keyId, secretAccessKey: secret });
      const error = await ecrRegistry().getImageDigest(`${env.host}/team/digests:v1`).catch((caught: unknown) => caught);
      expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
      expect(inspect(error, { depth: 10 })).not.toContain(secret);
    }
    useAwsKeys(KEYS);
  });

  it('explains how to give AWS credentials when there are none', async () => {
    useAwsKeys(undefined);
    try {
      const registry = ecrRegistry();
      for (const attempt of [registry.credentials(), registry.prepareImagePush(`${env.host}/team/app:1`)]) {
        const error = await attempt.catch((caught: unknown) => caught);
        expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
        expect((error as Error).message).toContain('bind an aws service connector');
      }
    } finally {
      useAwsKeys(KEYS);
    }
  });

  it('names the endpoint setting when the ECR API cannot be reached', async () => {
    const error = await ecrRegistry({ endpoint: 'http://127.0.0.1:1' }).getImageDigest(`${env.host}/team/app:1`).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'REGISTRY_ERROR')).toBe(true);
    expect((error as Error).message).toContain('"endpoint" setting');
  });
});
