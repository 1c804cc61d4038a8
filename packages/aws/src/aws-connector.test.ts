import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContainerRegistry, createServiceConnector, RegistryKitError, type ServiceConnector } from '@registrykit/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsConnectorType } from './aws-connector.js';
import { awsFlavor } from './aws-flavor.js';
import { useAwsKeys } from './test-support/aws-environment-variables.js';
import { startEcrEnvironment, type EcrEnvironment } from './test-support/ecr-environment.js';
import { type FakeSts, startFakeSts } from './test-support/fake-sts.js';

// The aws connector's auth methods, each through the real AWS SDK credential providers against
// the fake ECR API (and a fake STS for roles), which checks every request's SigV4 signature.

const KEY_ID = 'AKIACONNECTORTEST001';
const SECRET = 'connector-secret-value-4b1d';
const ROLE = 'arn:aws:iam::111122223333:role/registry-push';
let env: EcrEnvironment;
let sts: FakeSts;
let workDir: string;

beforeAll(async () => {
  env = await startEcrEnvironment({ region: 'us-east-2' });
  env.ecr.addAccessKey(KEY_ID, { secretAccessKey: SECRET });
  env.ecr.createRepository('team/app');
  sts = await startFakeSts({ callers: new Map([[KEY_ID, SECRET]]), roles: new Map([[ROLE, 'external-42']]), register: env.ecr.addAccessKey });
  workDir = await mkdtemp(join(tmpdir(), 'rk-aws-connector-'));
  useAwsKeys(undefined);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([env?.stop(), sts?.stop(), workDir ? rm(workDir, { recursive: true, force: true }) : undefined]);
});

function connector(authMethod: string, config: Record<string, unknown>, environment: NodeJS.ProcessEnv = process.env): ServiceConnector {
  return createServiceConnector({ type: awsConnectorType, authMethod, config: { endpoint: env.ecr.endpoint, ...config }, env: environment });
}

/** Registry credentials through a component bound to the connector, and the key the ECR API saw. */
async function useThroughComponent(bound: ServiceConnector) {
  const registry = createContainerRegistry({ flavor: awsFlavor, config: { uri: env.host }, connector: bound, dockerCredentials: false });
  const resolved = await registry.resolveCredentials();
  await registry.prepareImagePush(`${env.host}/team/app:1`);
  const describe = env.ecr.calls.filter((call) => call.operation === 'DescribeRepositories').at(-1);
  return { resolved, keyUsedByFlavor: describe?.accessKeyId };
}

describe('the aws connector', () => {
  it('secret-key: yields ECR registry credentials and lends its AWS credentials to the flavor', async () => {
    const { resolved, keyUsedByFlavor } = await useThroughComponent(connector('secret-key', { accessKeyId: KEY_ID, secretAccessKey: SECRET }));
    expect(resolved?.source).toBe('connector');
    expect(resolved?.credentials).toMatchObject({ type: 'basic', username: 'AWS' });
    const credentials = resolved!.credentials as { password: string; expiresAt: Date };
    expect(env.ecr.tokenStatus(credentials.password)).toBe('valid');
    expect(credentials.expiresAt.getTime()).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    expect(keyUsedByFlavor).toBe(KEY_ID);
  });

  it('profile: reads the shared credentials file the environment names', async () => {
    const file = join(workDir, 'credentials');
    await writeFile(file, `[ci]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`);
    const bound = connector('profile', { profile: 'ci' }, { ...process.env, AWS_SHARED_CREDENTIALS_FILE: file });
    const { resolved, keyUsedByFlavor } = await useThroughComponent(bound);
    expect(resolved?.credentials).toMatchObject({ username: 'AWS' });
    expect(keyUsedByFlavor).toBe(KEY_ID);
  });

  it('iam-role: assumes the role with STS and uses its temporary credentials', async () => {
    const bound = connector('iam-role', {
      roleArn: ROLE,
      externalId: 'external-42',
      roleSessionName: 'ci-push',
      accessKeyId: KEY_ID,
      secretAccessKey: SECRET,
      region: 'us-east-2',
      stsEndpoint: sts.endpoint,
    });
    const { resolved, keyUsedByFlavor } = await useThroughComponent(bound);
    expect(sts.assumed.at(-1)).toEqual({ roleArn: ROLE, sessionName: 'ci-push', externalId: 'external-42', callerKey: KEY_ID });
    expect(keyUsedByFlavor).toMatch(/^ASIA/);
    expect(resolved?.credentials).toMatchObject({ username: 'AWS' });
  });

  it('iam-role: a role the caller may not assume is a permission error naming sts:AssumeRole', async () => {
    const bound = connector('iam-role', { roleArn: 'arn:aws:iam::111122223333:role/other', accessKeyId: KEY_ID, secretAccessKey: SECRET, region: 'us-east-2', stsEndpoint: sts.endpoint });
    const error = await bound.getRegistryCredentials(env.host).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'PERMISSION_DENIED')).toBe(true);
    expect((error as Error).message).toContain('Grant the caller the IAM permission "sts:AssumeRole".');
  });

  it('implicit: the default chain, here from the environment', async () => {
    useAwsKeys({ accessKeyId: KEY_ID, secretAccessKey: SECRET });
    try {
      const { keyUsedByFlavor } = await useThroughComponent(connector('implicit', {}));
      expect(keyUsedByFlavor).toBe(KEY_ID);
    } finally {
      useAwsKeys(undefined);
    }
  });

  it('verifies access to a registry, or to the region it names', async () => {
    const bound = connector('secret-key', { accessKeyId: KEY_ID, secretAccessKey: SECRET, region: 'us-east-2' });
    expect(await bound.verify({ registryHost: env.host })).toEqual({ resources: [env.host] });
    expect(await bound.verify()).toEqual({ resources: [env.host] });
    const noRegion = connector('secret-key', { accessKeyId: KEY_ID, secretAccessKey: SECRET });
    await expect(noRegion.verify()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('"region"') });
  });

  it('refuses wrong credentials at verify without showing the secret', async () => {
    const wrong = 'wrong-secret-value-0000';
    const error = await connector('secret-key', { accessKeyId: KEY_ID, secretAccessKey: wrong }).verify({ registryHost: env.host }).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED')).toBe(true);
    expect((error as Error).message).not.toContain(wrong);
  });

  it('refuses a host that is not an ECR registry', async () => {
    const bound = connector('secret-key', { accessKeyId: KEY_ID, secretAccessKey: SECRET });
    await expect(bound.getRegistryCredentials('ghcr.io')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('<12-digit account>.dkr.ecr.<region>.amazonaws.com') });
  });

  it('validates each auth method, naming the field and never echoing a secret', () => {
    const missing = (() => {
      try {
        connector('secret-key', { accessKeyId: KEY_ID });
      } catch (error) {
        return error as RegistryKitError;
      }
      throw new Error('expected a refusal');
    })();
    expect(missing.code).toBe('INVALID_CONFIG');
    expect(missing.message).toContain('secretAccessKey: is required');
    const secret = { wrong: 'type-secret-1234' };
    expect(() => connector('secret-key', { accessKeyId: KEY_ID, secretAccessKey: secret })).toThrow(/secretAccessKey: must be a string; got the given value/);
    expect(() => connector('iam-role', { roleArn: 'registry-push' })).toThrow(/roleArn: is not a role ARN/);
    expect(() => connector('iam-role', { roleArn: ROLE, durationSeconds: 60 })).toThrow(/durationSeconds/);
    expect(() => connector('password', {})).toThrow(/use one of: implicit, secret-key, profile, iam-role/);
  });
});
