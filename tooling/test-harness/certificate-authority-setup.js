import { startRunServices } from './run-services.js';

// For packages that need the run's test CA but no Docker engine.
export default async function setup({ provide }) {
  const stop = await startRunServices({ dockerEngine: false });
  provide('testCa', { certificatePath: process.env.REGISTRYKIT_TEST_CA_CERT, keyPath: process.env.REGISTRYKIT_TEST_CA_KEY });
  return stop;
}
