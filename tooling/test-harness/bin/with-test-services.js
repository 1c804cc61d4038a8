#!/usr/bin/env node
// Starts the services the whole test run shares (one Docker engine), runs the given command
// with REGISTRYKIT_TEST_DOCKER_HOST set, and stops them afterwards. Registries are cheap, so
// each test file starts its own.
import { spawn } from 'node:child_process';
import { ensureCommands, startDockerEngine } from '@registrykit/testing';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: with-test-services <command> [args…]');
  process.exit(2);
}

ensureCommands();
const engine = await startDockerEngine();
console.error(`with-test-services: Docker engine on ${engine.dockerHost}`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await engine.stop();
};

const child = spawn(command, args, {
  stdio: 'inherit',
  env: { ...process.env, REGISTRYKIT_TEST_DOCKER_HOST: engine.dockerHost },
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
const code = await new Promise((resolve) => {
  child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  child.on('error', (error) => {
    console.error(`with-test-services: cannot run ${command}: ${error.message}`);
    resolve(1);
  });
});
await stop();
process.exit(code);
