import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const setupFile = (name) => fileURLToPath(new URL(name, import.meta.url));

/**
 * The vitest configuration every package uses. Every run gets a test certificate authority that
 * all Node TLS clients trust (`testCertificateAuthority()`); `dockerEngine: true` also gives it
 * a Docker engine (`testDockerHost()`). Both are reused from the `with-test-services` wrapper
 * when it started them, else started and stopped by this run.
 */
export function defineTestConfig({ dockerEngine = false, test = {} } = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 180_000,
      restoreMocks: true,
      // Forked workers start after the global setup, so they inherit NODE_EXTRA_CA_CERTS.
      pool: 'forks',
      globalSetup: [setupFile(dockerEngine ? './docker-engine-setup.js' : './certificate-authority-setup.js')],
      ...test,
    },
  });
}
