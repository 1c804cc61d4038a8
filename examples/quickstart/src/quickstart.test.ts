import { testDockerHost } from '@registrykit/test-harness';
import { skopeoInspect, startRegistry } from '@registrykit/testing';
import { expect, it } from 'vitest';
import { pushQuickstartImage } from './quickstart.js';

it('builds, pushes and returns the reference the registry holds', async () => {
  await using registry = await startRegistry();
  const result = await pushQuickstartImage({ registryHost: registry.host, dockerHost: testDockerHost() });
  expect(result.reference).toMatch(new RegExp(`^${registry.host}/quickstart/hello@sha256:[a-f0-9]{64}$`));
  expect((await skopeoInspect(result.image)).Digest).toBe(result.digest);
});
