#!/usr/bin/env node
// Starts the services the whole test run shares (a test CA that Node trusts, one Docker
// engine), runs the given command with them described in its environment, and stops them
// afterwards. Registries are cheap, so each test file starts its own.
import { spawn } from 'node:child_process';
import { ensureCommands } from '@registrykit/testing';
import { startRunServices } from '../run-services.js';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: with-test-services <command> [args…]');
  process.exit(2);
}

ensureCommands();
const stop = await startRunServices({ dockerEngine: true });
console.error(`with-test-services: Docker engine on ${process.env.REGISTRYKIT_TEST_DOCKER_HOST}, test CA ${process.env.REGISTRYKIT_TEST_CA_CERT}`);

const child = spawn(command, args, { stdio: 'inherit', env: process.env });
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
