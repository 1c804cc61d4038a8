// The README's main job. It starts a throwaway Distribution registry (the embedded default),
// uses the Docker engine at DOCKER_HOST or /var/run/docker.sock, or starts a private one,
// builds a small image from DockerSettings, pushes it through the default flavor, builds it
// again (skipped: nothing changed) and prints the pushed `repo@sha256:…`.
import { existsSync } from 'node:fs';
import { type DockerEngineFixture, startDockerEngine, startRegistry } from '@registrykit/testing';
import { runQuickstart } from './quickstart.js';

async function engineHost(): Promise<{ dockerHost: string; engine?: DockerEngineFixture }> {
  if (process.env['DOCKER_HOST']) return { dockerHost: process.env['DOCKER_HOST'] };
  if (existsSync('/var/run/docker.sock')) return { dockerHost: 'unix:///var/run/docker.sock' };
  process.stderr.write('No Docker engine found: starting a private one…\n');
  const engine = await startDockerEngine();
  return { dockerHost: engine.dockerHost, engine };
}

const registry = await startRegistry();
const { dockerHost, engine } = await engineHost();
try {
  process.stderr.write(`Registry on ${registry.host}, Docker engine at ${dockerHost}\n`);
  const { built, again } = await runQuickstart({
    registryHost: registry.host,
    dockerHost,
    onProgress: (event) => {
      if (event.type === 'step') process.stderr.write(`  step ${event.step}/${event.steps}: ${event.instruction}\n`);
    },
  });
  process.stderr.write(`Built and pushed ${built.image} (checksum ${built.checksum.slice(0, 19)}…)\n`);
  process.stderr.write(`Built again: ${again.reused ? 'nothing changed, so nothing was built or pushed' : 'rebuilt'}\n`);
  process.stdout.write(`${built.reference}\n`);
} catch (error) {
  process.stderr.write(`quickstart failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await registry.stop();
  await engine?.stop();
}
