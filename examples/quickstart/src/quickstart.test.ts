import { testDockerHost } from '@registrykit/test-harness';
import { skopeoInspect, startRegistry } from '@registrykit/testing';
import { expect, it } from 'vitest';
import { runQuickstart } from './quickstart.js';

it('builds from DockerSettings, pushes, skips the unchanged rebuild, and returns the reference the registry holds', async () => {
  await using registry = await startRegistry();
  const { built, again } = await runQuickstart({ registryHost: registry.host, dockerHost: testDockerHost() });
  expect(built.reused).toBe(false);
  expect(built.reference).toMatch(new RegExp(`^${registry.host}/quickstart/hello@sha256:[a-f0-9]{64}$`));
  const seen = await skopeoInspect(built.image);
  expect(seen.Digest).toBe(built.digest);
  expect(seen.Labels?.['org.example.pipeline']).toBe('quickstart');
  expect(again).toMatchObject({ reused: true, digest: built.digest, checksum: built.checksum });
});
