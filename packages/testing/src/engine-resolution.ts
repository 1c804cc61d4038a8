import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './processes.js';
import { ensureCommands } from './system-packages.js';

const run = promisify(execFile);

/**
 * Waits until the Docker engine at `dockerHost` resolves `hostname`, e.g. right after
 * `mapHostname`: dockerd (Go) caches /etc/hosts for 5 seconds, so a shared engine may not see a
 * new entry at once. It probes with a login the registry refuses, until the answer is no longer
 * "no such host".
 */
export async function waitForEngineToResolve(dockerHost: string, hostname: string, timeoutMs = 15_000): Promise<void> {
  ensureCommands([{ command: 'docker', debianPackage: 'docker.io' }]);
  const config = await mkdtemp(join(tmpdir(), 'rk-resolve-'));
  let last = '';
  try {
    await waitFor(
      async () => {
        const child = run('docker', ['login', '--username', 'registrykit-probe', '--password-stdin', hostname], {
          env: { ...process.env, DOCKER_HOST: dockerHost, DOCKER_CONFIG: config },
        });
        child.child.stdin?.end('registrykit-probe');
        last = await child.then(
          () => '',
          (error: { stderr?: string }) => error.stderr ?? String(error),
        );
        return !/no such host|server misbehaving/i.test(last);
      },
      timeoutMs,
      () => `The Docker engine at ${dockerHost} does not resolve ${hostname}: ${last}`,
    );
  } finally {
    await rm(config, { recursive: true, force: true });
  }
}
