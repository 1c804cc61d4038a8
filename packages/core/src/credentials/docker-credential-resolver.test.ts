import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryKitError } from '../errors.js';
import { getFromCredentialHelper } from './credential-helper.js';
import { dockerConfigPath, hostFromServerAddress, readDockerConfig } from './docker-config.js';
import { createDockerCredentialResolver } from './docker-credential-resolver.js';

let dir: string;
let env: NodeJS.ProcessEnv;

const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

// A helper speaking the docker-credential-helpers protocol, logging each server it is asked for.
const HELPER = `#!/bin/sh
[ "$1" = get ] || exit 3
read server
echo "$server" >> "$HELPER_LOG"
case "$server" in
  "https://index.docker.io/v1/") echo '{"ServerURL":"https://index.docker.io/v1/","Username":"hubuser","Secret":"hub-secret"}' ;;
  "tokens.example.com") echo '{"ServerURL":"tokens.example.com","Username":"<token>","Secret":"refresh-token-1"}' ;;
  "garbage.example.com") echo 'hub-secret is not json' ;;
  "crash.example.com") echo 'helper exploded' >&2; exit 7 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rk-creds-'));
  await writeFile(join(dir, 'docker-credential-testhelper'), HELPER);
  await chmod(join(dir, 'docker-credential-testhelper'), 0o755);
  env = { PATH: `${dir}:${process.env['PATH']}`, HELPER_LOG: join(dir, 'helper.log'), HOME: dir };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function helperCalls(): Promise<string[]> {
  const text = await readFile(join(dir, 'helper.log'), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.length > 0);
}

describe('docker config location', () => {
  it('follows DOCKER_CONFIG, else ~/.docker', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/etc/dc', HOME: '/home/u' })).toBe('/etc/dc/config.json');
    expect(dockerConfigPath({ HOME: '/home/u' })).toBe('/home/u/.docker/config.json');
  });

  it('reads a missing file as no config and refuses malformed JSON', async () => {
    expect(await readDockerConfig(join(dir, 'absent.json'))).toBeUndefined();
    await writeFile(join(dir, 'bad.json'), '{"auths": ');
    await expect(readDockerConfig(join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'DOCKER_CONFIG_INVALID' });
  });

  it('keeps the credentials of a malformed config out of the error and its causes', async () => {
    const auth = basic('alice', 'hunter2-hunter2');
    await writeFile(join(dir, 'unquoted.json'), `{"auths": {"r.example.com": {"auth": ${auth}}}}`);
    const error = await readDockerConfig(join(dir, 'unquoted.json')).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'DOCKER_CONFIG_INVALID' });
    for (let current: unknown = error; current instanceof Error; current = current.cause) {
      expect(`${current.message}\n${current.stack}`).not.toContain(auth.slice(0, 6));
    }
  });

  it('converts server addresses to hosts as docker/cli does', () => {
    expect(hostFromServerAddress('https://index.docker.io/v1/')).toBe('index.docker.io');
    expect(hostFromServerAddress('http://localhost:5000/v2/')).toBe('localhost:5000');
    expect(hostFromServerAddress('registry.example.com')).toBe('registry.example.com');
  });
});

describe('createDockerCredentialResolver', () => {
  it('reads auths entries by host, by URL key and for Docker Hub by its v1 key', async () => {
    const resolver = createDockerCredentialResolver({
      env,
      config: {
        auths: {
          'localhost:5000': { auth: basic('alice', 'pa:ss:word') },
          'https://registry.example.com/v2/': { username: 'bob', password: 'pw' },
          'https://index.docker.io/v1/': { auth: basic('hubby', 'hubpw') },
          'acr.example.io': { identitytoken: 'id-token' },
        },
      },
    });
    // Passwords may contain colons: split on the first one only.
    expect(await resolver.resolve('localhost:5000')).toEqual({
      credentials: { type: 'basic', username: 'alice', password: 'pa:ss:word' },
      source: 'auths',
      serverAddress: 'localhost:5000',
    });
    expect((await resolver.resolve('registry.example.com'))?.credentials).toEqual({ type: 'basic', username: 'bob', password: 'pw' });
    expect((await resolver.resolve('docker.io'))?.credentials).toEqual({ type: 'basic', username: 'hubby', password: 'hubpw' });
    expect((await resolver.resolve('acr.example.io'))?.credentials).toEqual({ type: 'identity-token', token: 'id-token' });
    expect(await resolver.resolve('elsewhere.example.com')).toBeUndefined();
  });

  it('asks credHelpers[host] first, with Docker Hub under its v1 address', async () => {
    const resolver = createDockerCredentialResolver({
      env,
      config: {
        credHelpers: { 'docker.io': 'testhelper', 'tokens.example.com': 'testhelper' },
        auths: { 'https://index.docker.io/v1/': { auth: basic('stale', 'stale') } },
      },
    });
    expect(await resolver.resolve('docker.io')).toEqual({
      credentials: { type: 'basic', username: 'hubuser', password: 'hub-secret' },
      source: 'credHelpers:testhelper',
      serverAddress: 'https://index.docker.io/v1/',
    });
    // `<token>` as the user name marks an identity token.
    expect((await resolver.resolve('tokens.example.com'))?.credentials).toEqual({ type: 'identity-token', token: 'refresh-token-1' });
  });

  it('falls back from credsStore to auths when the store holds nothing', async () => {
    const resolver = createDockerCredentialResolver({
      env,
      config: { credsStore: 'testhelper', auths: { 'localhost:5000': { auth: basic('alice', 'pw') } } },
    });
    expect(await resolver.resolve('localhost:5000')).toMatchObject({ source: 'auths' });
    expect(await resolver.resolve('tokens.example.com')).toMatchObject({ source: 'credsStore:testhelper' });
  });

  it('passes over a broken credsStore with a warning, but fails on a broken credHelpers entry', async () => {
    const warnings: string[] = [];
    const store = createDockerCredentialResolver({
      env,
      onWarning: (message) => warnings.push(message),
      config: { credsStore: 'desktop.exe', auths: { 'localhost:5000': { auth: basic('alice', 'pw') } } },
    });
    expect(await store.resolve('localhost:5000')).toMatchObject({ source: 'auths' });
    expect(warnings[0]).toContain('docker-credential-desktop.exe is not installed');

    const helpers = createDockerCredentialResolver({ env, config: { credHelpers: { 'localhost:5000': 'missing' } } });
    await expect(helpers.resolve('localhost:5000')).rejects.toMatchObject({ code: 'CREDENTIAL_HELPER_FAILED' });
  });

  it('caches lookups and shares one helper call among concurrent lookups', async () => {
    await rm(join(dir, 'helper.log'), { force: true });
    const resolver = createDockerCredentialResolver({ env, config: { credHelpers: { 'docker.io': 'testhelper' } } });
    await Promise.all([resolver.resolve('docker.io'), resolver.resolve('docker.io'), resolver.resolve('docker.io')]);
    await resolver.resolve('docker.io');
    expect(await helperCalls()).toEqual(['https://index.docker.io/v1/']);
    resolver.clear('docker.io');
    await resolver.resolve('docker.io');
    expect(await helperCalls()).toHaveLength(2);
  });

  it('reads the config file named by DOCKER_CONFIG', async () => {
    const configDir = join(dir, 'dc');
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ auths: { 'localhost:5000': { auth: basic('carol', 'pw') } } }));
    const resolver = createDockerCredentialResolver({ env: { ...env, DOCKER_CONFIG: configDir } });
    expect((await resolver.resolve('localhost:5000'))?.credentials).toMatchObject({ username: 'carol' });
  });

  it('refuses an auth value that is not user:password', async () => {
    const resolver = createDockerCredentialResolver({ env, config: { auths: { 'localhost:5000': { auth: basic('nocolon', '').slice(0, 8) } } } });
    await expect(resolver.resolve('localhost:5000')).rejects.toMatchObject({ code: 'DOCKER_CONFIG_INVALID' });
  });
});

describe('getFromCredentialHelper', () => {
  it('never puts helper output that may hold a secret into errors', async () => {
    const error = await getFromCredentialHelper('testhelper', 'garbage.example.com', { env }).catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'CREDENTIAL_HELPER_FAILED')).toBe(true);
    expect((error as Error).message).not.toContain('hub-secret');
    expect((error as Error).message).toContain('not JSON');
  });

  it('keeps helper output out of the errors it was caused by (a debug log prints them)', async () => {
    const error = await getFromCredentialHelper('testhelper', 'garbage.example.com', { env }).catch((caught: unknown) => caught);
    for (let current: unknown = error; current instanceof Error; current = current.cause) {
      expect(`${current.message}\n${current.stack}`).not.toContain('hub-secret');
    }
  });

  it('reports a crashing helper with its exit code and stderr', async () => {
    await expect(getFromCredentialHelper('testhelper', 'crash.example.com', { env })).rejects.toThrow(/exited with code 7: helper exploded/);
  });

  it('answers undefined when the helper holds nothing', async () => {
    expect(await getFromCredentialHelper('testhelper', 'nothing.example.com', { env })).toBeUndefined();
  });
});
