import { describe, expect, it } from 'vitest';
import { configSchemaToJsonSchema, field, parseConfigValue, validateConfig } from './config-schema.js';
import { RegistryKitError } from './errors.js';

const schema = {
  uri: field.string({ description: 'Where images go.', required: true, example: 'host/team', normalize: (v: string) => v.replace(/\/+$/, '') }),
  defaultRepository: field.string({ description: 'The repository.' }),
  token: field.string({ description: 'An access token.', secret: true, check: (v: string) => (v.startsWith('tok_') ? undefined : 'must start with "tok_".') }),
  createRepository: field.boolean({ description: 'Create missing repositories.', default: false }),
  retries: field.integer({ description: 'Attempts.', min: 1, max: 10 }),
  mutability: field.enum({ description: 'Tag mutability.', values: ['MUTABLE', 'IMMUTABLE'] }),
  platforms: field.stringList({ description: 'Platforms.' }),
  labels: field.stringMap({ description: 'Labels.' }),
} as const;

function problemsOf(input: unknown): { field: string; message: string }[] {
  try {
    validateConfig(schema, input, 'the "test" flavor');
  } catch (error) {
    expect(RegistryKitError.hasCode(error, 'INVALID_CONFIG')).toBe(true);
    return (error as RegistryKitError).details['problems'] as { field: string; message: string }[];
  }
  throw new Error('expected the config to be refused');
}

describe('validateConfig', () => {
  it('normalizes, fills defaults and freezes', () => {
    const config = validateConfig(schema, { uri: 'host:5000/team//', labels: { a: 'b' } }, 'x');
    expect(config).toEqual({ uri: 'host:5000/team', createRepository: false, labels: { a: 'b' } });
    expect(Object.isFrozen(config)).toBe(true);
    // Types follow the schema: required and defaulted keys are present.
    const uri: string = config.uri;
    const create: boolean = config.createRepository;
    expect([uri, create]).toEqual(['host:5000/team', false]);
  });

  it('refuses unknown keys and suggests the intended one', () => {
    expect(problemsOf({ uri: 'h.io', default_repository: 'x' })).toEqual([
      { field: 'default_repository', message: expect.stringContaining('Did you mean "defaultRepository"?') },
    ]);
    expect(problemsOf({ uri: 'h.io', colour: 'red' })[0]?.message).toContain('Allowed keys: uri, defaultRepository');
  });

  it('reports every problem at once, naming each field', () => {
    const problems = problemsOf({ retries: 0, mutability: 'SOMETIMES', platforms: 'linux/amd64', createRepository: 'yes' });
    expect(problems.map((problem) => problem.field)).toEqual(['uri', 'createRepository', 'retries', 'mutability', 'platforms']);
    expect(problems[0]?.message).toBe('is required: Where images go. Example: `host/team`.');
    expect(problems[2]?.message).toBe('must be at least 1; got 0.');
    expect(problems[3]?.message).toContain('must be one of "MUTABLE", "IMMUTABLE"');
  });

  it('never echoes a secret value', () => {
    const problems = problemsOf({ uri: 'h.io', token: 12345678 });
    expect(problems[0]?.message).not.toContain('12345678');
    expect(problemsOf({ uri: 'h.io', token: 'hunter2-secret' })[0]?.message).toBe('must start with "tok_".');
  });

  it('refuses a config that is not an object', () => {
    expect(problemsOf('uri=x')[0]?.field).toBe('(config)');
  });
});

describe('parseConfigValue', () => {
  it('turns command-line strings into field types', () => {
    expect(parseConfigValue(schema.createRepository, 'true')).toBe(true);
    expect(parseConfigValue(schema.createRepository, 'no')).toBe(false);
    expect(parseConfigValue(schema.retries, '3')).toBe(3);
    expect(parseConfigValue(schema.retries, 'three')).toBe('three');
    expect(parseConfigValue(schema.platforms, 'linux/amd64, linux/arm64')).toEqual(['linux/amd64', 'linux/arm64']);
    expect(parseConfigValue(schema.platforms, '["a","b"]')).toEqual(['a', 'b']);
    expect(parseConfigValue(schema.labels, 'team=ml,env=prod')).toEqual({ team: 'ml', env: 'prod' });
    expect(parseConfigValue(schema.labels, '{"a":"1"}')).toEqual({ a: '1' });
    expect(parseConfigValue(schema.uri, ' host ')).toBe(' host ');
  });
});

describe('configSchemaToJsonSchema', () => {
  it('describes fields, requirements and secrets', () => {
    const json = configSchemaToJsonSchema(schema) as { required: string[]; properties: Record<string, Record<string, unknown>> };
    expect(json.required).toEqual(['uri']);
    expect(json.properties['token']).toMatchObject({ type: 'string', writeOnly: true });
    expect(json.properties['mutability']).toMatchObject({ enum: ['MUTABLE', 'IMMUTABLE'] });
    expect(json.properties['retries']).toMatchObject({ type: 'integer', minimum: 1, maximum: 10 });
  });
});
