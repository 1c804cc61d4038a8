import { execFile, spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Stand-ins for package managers the test base image cannot have (there is no network): each
// records its arguments, and pip the requirements it was given, in /stand-ins.log, so a test
// can read what the generated RUN steps asked for.
const STAND_INS: Record<string, string> = {
  pip: '#!/bin/sh\necho "pip $*" >> /stand-ins.log\nwhile [ $# -gt 0 ]; do [ "$1" = -r ] && cat "$2" >> /stand-ins.log; shift; done\n',
  npm: '#!/bin/sh\necho "npm $*" >> /stand-ins.log\n',
  'apt-get': '#!/bin/sh\necho "apt-get $*" >> /stand-ins.log\n',
};

/**
 * Imports a base image into the engine with `docker import`: a busybox root file system (every
 * applet linked into /bin) with stand-ins for pip, npm and apt-get. `marker` goes into
 * /etc/base-marker, so two calls with different markers give different images.
 */
export async function importBaseImage(dockerHost: string, tag: string, marker = tag): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'rk-base-'));
  try {
    const rootfs = join(work, 'rootfs');
    await Promise.all(['bin', 'etc', 'tmp', 'usr/local/bin', 'var/lib/apt/lists'].map((dir) => mkdir(join(rootfs, dir), { recursive: true })));
    await copyFile('/bin/busybox', join(rootfs, 'bin', 'busybox'));
    // Relative links: `busybox --install` would point them at the host's busybox path.
    const { stdout: applets } = await run('/bin/busybox', ['--list']);
    for (const applet of applets.split('\n').filter((name) => name.length > 0 && name !== 'busybox')) {
      await symlink('busybox', join(rootfs, 'bin', applet));
    }
    await writeFile(join(rootfs, 'etc', 'base-marker'), `${marker}\n`);
    await writeFile(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/app:/bin/sh\n');
    await writeFile(join(rootfs, 'etc', 'group'), 'root:x:0:\napp:x:1000:\n');
    for (const [name, script] of Object.entries(STAND_INS)) {
      await writeFile(join(rootfs, 'usr/local/bin', name), script);
      await chmod(join(rootfs, 'usr/local/bin', name), 0o755);
    }
    await run('tar', ['-C', rootfs, '-cf', join(work, 'rootfs.tar'), '.']);
    const { stdout } = await run('docker', ['import', '--change', 'ENV PATH=/usr/local/bin:/bin', join(work, 'rootfs.tar'), tag], {
      env: { ...process.env, DOCKER_HOST: dockerHost },
    });
    return stdout.trim();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Runs `command` in a fresh container of `image` (no network) and answers its output. */
export async function runInImage(dockerHost: string, image: string, command: readonly string[]): Promise<string> {
  const { stdout } = await run('docker', ['run', '--rm', '--network', 'none', image, ...command], { env: { ...process.env, DOCKER_HOST: dockerHost } });
  return stdout;
}

/** `docker <args>` against `dockerHost`, for setting up and checking from the outside. */
export async function docker(dockerHost: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env: { ...process.env, DOCKER_HOST: dockerHost }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`docker ${args.join(' ')} exited ${code}: ${stderr}`))));
    child.stdin.end(input ?? '');
  });
}
