import { createContainerRegistry, defaultFlavor, RegistryKitError } from '@registrykit/core';
import { describe, expect, it } from 'vitest';
import { buildImageNames, checksumTag, sanitizeTag, timestampTag } from './image-naming.js';

const CHECKSUM = `sha256:${'c'.repeat(64)}`;

describe('sanitizeTag', () => {
  it('turns what users write into valid tags (zenml#3819)', () => {
    expect(sanitizeTag('Experiment: One')).toBe('Experiment-One');
    expect(sanitizeTag('v1.2.3')).toBe('v1.2.3');
    expect(sanitizeTag('.hidden')).toBe('_hidden');
    expect(sanitizeTag('-flag')).toBe('_flag');
    expect(sanitizeTag('feature/login page')).toBe('feature-login-page');
    expect(sanitizeTag('ünïcode')).toBe('_n-code');
    expect(sanitizeTag('x'.repeat(200))).toHaveLength(128);
  });

  it('refuses text with nothing to make a tag of', () => {
    const error = (() => {
      try {
        return sanitizeTag(' :: ');
      } catch (caught) {
        return caught;
      }
    })();
    expect(RegistryKitError.hasCode(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('no letters or digits');
  });
});

describe('image names', () => {
  it('uses a UTC timestamp by default and the checksum as a second tag', () => {
    expect(timestampTag(new Date('2026-01-31T14:25:01.123Z'))).toBe('20260131-142501');
    expect(checksumTag(CHECKSUM)).toBe(`checksum-${'c'.repeat(64)}`);
  });

  it('names images under the registry uri, with its default repository unless one is given', () => {
    const registry = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'registry.example.com/team', defaultRepository: 'pipelines' }, dockerCredentials: false });
    const now = new Date('2026-01-31T14:25:01Z');
    expect(buildImageNames(registry, { checksum: CHECKSUM, now })).toEqual({
      image: 'registry.example.com/team/pipelines:20260131-142501',
      checksumImage: `registry.example.com/team/pipelines:checksum-${'c'.repeat(64)}`,
      repository: 'registry.example.com/team/pipelines',
    });
    expect(buildImageNames(registry, { checksum: CHECKSUM, repository: 'app', tag: 'Experiment: One' }).image).toBe('registry.example.com/team/app:Experiment-One');
  });

  it('asks for a repository when neither the settings nor the registry give one', () => {
    const registry = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'registry.example.com' }, dockerCredentials: false });
    expect(() => buildImageNames(registry, { checksum: CHECKSUM })).toThrow(/set "defaultRepository"/);
  });
});
