import { startDockerEngine } from '@registrykit/testing';

// Runs once per vitest run, before any test file.
export default async function setup({ provide }) {
  const shared = process.env.REGISTRYKIT_TEST_DOCKER_HOST;
  if (shared) {
    provide('dockerHost', shared);
    return undefined;
  }
  const engine = await startDockerEngine();
  provide('dockerHost', engine.dockerHost);
  return () => engine.stop();
}
