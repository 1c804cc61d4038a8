import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
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
  /** Bytes of random payload per layer, so every image is unique. Default 1 KiB. */
  readonly payloadBytes?: number;
  /** How many payload layers. Default 1. */
  readonly layers?: number;
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
    const lines = ['FROM scratch', 'COPY busybox /bin/busybox'];
    for (let layer = 0; layer < (options.layers ?? 1); layer++) {
      await writeRandomFile(join(context, `payload-${layer}`), options.payloadBytes ?? 1024);
      lines.push(`COPY payload-${layer} /payload-${layer}`);
    }
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

// Written in chunks: a payload of hundreds of MiB must not sit in memory at once.
async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < bytes; ) {
      const chunk = randomBytes(Math.min(8 * 1024 * 1024, bytes - written));
      await file.write(chunk);
      written += chunk.length;
    }
  } finally {
    await file.close();
  }
}

async function busyboxPath(): Promise<string> {
  for (const candidate of ['/bin/busybox', '/usr/bin/busybox']) {
    if (commandExists(candidate)) return candidate;
  }
  throw new Error('busybox not found; install Debian busybox-static.');
}
