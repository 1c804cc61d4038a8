import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The vitest configuration every package uses.
 * `dockerEngine: true` makes the run share one real Docker engine (started unless the
 * `with-test-services` wrapper already started one and set REGISTRYKIT_TEST_DOCKER_HOST).
 */
export function defineTestConfig({ dockerEngine = false, test = {} } = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 180_000,
      restoreMocks: true,
      globalSetup: dockerEngine ? [fileURLToPath(new URL('./docker-engine-setup.js', import.meta.url))] : [],
      ...test,
    },
  });
}
