import { describe, expect, it } from 'vitest';
import { defaultFlavor } from './default-flavor.js';
import { RegistryKitError } from './errors.js';
import { assertFlavor, flavorProblems } from './flavor.js';

describe('the flavor contract', () => {
  it('accepts the default flavor', () => {
    expect(flavorProblems(defaultFlavor)).toEqual([]);
  });

  it('lists every way a value breaks the contract', () => {
    const problems = flavorProblems({
      specificationVersion: 'v2',
      id: 'My Flavor',
      displayName: '',
      configSchema: { uri: { type: 'string', description: 'x' }, extra: { type: 'date', description: 'x' }, bare: { type: 'string' } },
      connectorTypes: 'aws',
    });
    expect(problems).toEqual([
      '"specificationVersion" must be "v1" (this registrykit supports v1); got "v2".',
      '"id" must be a kebab-case string such as "my-registry"; got "My Flavor".',
      '"displayName" must be a non-empty string.',
      '"description" must be a non-empty string.',
      '"create" must be a function (config, context) => implementation.',
      '"configSchema.uri" must be a required string field.',
      '"configSchema.extra" has an unknown field type "date".',
      '"configSchema.bare" needs a "description".',
      '"connectorTypes" must be a list of connector type names.',
    ]);
    expect(flavorProblems(null)).toEqual(['it is not an object.']);
  });

  it('throws INVALID_FLAVOR naming the source', () => {
    let caught: unknown;
    try {
      assertFlavor({}, './my-flavor.js');
    } catch (error) {
      caught = error;
    }
    expect(RegistryKitError.hasCode(caught, 'INVALID_FLAVOR')).toBe(true);
    expect((caught as Error).message).toMatch(/^\.\/my-flavor\.js is not a valid container registry flavor:\n {2}- /);
  });
});
