import { defineConfig } from 'vitest/config';

// This package provides the services the shared harness starts, so it cannot use that harness.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
