import { startRunServices } from './run-services.js';

// Runs once per vitest run, in the main process, before the workers are forked.
export default async function setup({ provide }) {
  const stop = await startRunServices({ dockerEngine: true });
  provide('dockerHost', process.env.REGISTRYKIT_TEST_DOCKER_HOST);
  provide('testCa', { certificatePath: process.env.REGISTRYKIT_TEST_CA_CERT, keyPath: process.env.REGISTRYKIT_TEST_CA_KEY });
  return stop;
}
