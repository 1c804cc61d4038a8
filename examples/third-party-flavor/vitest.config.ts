import { defineTestConfig } from '@registrykit/test-harness/vitest';

export default defineTestConfig({ dockerEngine: true });
