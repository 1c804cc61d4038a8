import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureCommands } from './system-packages.js';

const run = promisify(execFile);

export interface SkopeoOptions {
  /** `username:password` credentials for the registry. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Verify TLS certificates. Default false: the fixtures serve plain HTTP or a test CA. */
  readonly tlsVerify?: boolean;
  /** A directory of CA certificates to trust (skopeo's --cert-dir). */
  readonly certDir?: string;
}

export interface SkopeoInspection {
  readonly Name: string;
  readonly Digest: string;
  readonly RepoTags: readonly string[];
  readonly Labels: Readonly<Record<string, string>> | null;
  readonly Layers: readonly string[];
}

function registryFlags(options: SkopeoOptions): string[] {
  const flags = [`--tls-verify=${options.tlsVerify ?? false}`];
  if (options.credentials) flags.push('--creds', `${options.credentials.username}:${options.credentials.password}`);
  if (options.certDir) flags.push('--cert-dir', options.certDir);
  return flags;
}

/** `skopeo inspect docker://<image>`: what the registry holds, seen from outside registrykit. */
export async function skopeoInspect(image: string, options: SkopeoOptions = {}): Promise<SkopeoInspection> {
  ensureCommands([{ command: 'skopeo', debianPackage: 'skopeo' }]);
  const { stdout } = await run('skopeo', ['inspect', ...registryFlags(options), `docker://${image}`], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as SkopeoInspection;
}

/** `skopeo inspect --raw`: the manifest bytes exactly as the registry serves them. */
export async function skopeoRawManifest(image: string, options: SkopeoOptions = {}): Promise<string> {
  ensureCommands([{ command: 'skopeo', debianPackage: 'skopeo' }]);
  const { stdout } = await run('skopeo', ['inspect', '--raw', ...registryFlags(options), `docker://${image}`], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
