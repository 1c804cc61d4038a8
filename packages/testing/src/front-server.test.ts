import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { certificateDirectory, createTestCertificateAuthority, type TestCertificateAuthority } from './certificates.js';
import { type DockerEngineFixture, startDockerEngine } from './docker-engine.js';
import { waitForEngineToResolve } from './engine-resolution.js';
import { startFrontServer } from './front-server.js';
import { startHostedRegistry } from './hosted-registry.js';
import { startRegistry } from './registry-server.js';
import { skopeoInspect } from './skopeo.js';
import { buildTestImage } from './test-images.js';
import { startTokenIssuer } from './token-issuer.js';

const run = promisify(execFile);
const USER = 'octocat';
const TOKEN = 'ghp_front-test-token';

let ca: TestCertificateAuthority;
let engine: DockerEngineFixture;

beforeAll(async () => {
  ca = await createTestCertificateAuthority();
  // Trusted through SSL_CERT_DIR only: no /etc/docker/certs.d entry for the hosts below.
  engine = await startDockerEngine({ trustedCaCertificates: ca.certificatePem });
});

afterAll(async () => {
  await engine?.stop();
  await ca?.remove();
});

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { headers, ca: ca.certificatePem }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

it('serves a token-auth registry under a host name, its realm on the same host, to the engine and skopeo', async () => {
  const hostname = `front-${Date.now()}.rk-test.example`;
  await pushThroughFront(hostname);
  expect(await readFile('/etc/hosts', 'utf8')).not.toContain(hostname);
});

async function pushThroughFront(hostname: string): Promise<void> {
  await using issuer = await startTokenIssuer({ service: hostname, authenticate: (_user, password) => password === TOKEN });
  await using registry = await startRegistry({ auth: { ...issuer.registryAuth, realm: `https://${hostname}/token` } });
  await using front = await startFrontServer({ hostname, ca, upstream: registry.url, routes: { '/token': issuer.realm } });
  const configDir = await mkdtemp(join(tmpdir(), 'rk-front-'));
  const certDir = await certificateDirectory(ca.certificatePem);
  try {
    const image = `${hostname}/team/app:1`;
    await Promise.all([buildTestImage({ dockerHost: engine.dockerHost, tag: image, runStep: false }), waitForEngineToResolve(engine.dockerHost, hostname)]);
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ auths: { [hostname]: { auth: Buffer.from(`anyone:${TOKEN}`).toString('base64') } } }));
    const { stdout } = await run('docker', ['push', image], { env: { ...process.env, DOCKER_HOST: engine.dockerHost, DOCKER_CONFIG: configDir } });
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(stdout)?.[1];

    const seen = await skopeoInspect(image, { tlsVerify: true, certDir: certDir.path, credentials: { username: USER, password: TOKEN } });
    expect(seen.Digest).toBe(digest);
    expect(front.requests.some((record) => record.answeredBy === 'route' && record.path.startsWith('/token?') && record.status === 200)).toBe(true);
    expect(front.requests.some((record) => record.answeredBy === 'upstream' && record.method === 'PUT' && record.path === '/v2/team/app/manifests/1')).toBe(true);
    expect(issuer.requests.some((record) => record.user === 'anyone' && record.status === 200)).toBe(true);
  } finally {
    await certDir.remove();
    await rm(configDir, { recursive: true, force: true });
  }
}

it('lets a handler answer requests itself and passes the others on', async () => {
  const hostname = `front-api-${Date.now()}.rk-test.example`;
  await using registry = await startRegistry();
  await using front = await startFrontServer({
    hostname,
    ca,
    upstream: registry.url,
    handle: (incoming, response) => {
      if (!incoming.url?.includes('/manifests/')) return false;
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      response.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }));
      return true;
    },
  });
  const limited = await get(`${front.url}/v2/team/app/manifests/1`);
  expect(limited).toMatchObject({ status: 429, headers: { 'retry-after': '7' } });
  const ping = await get(`${front.url}/v2/`);
  expect(ping.status).toBe(200);
  expect(front.requests.map((record) => [record.answeredBy, record.status])).toEqual([
    ['handler', 429],
    ['upstream', 200],
  ]);
});

it('runs a token-auth registry under a host name in one call, realm on the same host', async () => {
  const hostname = `hosted-${Date.now()}.rk-test.example`;
  await using hosted = await startHostedRegistry({ hostname, ca, realmPath: '/v2/token', issuer: { users: { [USER]: TOKEN } } });
  const ping = await get(`${hosted.front.url}/v2/`);
  expect(ping.status).toBe(401);
  expect(ping.headers['www-authenticate']).toBe(`Bearer realm="https://${hostname}/v2/token",service="${hostname}"`);
  const basic = `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`;
  const token = await get(`${hosted.front.url}/v2/token?service=${hostname}&scope=repository:team/app:pull`, { authorization: basic });
  expect(token.status).toBe(200);
  expect(hosted.issuer.requests.at(-1)).toMatchObject({ user: USER, service: hostname, status: 200 });
});

it('serves the realm under its own host name when asked, as Docker Hub does', async () => {
  const stamp = Date.now();
  await using hosted = await startHostedRegistry({
    hostname: `registry-${stamp}.rk-test.example`,
    realmHostname: `auth-${stamp}.rk-test.example`,
    ca,
    issuer: { service: 'registry.rk-test.example' },
  });
  const ping = await get(`${hosted.front.url}/v2/`);
  expect(ping.headers['www-authenticate']).toBe(`Bearer realm="https://auth-${stamp}.rk-test.example/token",service="registry.rk-test.example"`);
  const token = await get(`${hosted.realmFront!.url}/token?service=registry.rk-test.example&scope=repository:team/app:pull`);
  expect(token.status).toBe(200);
  expect(hosted.realmFront!.requests).toHaveLength(1);
});
