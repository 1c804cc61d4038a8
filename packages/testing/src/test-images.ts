import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { commandExists, ensureCommands } from './system-packages.js';

const run = promisify(execFile);

export interface BuildTestImageOptions {
  /** The engine to build with, e.g. a fixture's `dockerHost`. */
  readonly dockerHost: string;
  /** The name to give the image, e.g. `127.0.0.1:5000/team/app:1`. */
  readonly tag: string;
  /** Bytes of random payload, so every image is unique. Default 1 KiB. */
  readonly payloadBytes?: number;
  /** Add a RUN step (the engine runs a container). Default true. */
  readonly runStep?: boolean;
}

/**
 * Builds a small unique image with the engine: busybox `FROM scratch`, a random payload and a
 * RUN step. No base image is pulled: nothing beyond loopback is needed.
 */
export async function buildTestImage(options: BuildTestImageOptions): Promise<{ readonly tag: string; readonly id: string }> {
  ensureCommands([
    { command: 'busybox', debianPackage: 'busybox-static' },
    { command: 'docker', debianPackage: 'docker.io' },
  ]);
  const context = await mkdtemp(join(tmpdir(), 'rk-image-'));
  try {
    await copyFile(await busyboxPath(), join(context, 'busybox'));
    await writeFile(join(context, 'payload'), randomBytes(options.payloadBytes ?? 1024));
    const lines = ['FROM scratch', 'COPY busybox /bin/busybox', 'COPY payload /payload'];
    if (options.runStep ?? true) lines.push('RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /etc && echo built > /etc/built"]');
    await writeFile(join(context, 'Dockerfile'), `${lines.join('\n')}\n`);
    const { stdout } = await run('docker', ['build', '--quiet', '--tag', options.tag, context], {
      env: { ...process.env, DOCKER_HOST: options.dockerHost, DOCKER_BUILDKIT: '0' },
    });
    return { tag: options.tag, id: stdout.trim() };
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

async function busyboxPath(): Promise<string> {
  for (const candidate of ['/bin/busybox', '/usr/bin/busybox']) {
    if (commandExists(candidate)) return candidate;
  }
  throw new Error('busybox not found; install Debian busybox-static.');
}
