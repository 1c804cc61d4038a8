// How long registrykit takes to decide that an unchanged 5,000-file context needs no build:
// `build()` validates the settings, walks the context through .dockerignore, hashes every file,
// asks the engine for its platform and the registry for the parent's digest, computes the
// checksum and finds the checksum tag in the registry (target <= 300 ms). Printed against two
// peers that read the same files in the same run: `tar -c` of the context (piped, so tar reads
// every byte) and `git hash-object` over every file.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createContainerRegistry, defaultFlavor } from '@registrykit/core';
import { createDockerImageBuilder, createDockerPusher, listBuildContext } from '@registrykit/docker';
import { createOciClient } from '@registrykit/oci';
import { buildTestImage, type DockerEngineFixture, startDockerEngine, startRegistry } from '@registrykit/testing';
import { median, printComparison, timed } from './report.js';

const run = promisify(execFile);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 9);
const FILES = Number(process.env['BENCH_FILES'] ?? 5000);
const TARGET_MS = 300;

const engine: DockerEngineFixture | undefined = process.env['REGISTRYKIT_TEST_DOCKER_HOST'] ? undefined : await startDockerEngine();
const dockerHost = process.env['REGISTRYKIT_TEST_DOCKER_HOST'] ?? engine!.dockerHost;
const registryServer = await startRegistry();
const work = await mkdtemp(join(tmpdir(), 'rk-bench-checksum-'));

/** A source tree of `FILES` files, 100 to a directory, 200 B to 4 KiB each, and ignored noise. */
async function writeContext(root: string): Promise<void> {
  for (let index = 0; index < FILES; index++) {
    const directory = join(root, 'src', `module-${Math.floor(index / 100)}`);
    if (index % 100 === 0) await mkdir(directory, { recursive: true });
    await writeFile(join(directory, `file-${index}.py`), randomBytes(100 + (index % 20) * 100).toString('hex'));
  }
  await mkdir(join(root, 'build'), { recursive: true });
  await writeFile(join(root, 'build', 'ignored.bin'), randomBytes(1024));
  await writeFile(join(root, '.dockerignore'), 'build\n*.log\n');
}

try {
  const context = join(work, 'project');
  await writeContext(context);
  const parent = `${registryServer.host}/bench/base:1`;
  const registry = createContainerRegistry({
    flavor: defaultFlavor,
    config: { uri: registryServer.host, defaultRepository: 'bench/app' },
    registryApi: createOciClient(),
    pusher: createDockerPusher({ dockerHost }),
    dockerCredentials: false,
  });
  await buildTestImage({ dockerHost, tag: parent, runStep: false });
  await registry.pushImage(parent);

  const builder = createDockerImageBuilder({ dockerHost });
  const request = { registry, root: work, settings: { parentImage: parent, buildContextRoot: 'project', environment: { MODE: 'bench' } } };
  const first = await builder.build(request);
  const listed = await listBuildContext(context);
  console.log(`Context: ${listed.filter((entry) => entry.type === 'file').length} files sent; built and pushed once as ${first.reference}`);

  const paths = listed.filter((entry) => entry.type === 'file').map((entry) => entry.path);
  await writeFile(join(work, 'paths.txt'), `${paths.join('\n')}\n`);

  const decide: number[] = [];
  const tar: number[] = [];
  const git: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { ms, value } = await timed(() => builder.build(request));
    if (!value.reused || value.checksum !== first.checksum) throw new Error(`round ${round}: expected reuse of ${first.checksum}, got ${JSON.stringify(value)}`);
    decide.push(ms);
    tar.push((await timed(() => run('sh', ['-c', `tar -cf - -C '${context}' --exclude=build . | cat > /dev/null`]))).ms);
    git.push((await timed(() => run('sh', ['-c', `cd '${context}' && git hash-object --stdin-paths < '${join(work, 'paths.txt')}' > /dev/null`]))).ms);
  }

  const decided = median(decide);
  console.log(`\nDeciding that an unchanged ${FILES}-file context needs no build: median ${decided.toFixed(0)} ms (target <= ${TARGET_MS} ms: ${decided <= TARGET_MS ? 'met' : 'NOT met'})`);
  printComparison({ title: 'Against tar -c of the same context', subject: 'registrykit', peer: 'tar -c', subjectMs: decide, peerMs: tar, target: 3 });
  printComparison({ title: 'Against git hash-object over the same files', subject: 'registrykit', peer: 'git hash-object', subjectMs: decide, peerMs: git, target: 3 });
} finally {
  await rm(work, { recursive: true, force: true });
  await registryServer.stop();
  await engine?.stop();
}
