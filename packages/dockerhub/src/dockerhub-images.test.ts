import { expect, it } from 'vitest';
import { imagesFromTags } from './dockerhub-images.js';

const INDEX = `sha256:${'a'.repeat(64)}`;
const AMD64 = `sha256:${'b'.repeat(64)}`;
const ARM64 = `sha256:${'c'.repeat(64)}`;
const SINGLE = `sha256:${'d'.repeat(64)}`;

it('groups Hub tags by digest, keeping the latest push and the platform images of a multi-platform tag', () => {
  const images = imagesFromTags([
    { name: 'latest', digest: INDEX, lastUpdated: new Date('2030-01-02T00:00:00Z'), fullSize: 2000, platformDigests: [AMD64, ARM64] },
    { name: '1.0', digest: INDEX, lastUpdated: new Date('2030-01-01T00:00:00Z'), fullSize: 2000, platformDigests: [AMD64, ARM64] },
    { name: 'slim', digest: SINGLE, lastUpdated: undefined, fullSize: undefined, platformDigests: [] },
    { name: 'broken', digest: undefined, lastUpdated: undefined, fullSize: undefined, platformDigests: [] },
  ]);
  expect(images).toEqual([
    { digest: INDEX, tags: ['1.0', 'latest'], pushedAt: new Date('2030-01-02T00:00:00Z'), sizeBytes: 2000, childDigests: [AMD64, ARM64] },
    { digest: SINGLE, tags: ['slim'], pushedAt: undefined, sizeBytes: undefined },
  ]);
});
