import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDockerEngine, type DockerEngineFixture } from './docker-engine.js';
import { type RegistryFixture, startRegistry } from './registry-server.js';
import { skopeoInspect } from './skopeo.js';
import { buildTestImage } from './test-images.js';
import { startTokenIssuer, type TokenIssuerFixture } from './token-issuer.js';

const run = promisify(execFile);
const USER = 'tokenuser';
const PASSWORD = 'token-password';

let issuer: TokenIssuerFixture;
let registry: RegistryFixture;

beforeAll(async () => {
  issuer = await startTokenIssuer({ users: { [USER]: PASSWORD } });
  registry = await startRegistry({ auth: issuer.registryAuth });
});

afterAll(async () => {
  await registry?.stop();
  await issuer?.stop();
});

async function token(query: string, authorization?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${issuer.realm}?${query}`, authorization ? { headers: { authorization } } : {});
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('a registry verifying tokens from the issuer', () => {
  it('challenges with Bearer naming the realm and service', async () => {
    const response = await fetch(`${registry.url}/v2/`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${issuer.realm}",service="${issuer.service}"`);
  });

  it('accepts a token issued for Basic credentials, and refuses wrong ones', async () => {
    const issued = await token(`service=${issuer.service}&scope=repository:team/app:pull,push`, basic(USER, PASSWORD));
    expect(issued.status).toBe(200);
    expect(issued.body['token']).toBe(issued.body['access_token']);
    const tags = await fetch(`${registry.url}/v2/team/app/tags/list`, { headers: { authorization: `Bearer ${issued.body['token']}` } });
    expect(tags.status).toBe(404); // authorized; the repository just does not exist yet
    expect((await token(`service=${issuer.service}&scope=repository:team/app:pull`, basic(USER, 'nope'))).status).toBe(401);
    expect(issuer.requests.at(-1)).toMatchObject({ grant: 'basic', user: USER, status: 401 });
  });

  it('gives anonymous requests a token without access, which the registry refuses', async () => {
    const issued = await token(`service=${issuer.service}&scope=repository:team/app:pull`);
    const tags = await fetch(`${registry.url}/v2/team/app/tags/list`, { headers: { authorization: `Bearer ${issued.body['token']}` } });
    expect(tags.status).toBe(401);
    expect(tags.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('runs the OAuth2 password and refresh_token grants', async () => {
    const form = (fields: Record<string, string>) =>
      fetch(issuer.realm, { method: 'POST', body: new URLSearchParams({ service: issuer.service, scope: 'repository:x:pull', ...fields }) }).then(
        async (response) => ({ status: response.status, body: (await response.json()) as Record<string, string> }),
      );
    const first = await form({ grant_type: 'password', username: USER, password: PASSWORD, client_id: 'test' });
    expect(first.status).toBe(200);
    expect(first.body['refresh_token']).toBeTruthy();
    const second = await form({ grant_type: 'refresh_token', refresh_token: first.body['refresh_token']! });
    expect(second.status).toBe(200);
    expect((await form({ grant_type: 'refresh_token', refresh_token: 'forged' })).status).toBe(401);
  });

  it('asks `authenticate` about credentials it has no user for', async () => {
    await using minting = await startTokenIssuer({ authenticate: (user, password) => user === 'oauth2accesstoken' && password.startsWith('ya29.') });
    const ask = (authorization: string) =>
      fetch(`${minting.realm}?service=${minting.service}&scope=repository:p/app:pull`, { headers: { authorization } }).then((response) => response.status);
    expect(await ask(basic('oauth2accesstoken', 'ya29.minted-elsewhere'))).toBe(200);
    expect(await ask(basic('oauth2accesstoken', 'forged'))).toBe(401);
    expect(await ask(basic('someone', 'ya29.minted-elsewhere'))).toBe(401);
    expect(minting.requests.map((request) => request.status)).toEqual([200, 401, 401]);
  });

  it('fails on demand, for retry tests', async () => {
    issuer.failNext(2, 503);
    expect((await token(`service=${issuer.service}`)).status).toBe(503);
    expect((await token(`service=${issuer.service}`)).status).toBe(503);
    expect((await token(`service=${issuer.service}`)).status).toBe(200);
  });
});

describe('pushing through token auth', () => {
  let engine: DockerEngineFixture;
  let configDir: string;

  beforeAll(async () => {
    [engine, configDir] = await Promise.all([startDockerEngine(), mkdtemp(join(tmpdir(), 'rk-token-push-'))]);
  });

  afterAll(async () => {
    await engine?.stop();
    await rm(configDir, { recursive: true, force: true });
  });

  it('lets the Docker engine and skopeo push and inspect with the issued tokens', async () => {
    const image = `${registry.host}/team/app:1`;
    await buildTestImage({ dockerHost: engine.dockerHost, tag: image });
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
    const env = { ...process.env, DOCKER_HOST: engine.dockerHost, DOCKER_CONFIG: configDir };
    const { stdout } = await run('docker', ['push', image], { env });
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(stdout)?.[1];
    expect((await skopeoInspect(image, { credentials: { username: USER, password: PASSWORD } })).Digest).toBe(digest);
    expect(issuer.requests.some((request) => request.scopes.some((scope) => scope.includes('team/app:pull,push')) && request.status === 200)).toBe(true);
  });
});
