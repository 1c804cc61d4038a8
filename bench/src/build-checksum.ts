// How long registrykit takes to decide that an unchanged 5,000-file context needs no build:
// `build()` validates the settings, walks the context through .dockerignore, hashes the files,
// asks the engine for its platform and the registry for the parent's digest, computes the
// checksum and finds the checksum tag in the registry (target <= 300 ms). Timed warm (file
// hashes remembered from the previous build, as every build after the first) and cold (no hash
// cache: every file read), each against two peers that read the same files in the same round:
// `tar -c` of the context (piped, so tar reads every byte) and `git hash-object` over every file.
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

  const warmBuilder = createDockerImageBuilder({ dockerHost, hashCache: join(work, 'hashes') });
  const coldBuilder = createDockerImageBuilder({ dockerHost, hashCache: false });
  const request = { registry, root: work, settings: { parentImage: parent, buildContextRoot: 'project', environment: { MODE: 'bench' } } };
  const first = await warmBuilder.build(request);
  const listed = await listBuildContext(context);
  const paths = listed.filter((entry) => entry.type === 'file').map((entry) => entry.path);
  console.log(`Context: ${paths.length} files sent; built and pushed once as ${first.reference}; ${ROUNDS} rounds`);
  await writeFile(join(work, 'paths.txt'), `${paths.join('\n')}\n`);
  // Hashes taken within two seconds of a file's last change are not trusted (racy-git).
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  await warmBuilder.build(request);

  const decide = async (builder: typeof warmBuilder, round: number): Promise<number> => {
    const { ms, value } = await timed(() => builder.build(request));
    if (!value.reused || value.checksum !== first.checksum) throw new Error(`round ${round}: expected reuse of ${first.checksum}, got ${JSON.stringify(value)}`);
    return ms;
  };
  const warm: number[] = [];
  const cold: number[] = [];
  const tar: number[] = [];
  const git: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    warm.push(await decide(warmBuilder, round));
    cold.push(await decide(coldBuilder, round));
    tar.push((await timed(() => run('sh', ['-c', `tar -cf - -C '${context}' --exclude=build . | cat > /dev/null`]))).ms);
    git.push((await timed(() => run('sh', ['-c', `cd '${context}' && git hash-object --stdin-paths < '${join(work, 'paths.txt')}' > /dev/null`]))).ms);
  }

  console.log(`\nDeciding that an unchanged ${FILES}-file context needs no build (target <= ${TARGET_MS} ms):`);
  for (const [name, times] of [['warm, file hashes remembered', warm], ['cold, every file read', cold]] as const) {
    const value = median(times);
    console.log(`  ${name}: median ${value.toFixed(0)} ms (${value <= TARGET_MS ? 'met' : 'NOT met'})`);
  }
  printComparison({ title: 'Warm, against tar -c of the same context', subject: 'registrykit', peer: 'tar -c', subjectMs: warm, peerMs: tar, target: 2 });
  printComparison({ title: 'Warm, against git hash-object over the same files', subject: 'registrykit', peer: 'git hash-object', subjectMs: warm, peerMs: git, target: 2 });
  printComparison({ title: 'Cold, against tar -c of the same context', subject: 'registrykit', peer: 'tar -c', subjectMs: cold, peerMs: tar, target: 3 });
  printComparison({ title: 'Cold, against git hash-object over the same files', subject: 'registrykit', peer: 'git hash-object', subjectMs: cold, peerMs: git, target: 3 });
} finally {
  await rm(work, { recursive: true, force: true });
  await registryServer.stop();
  await engine?.stop();
}
