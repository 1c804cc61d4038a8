import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli } from '../test-support/cli-runner.js';
import { createFlavorProject } from '../test-support/flavor-project.js';

const SECRET = 'aws-secret-9f8e7d6c5b4a';
let cli: Cli;
let project: string;

// A package shaped like a cloud flavor package's connector side (the well-known `connectorType`
// export), so the test sees the CLI find it in the project, load it only for that type, and
// treat its secret fields as secret. The real ones live in @registrykit/aws, gcp and azure.
const AWS_CONNECTOR_PACKAGE = `
export const connectorType = {
  specificationVersion: 'v1',
  type: 'aws',
  displayName: 'AWS',
  description: 'An AWS access key for ECR.',
  packageName: '@registrykit/aws',
  authMethods: {
    'secret-key': {
      description: 'An access key id and secret.',
      configSchema: {
        awsAccessKeyId: { type: 'string', description: 'The access key id.', required: true },
        awsSecretAccessKey: { type: 'string', description: 'The secret access key.', required: true, secret: true },
        region: { type: 'string', description: 'The region.', required: true },
      },
    },
    profile: { description: 'A profile of the shared config.', configSchema: { profile: { type: 'string', description: 'The profile.', required: true } } },
  },
  create(authMethod, config) {
    return {
      type: 'aws',
      authMethod,
      async getRegistryCredentials() {
        return { type: 'basic', username: 'AWS', password: String(config.awsSecretAccessKey) };
      },
      async verify() {
        return { resources: ['sts:' + config.region] };
      },
    };
  },
};
`;

beforeAll(async () => {
  [cli, project] = await Promise.all([Cli.create({ RK_AWS_SECRET: SECRET }), createFlavorProject()]);
  const folder = join(project, 'node_modules', '@registrykit', 'aws');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'package.json'), JSON.stringify({ name: '@registrykit/aws', version: '0.1.0', type: 'module', exports: './index.js' }));
  await writeFile(join(folder, 'index.js'), AWS_CONNECTOR_PACKAGE);
});
afterAll(() => Promise.all([rm(cli.configDir, { recursive: true, force: true }), rm(project, { recursive: true, force: true })]));

const register = (name: string, type: string, ...params: string[]) => ['service-connector', 'register', name, '--type', type, ...params];

describe('service connector types', () => {
  it('loads a cloud connector type from its package where the command runs, and hides its secret fields', async () => {
    const args = register('ecr', 'aws', '--auth-method', 'secret-key', '--aws_access_key_id', 'AKIAEXAMPLE', '--aws-secret-access-key', 'env:RK_AWS_SECRET', '--region', 'eu-west-1');
    const registered = await cli.ok(args, { cwd: project });
    expect(registered.stderr).toBe('Verified: the credentials are accepted by sts:eu-west-1.\n');
    expect(await cli.json(['service-connector', 'describe', 'ecr'])).toMatchObject({
      type: 'aws',
      authMethod: 'secret-key',
      config: { awsAccessKeyId: 'AKIAEXAMPLE', awsSecretAccessKey: '[hidden]', region: 'eu-west-1' },
      secretFields: ['awsSecretAccessKey'],
    });
    // Listing and describing need no package: what is secret was recorded at registration.
    expect((await cli.ok(['service-connector', 'list'])).stdout).toMatch(/ecr\s+aws\s+secret-key\s+-\s+-/);
  });

  it('says which package to install for a cloud type, and refuses unknown types and methods', async () => {
    const missing = await cli.run(register('gcr', 'gcp', '--auth-method', 'service-account'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'Error: The "gcp" connector type needs the package @registrykit/gcp, which is not installed: run `npm install @registrykit/gcp` in your project (or with -g next to a global registrykit).\n',
    );
    const unknown = await cli.run(register('x', 'kubernetes'));
    expect(unknown.stderr).toBe('Error: Unknown connector type "kubernetes": use one of docker, aws, gcp, azure.\n');
    const method = await cli.run(register('x', 'aws'), { cwd: project });
    expect(method.code).toBe(2);
    expect(method.stderr).toContain('--auth-method is required for the aws type: one of secret-key, profile.');
    const wrongMethod = await cli.run(register('x', 'docker', '--auth-method', 'token', '--username', 'u'));
    expect(wrongMethod.stderr).toContain('The docker connector has no auth method "token"; use one of: password.');
    const invalid = await cli.run(register('x', 'docker', '--username', 'u', '--pasword', 'env:RK_AWS_SECRET', '--registry', 'localhost:5000'));
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('pasword: unknown key. Did you mean "password"?');
    expect(invalid.stderr).toContain('password: is required');
  });

  it('printed no secret in any output', () => {
    for (const output of cli.transcript) expect(output).not.toContain(SECRET);
  });
});
