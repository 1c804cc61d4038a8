import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RegistryKitError } from '../errors.js';
import { canonicalRegistryHost, DOCKER_HUB_ALIASES } from '../image-reference.js';

/** One entry of `auths` in the docker config. */
export interface DockerConfigAuthEntry {
  /** base64 of `username:password`. */
  readonly auth?: string;
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly registrytoken?: string;
}

/** The parts of `~/.docker/config.json` that concern credentials. */
export interface DockerConfig {
  readonly auths?: Readonly<Record<string, DockerConfigAuthEntry>>;
  readonly credsStore?: string;
  readonly credHelpers?: Readonly<Record<string, string>>;
}

/** The server address Docker uses for Docker Hub in its config and with credential helpers. */
export const DOCKER_HUB_SERVER_ADDRESS = 'https://index.docker.io/v1/';

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, as the docker CLI does. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const directory = env['DOCKER_CONFIG'] || join(env['HOME'] || homedir(), '.docker');
  return join(directory, 'config.json');
}

/** Reads a docker config; a missing file is `undefined`, a malformed one a DOCKER_CONFIG_INVALID error. */
export async function readDockerConfig(path: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RegistryKitError('DOCKER_CONFIG_INVALID', `Cannot read the docker config at ${path}: ${(error as Error).message}`, {
      cause: error,
      details: { path },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // The parse error quotes the text around the fault, which may be an `auth` value: only its position is kept.
    const at = /at position (\d+)/.exec((error as Error).message)?.[1];
    const where = at === undefined ? '' : ` (at character ${at})`;
    throw new RegistryKitError('DOCKER_CONFIG_INVALID', `The docker config at ${path} is not valid JSON${where}; fix or remove it.`, { details: { path } });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RegistryKitError('DOCKER_CONFIG_INVALID', `The docker config at ${path} must hold a JSON object.`, { details: { path } });
  }
  return parsed as DockerConfig;
}

/** The key Docker uses for `host` in `auths` and with helpers: Docker Hub has its own. */
export function dockerServerAddress(registryHost: string): string {
  return DOCKER_HUB_ALIASES.includes(registryHost) ? DOCKER_HUB_SERVER_ADDRESS : registryHost;
}

/** docker/cli's ConvertToHostname: `https://host:5000/v2/` → `host:5000`. */
export function hostFromServerAddress(address: string): string {
  const withoutScheme = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  return withoutScheme.split('/')[0] ?? withoutScheme;
}

/** The registry host a config key stands for, with Docker Hub's aliases folded to `docker.io`. */
export function registryHostOfKey(key: string): string {
  return canonicalRegistryHost(hostFromServerAddress(key));
}
