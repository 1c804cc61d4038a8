import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { field } from '@registrykit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from './args.js';
import { configFromOptions, optionFlag, schemaKey } from './config-options.js';

const schema = {
  uri: field.string({ description: 'uri', required: true }),
  defaultRepository: field.string({ description: 'repo' }),
  password: field.string({ description: 'secret', secret: true }),
  createRepository: field.boolean({ description: 'create' }),
  maxAttempts: field.integer({ description: 'attempts' }),
  tags: field.stringList({ description: 'tags' }),
} as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rk-config-options-'));
  await writeFile(join(dir, 'pw.txt'), 'from-a-file\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const context = (env: NodeJS.ProcessEnv = {}, stdin = '') => ({ command: 'test', cwd: dir, env, readStdin: async () => stdin });

describe('configFromOptions', () => {
  it('maps kebab, snake and camel spellings to the schema key and parses values by field type', async () => {
    const { config, literalKeys } = await configFromOptions(
      [
        { name: 'uri', value: 'localhost:5000' },
        { name: 'default_repository', value: 'team' },
        { name: 'create-repository', value: undefined },
        { name: 'max-attempts', value: '3' },
        { name: 'tags', value: 'a, b' },
      ],
      schema,
      context(),
    );
    expect(config).toEqual({ uri: 'localhost:5000', defaultRepository: 'team', createRepository: true, maxAttempts: 3, tags: ['a', 'b'] });
    expect(literalKeys).toEqual(['uri', 'defaultRepository', 'maxAttempts', 'tags']);
  });

  it('reads @file (one final newline removed), @- from stdin, and env:NAME, which are not literal', async () => {
    const fromFile = await configFromOptions([{ name: 'password', value: '@pw.txt' }], schema, context());
    expect(fromFile).toEqual({ config: { password: 'from-a-file' }, literalKeys: [] });
    const fromEnv = await configFromOptions([{ name: 'password', value: 'env:RK_TEST_PW' }], schema, context({ RK_TEST_PW: 'from-env' }));
    expect(fromEnv.config).toEqual({ password: 'from-env' });
    const fromStdin = await configFromOptions([{ name: 'password', value: '@-' }], schema, context({}, 'from-stdin\n'));
    expect(fromStdin.config).toEqual({ password: 'from-stdin' });
  });

  it('refuses ambiguous or broken input', async () => {
    await expect(configFromOptions([{ name: 'default-repository', value: 'a' }, { name: 'default_repository', value: 'b' }], schema, context())).rejects.toThrow(
      '--default-repository and --default_repository both set "defaultRepository"; give it once.',
    );
    await expect(configFromOptions([{ name: 'uri', value: 'a' }, { name: 'uri', value: 'b' }], schema, context())).rejects.toThrow(UsageError);
    await expect(configFromOptions([{ name: 'uri', value: undefined }], schema, context())).rejects.toThrow('--uri needs a value.');
    await expect(configFromOptions([{ name: 'password', value: '@' }], schema, context())).rejects.toThrow(UsageError);
    await expect(configFromOptions([{ name: 'password', value: 'env:1x' }], schema, context())).rejects.toThrow(/does not name an environment variable/);
    await expect(configFromOptions([{ name: 'password', value: '@-' }, { name: 'uri', value: '@-' }], schema, context())).rejects.toThrow(/Only one option/);
    await expect(configFromOptions([{ name: 'password', value: 'env:RK_UNSET_VARIABLE' }], schema, context())).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: '--password reads the environment variable RK_UNSET_VARIABLE, which is not set.',
    });
    await expect(configFromOptions([{ name: 'password', value: '@missing.txt' }], schema, context())).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('missing.txt, which cannot be read: ENOENT'),
    });
  });

  it('keeps unknown keys camel-cased, so validation can name them', async () => {
    expect((await configFromOptions([{ name: 'region-name', value: 'x' }], schema, context())).config).toEqual({ regionName: 'x' });
    expect(schemaKey('DEFAULT_REPOSITORY', schema)).toBe('defaultRepository');
    expect(optionFlag('defaultRepository')).toBe('--default-repository');
  });
});
