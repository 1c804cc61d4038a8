// Pushes the same image to the same kind of registry with registrykit's Docker pusher and with
// `docker push`, through the same engine, and prints the ratio (target <= 1.05).
//
// Every push goes to a fresh registry, so each one uploads every layer; the order alternates
// between rounds so neither side always runs on a warmer engine. Both read credentials from the
// same docker config (an htpasswd registry).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createContainerRegistry, defaultFlavor } from '@registrykit/core';
import { createDockerPusher } from '@registrykit/docker';
import { buildTestImage, type DockerEngineFixture, startDockerEngine, startRegistry } from '@registrykit/testing';
import { printComparison, timed } from './report.js';

const run = promisify(execFile);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const LAYERS = 3;
const LAYER_MIB = Number(process.env['BENCH_LAYER_MIB'] ?? 32);
const USER = 'bench';
const PASSWORD = 'bench-password';

const engine: DockerEngineFixture | undefined = process.env['REGISTRYKIT_TEST_DOCKER_HOST'] ? undefined : await startDockerEngine();
const dockerHost = process.env['REGISTRYKIT_TEST_DOCKER_HOST'] ?? engine!.dockerHost;
const configDir = await mkdtemp(join(tmpdir(), 'rk-bench-'));
const env = { ...process.env, DOCKER_HOST: dockerHost, DOCKER_CONFIG: configDir };
const source = `rk-bench/source:${Date.now()}`;

try {
  console.log(`Image: ${LAYERS} layers of ${LAYER_MIB} MiB random data; ${ROUNDS} rounds; engine ${dockerHost}`);
  await buildTestImage({ dockerHost, tag: source, layers: LAYERS, payloadBytes: LAYER_MIB * 1024 * 1024, runStep: false });
  const library: number[] = [];
  const cli: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['library', 'cli'] as const) : (['cli', 'library'] as const);
    for (const side of order) {
      const registry = await startRegistry({ auth: { type: 'htpasswd', users: { [USER]: PASSWORD } } });
      try {
        const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
        await writeFile(join(configDir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
        const image = `${registry.host}/bench/app:${side}-${round}`;
        await run('docker', ['tag', source, image], { env });
        if (side === 'library') {
          const component = createContainerRegistry({ flavor: defaultFlavor, config: { uri: registry.host }, pusher: createDockerPusher({ dockerHost }), env });
          library.push((await timed(() => component.pushImage(image))).ms);
        } else {
          cli.push((await timed(() => run('docker', ['push', '--quiet', image], { env }))).ms);
        }
      } finally {
        await registry.stop();
      }
    }
  }
  printComparison({ title: 'Push through the Docker engine', subject: 'registrykit', peer: 'docker push', subjectMs: library, peerMs: cli, target: 1.05 });
} finally {
  await rm(configDir, { recursive: true, force: true });
  await engine?.stop();
}
