import { execFileSync, spawnSync } from 'node:child_process';

export interface RequiredCommand {
  /** The executable looked up on PATH. */
  readonly command: string;
  /** The Debian package that provides it. */
  readonly debianPackage: string;
}

/** The commands the registry and engine fixtures run, and where Debian keeps them. */
export const SERVICE_COMMANDS: readonly RequiredCommand[] = [
  { command: 'docker-registry', debianPackage: 'docker-registry' },
  { command: 'htpasswd', debianPackage: 'apache2-utils' },
  { command: 'dockerd', debianPackage: 'docker.io' },
  { command: 'docker', debianPackage: 'docker.io' },
  { command: 'skopeo', debianPackage: 'skopeo' },
  { command: 'umoci', debianPackage: 'umoci' },
  { command: 'busybox', debianPackage: 'busybox-static' },
  { command: 'openssl', debianPackage: 'openssl' },
];

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure the commands exist, installing their Debian packages with apt-get when running as
 * root. Throws, naming the packages to install, when they are missing and cannot be installed:
 * a missing service is a failure, never a reason to skip.
 */
export function ensureCommands(required: readonly RequiredCommand[] = SERVICE_COMMANDS): void {
  const missing = required.filter((item) => !commandExists(item.command));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((item) => item.debianPackage))];
  const canInstall = process.getuid?.() === 0 && commandExists('apt-get');
  if (!canInstall) {
    throw new Error(
      `Missing ${missing.map((item) => item.command).join(', ')}. Install them with: sudo apt-get install -y ${packages.join(' ')}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
  const still = missing.filter((item) => !commandExists(item.command));
  if (still.length > 0) throw new Error(`apt-get installed ${packages.join(' ')} but ${still.map((item) => item.command).join(', ')} is still missing.`);
}
