// The README's main job. It starts a throwaway Distribution registry (the embedded default),
// uses the Docker engine at DOCKER_HOST or /var/run/docker.sock, or starts a private one,
// builds a small image, pushes it through the default flavor and prints `repo@sha256:…`.
import { existsSync } from 'node:fs';
import { type DockerEngineFixture, startDockerEngine, startRegistry } from '@registrykit/testing';
import { pushQuickstartImage } from './quickstart.js';

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
  const result = await pushQuickstartImage({
    registryHost: registry.host,
    dockerHost,
    onProgress: (event) => {
      if (event.type === 'layer' && event.status !== 'uploading') process.stderr.write(`  ${event.layer}: ${event.status}\n`);
    },
  });
  process.stderr.write(`Pushed ${result.image}\n`);
  process.stdout.write(`${result.reference}\n`);
} catch (error) {
  process.stderr.write(`quickstart failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await registry.stop();
  await engine?.stop();
}
