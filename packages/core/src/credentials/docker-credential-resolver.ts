import { RegistryKitError } from '../errors.js';
import { getFromCredentialHelper } from './credential-helper.js';
import {
  type DockerConfig,
  type DockerConfigAuthEntry,
  dockerConfigPath,
  dockerServerAddress,
  readDockerConfig,
  registryHostOfKey,
} from './docker-config.js';
import { credentialsExpireSoon, type RegistryCredentials } from './registry-credentials.js';

/** Credentials found in the docker config, and where they came from (never the secret itself). */
export interface ResolvedCredentials {
  readonly credentials: RegistryCredentials;
  /** `credHelpers:<helper>`, `credsStore:<helper>` or `auths`. */
  readonly source: string;
  /** The key the credentials were looked up by, e.g. `https://index.docker.io/v1/`. */
  readonly serverAddress: string;
}

export interface DockerCredentialResolverOptions {
  /** A config file to read instead of `$DOCKER_CONFIG/config.json` / `~/.docker/config.json`. */
  readonly configPath?: string;
  /** A config object to use instead of reading a file. */
  readonly config?: DockerConfig;
  readonly env?: NodeJS.ProcessEnv;
  /** How long a lookup is reused. Default one hour, as regclient does. */
  readonly cacheTtlMs?: number;
  /** Told when a broken `credsStore` is passed over in favour of `auths`. */
  readonly onWarning?: (message: string) => void;
}

export interface DockerCredentialResolver {
  /** The credentials the docker CLI would use for `registryHost`, or undefined. */
  resolve(registryHost: string): Promise<ResolvedCredentials | undefined>;
  /** Forgets cached lookups, e.g. after the registry refused them. */
  clear(registryHost?: string): void;
}

/**
 * Resolves credentials the way the docker CLI does: `credHelpers[host]`, then `credsStore`,
 * then `auths` (the Docker Engine API never does this itself). Lookups are cached per host,
 * and concurrent lookups for one host share a single helper call.
 */
export function createDockerCredentialResolver(options: DockerCredentialResolverOptions = {}): DockerCredentialResolver {
  const ttl = options.cacheTtlMs ?? 60 * 60_000;
  const cache = new Map<string, { at: number; lookup: Promise<ResolvedCredentials | undefined> }>();

  async function lookup(registryHost: string): Promise<ResolvedCredentials | undefined> {
    const env = options.env ?? process.env;
    const config = options.config ?? (await readDockerConfig(options.configPath ?? dockerConfigPath(env)));
    if (!config) return undefined;
    const serverAddress = dockerServerAddress(registryHost);

    const helper = config.credHelpers?.[registryHost] ?? helperForAlias(config, registryHost);
    if (helper) {
      // A helper named for this very host is the user's explicit choice: its failure is an error.
      const credentials = await getFromCredentialHelper(helper, serverAddress, { env });
      if (credentials) return { credentials, source: `credHelpers:${helper}`, serverAddress };
    }
    if (config.credsStore) {
      try {
        const credentials = await getFromCredentialHelper(config.credsStore, serverAddress, { env });
        if (credentials) return { credentials, source: `credsStore:${config.credsStore}`, serverAddress };
      } catch (error) {
        // A broken global store (a leftover `desktop.exe`) should not block registries whose
        // credentials sit in `auths` or that need none; the docker CLI fails here instead.
        options.onWarning?.(`${(error as Error).message} Falling back to "auths".`);
      }
    }
    const entry = authsEntry(config, registryHost, serverAddress);
    if (!entry) return undefined;
    const credentials = credentialsFromEntry(entry.value, entry.key);
    return credentials ? { credentials, source: 'auths', serverAddress: entry.key } : undefined;
  }

  return {
    resolve(registryHost) {
      const cached = cache.get(registryHost);
      if (cached && Date.now() - cached.at < ttl) {
        return cached.lookup.then((found) => (found && credentialsExpireSoon(found.credentials, Date.now(), 0) ? refresh(registryHost) : found));
      }
      return refresh(registryHost);
    },
    clear(registryHost) {
      if (registryHost === undefined) cache.clear();
      else cache.delete(registryHost);
    },
  };

  function refresh(registryHost: string): Promise<ResolvedCredentials | undefined> {
    const pending = lookup(registryHost);
    cache.set(registryHost, { at: Date.now(), lookup: pending });
    pending.catch(() => cache.delete(registryHost));
    return pending;
  }
}

function helperForAlias(config: DockerConfig, registryHost: string): string | undefined {
  for (const [key, helper] of Object.entries(config.credHelpers ?? {})) {
    if (registryHostOfKey(key) === registryHostOfKey(registryHost)) return helper;
  }
  return undefined;
}

function authsEntry(config: DockerConfig, registryHost: string, serverAddress: string): { key: string; value: DockerConfigAuthEntry } | undefined {
  const auths = config.auths ?? {};
  const exact = auths[serverAddress] ?? auths[registryHost];
  if (exact) return { key: auths[serverAddress] ? serverAddress : registryHost, value: exact };
  const wanted = registryHostOfKey(registryHost);
  for (const [key, value] of Object.entries(auths)) {
    if (registryHostOfKey(key) === wanted) return { key, value };
  }
  return undefined;
}

function credentialsFromEntry(entry: DockerConfigAuthEntry, key: string): RegistryCredentials | undefined {
  if (entry.identitytoken) return { type: 'identity-token', token: entry.identitytoken };
  if (entry.registrytoken) return { type: 'bearer', token: entry.registrytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new RegistryKitError('DOCKER_CONFIG_INVALID', `The "auth" value for "${key}" in the docker config is not base64 of "username:password"; run \`docker login\` again.`, {
        details: { key },
      });
    }
    // Split on the first colon only: passwords may contain colons.
    return { type: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { type: 'basic', username: entry.username, password: entry.password };
  return undefined;
}
