import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, createTestOciLayout, type RegistryFixture, skopeoInspect, startRegistry } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli } from './test-support/cli-runner.js';
import { createFlavorProject, writeFlavorPackage } from './test-support/flavor-project.js';

const run = promisify(execFile);
const USER = 'rk-e2e-user';
const PASSWORD = `rk-e2e-${randomBytes(12).toString('hex')}`;
const WRONG_PASSWORD = `rk-wrong-${randomBytes(12).toString('hex')}`;
const SOURCE = `rk-cli-e2e/app:${Date.now()}`;

let registry: RegistryFixture;
let cli: Cli;
let work: string;
let dockerConfig: string;
let project: string;
let passwordFile: string;
const credentials = { username: USER, password: PASSWORD };

beforeAll(async () => {
  const dockerHost = testDockerHost();
  [registry, work, project] = await Promise.all([startRegistry({ auth: { type: 'htpasswd', users: { [USER]: PASSWORD } } }), mkdtemp(join(tmpdir(), 'rk-cli-e2e-')), createFlavorProject()]);
  dockerConfig = join(work, 'docker-config');
  await mkdir(dockerConfig);
  passwordFile = join(work, 'password.txt');
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  cli = await Cli.create({ DOCKER_HOST: dockerHost, DOCKER_CONFIG: dockerConfig });
  await buildTestImage({ dockerHost, tag: SOURCE, layers: 2 });
});

afterAll(async () => {
  await Promise.all([registry?.stop(), rm(work, { recursive: true, force: true }), rm(project, { recursive: true, force: true }), cli && rm(cli.configDir, { recursive: true, force: true })]);
});

function digestOf(stdout: string): string {
  const match = /digest\s+(sha256:[a-f0-9]{64})/.exec(stdout);
  if (!match) throw new Error(`no digest in: ${stdout}`);
  return match[1]!;
}

describe('registrykit end to end, against a real registry (htpasswd) and Docker engine', () => {
  it('registers a connector and a registry bound to it, pushes through it, and the registry holds what it printed', async () => {
    await cli.ok(['service-connector', 'register', 'local-creds', '--type', 'docker', '--auth-method', 'password', '--username', USER, '--password', `@${passwordFile}`, '--registry', registry.host]);
    await cli.ok(['container-registry', 'register', 'local', '--flavor', 'default', '--uri', `${registry.host}/team`, '--connector', 'local-creds']);

    const image = `${registry.host}/team/app:1`;
    const pushed = await cli.ok(['image', 'push', image, '--source', SOURCE]);
    expect(pushed.stdout).toContain(`Pushed ${image}`);
    const digest = digestOf(pushed.stdout);
    expect(pushed.stdout).toContain(`reference  ${registry.host}/team/app@${digest}`);
    expect((await skopeoInspect(image, { credentials })).Digest).toBe(digest);
    // Not a terminal: plain progress lines, one per layer status.
    expect(pushed.stderr).toMatch(/^[0-9a-f]{12}: pushed$/m);
    expect(pushed.stderr).not.toContain('\r');

    const json = await cli.json<{ image: string; digest: string; reference: string; registry: string }>(['image', 'push', `${registry.host}/team/app:2`, '--source', SOURCE]);
    expect(json).toMatchObject({ image: `${registry.host}/team/app:2`, registry: 'local', reference: `${registry.host}/team/app@${json.digest}` });
    expect((await skopeoInspect(`${registry.host}/team/app:2`, { credentials })).Digest).toBe(json.digest);
  });

  it('describes and lists connectors and registries with the secret masked', async () => {
    const described = await cli.ok(['service-connector', 'describe', 'local-creds']);
    expect(described.stdout).toMatch(/username\s+rk-e2e-user/);
    expect(described.stdout).toMatch(/password\s+\[hidden\]/);
    expect(described.stdout).toMatch(/used by\s+local/);
    expect(await cli.json(['service-connector', 'describe', 'local-creds'])).toMatchObject({
      type: 'docker',
      authMethod: 'password',
      registryHost: registry.host,
      config: { username: USER, password: '[hidden]', registry: registry.host },
      secretFields: ['password'],
      usedBy: ['local'],
    });
    expect(await cli.json(['service-connector', 'list'])).toEqual([expect.objectContaining({ name: 'local-creds', config: expect.objectContaining({ password: '[hidden]' }) })]);
    expect((await cli.ok(['service-connector', 'list'])).stdout).toMatch(/local-creds\s+docker\s+password\s+127\.0\.0\.1:\d+\s+local/);
    expect(await cli.json(['container-registry', 'describe', 'local'])).toMatchObject({ flavor: 'default', connector: 'local-creds', config: { uri: `${registry.host}/team` } });
    expect((await cli.ok(['container-registry', 'describe', 'local'])).stdout).toMatch(/connector\s+local-creds \(docker, password\)/);
    expect((await cli.ok(['container-registry', 'list'])).stdout).toMatch(/local\s+default\s+127\.0\.0\.1:\d+\/team\s+local-creds/);
    // The store keeps the secret (mode 0600), since later commands need it.
    expect(await readFile(join(cli.configDir, 'store.json'), 'utf8')).toContain(PASSWORD);
  });

  it('takes a password from an environment variable or stdin, and a literal one with a warning', async () => {
    await cli.ok(['service-connector', 'register', 'env-creds', '--type', 'docker', '--username', USER, '--password', 'env:RK_E2E_PASSWORD', '--registry', registry.host], {
      env: { RK_E2E_PASSWORD: PASSWORD },
    });
    await cli.ok(['service-connector', 'register', 'stdin-creds', '--type', 'docker', '--username', USER, '--password', '@-', '--registry', registry.host], { stdin: `${PASSWORD}\n` });
    const literal = await cli.ok(['service-connector', 'register', 'literal-creds', '--type', 'docker', '--username', USER, '--password', PASSWORD, '--registry', registry.host]);
    expect(literal.stderr).toContain('Warning: --password was given on the command line');

    await cli.ok(['container-registry', 'register', 'via-env', '--flavor', 'default', '--uri', `${registry.host}/env`, '--connector', 'env-creds']);
    await cli.ok(['image', 'push', `${registry.host}/env/app:1`, '--source', SOURCE]);
    await cli.ok(['container-registry', 'connect', 'via-env', '--connector', 'stdin-creds']);
    expect(await cli.json(['container-registry', 'describe', 'via-env'])).toMatchObject({ connector: 'stdin-creds' });
    const pushed = await cli.ok(['image', 'push', `${registry.host}/env/app:2`, '--source', SOURCE, '--registry', 'via-env']);
    expect((await skopeoInspect(`${registry.host}/env/app:2`, { credentials })).Digest).toBe(digestOf(pushed.stdout));
    await cli.ok(['container-registry', 'connect', 'via-env', '--connector', 'literal-creds']);
    await cli.ok(['image', 'push', `${registry.host}/env/app:3`, '--source', SOURCE]);
  });

  it('fails a push with refused credentials in one error line, also with debug output on', async () => {
    // Verification would refuse these credentials; --no-verify keeps them, to see the push fail.
    const register = ['service-connector', 'register', 'wrong-creds', '--type', 'docker', '--username', USER, '--password', 'env:RK_WRONG', '--registry', registry.host];
    const refusedAtRegistration = await cli.run(register, { env: { RK_WRONG: WRONG_PASSWORD } });
    expect(refusedAtRegistration.code).toBe(1);
    expect(refusedAtRegistration.stderr).toContain(`Error: The service connector "wrong-creds" could not be verified against ${registry.host}:`);
    await cli.ok([...register, '--no-verify'], { env: { RK_WRONG: WRONG_PASSWORD } });
    await cli.ok(['container-registry', 'register', 'wrong', '--flavor', 'default', '--uri', `${registry.host}/wrong`, '--connector', 'wrong-creds', '--no-verify']);
    const refused = await cli.run(['image', 'push', `${registry.host}/wrong/app:1`, '--source', SOURCE]);
    expect(refused.code).toBe(1);
    const errorLines = refused.stderr.split('\n').filter((line) => line.startsWith('Error:'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/auth|credential|login/i);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const debug = await cli.run(['image', 'push', `${registry.host}/wrong/app:1`, '--source', SOURCE], { env: { REGISTRYKIT_LOG_LEVEL: 'debug' } });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain('code: AUTHENTICATION_FAILED');
    expect(debug.stderr).toContain('debug: pushing');
  });

  it('pushes with the docker config credentials when a registry has no connector', async () => {
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
    await cli.ok(['container-registry', 'register', 'plain', '--flavor', 'default', '--uri', `${registry.host}/plain`]);
    const pushed = await cli.ok(['image', 'push', `${registry.host}/plain/app:1`, '--source', SOURCE]);
    expect((await skopeoInspect(`${registry.host}/plain/app:1`, { credentials })).Digest).toBe(digestOf(pushed.stdout));
    await rm(join(dockerConfig, 'config.json'));
  });

  it('refuses an image no registry holds, one outside the chosen registry, and a connector for another registry', async () => {
    const nowhere = await cli.run(['image', 'push', 'registry.example.com/x/app:1']);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('No registered container registry holds "registry.example.com/x/app:1"');
    const outside = await cli.run(['image', 'push', `${registry.host}/team/app:9`, '--registry', 'via-env']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain(`does not belong to container registry "via-env" (${registry.host}/env)`);
    const mismatch = await cli.run(['container-registry', 'register', 'elsewhere', '--flavor', 'default', '--uri', 'registry.example.com/x', '--connector', 'local-creds']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain(`The service connector "local-creds" holds credentials for ${registry.host}, but the container registry "elsewhere" is at registry.example.com`);
    const inUse = await cli.run(['service-connector', 'delete', 'local-creds']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('is used by the container registries local');
  });

  it('pushes through a custom flavor, whose prepareImagePush runs', async () => {
    await writeFlavorPackage(join(project, 'harbor-flavor'), { name: 'registrykit-flavor-harbor', id: 'harbor' });
    await cli.ok(['container-registry', 'flavor', 'register', './harbor-flavor'], { cwd: project });
    const audit = join(work, 'audit.log');
    await cli.ok(['container-registry', 'register', 'harbor', '--flavor', 'harbor', '--uri', `${registry.host}/lib`, '--project', 'lib', '--audit-log', audit, '--connector', 'local-creds']);
    const pushed = await cli.ok(['image', 'push', `${registry.host}/lib/app:1`, '--source', SOURCE]);
    expect(await readFile(audit, 'utf8')).toBe(`${registry.host}/lib/app:1\n`);
    expect((await skopeoInspect(`${registry.host}/lib/app:1`, { credentials })).Digest).toBe(digestOf(pushed.stdout));
  });

  it('pushes an OCI layout and a docker save archive without the Docker engine', async () => {
    const layout = await createTestOciLayout({ layers: 2 });
    const archive = join(work, 'app.tar');
    await run('docker', ['save', '-o', archive, SOURCE], { env: { ...process.env, DOCKER_HOST: testDockerHost() } });
    const noEngine = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    try {
      const fromLayout = await cli.ok(['image', 'push', `${registry.host}/team/layout:1`, '--source', layout.source], { env: noEngine });
      expect(digestOf(fromLayout.stdout)).toBe(layout.manifestDigest);
      expect((await skopeoInspect(`${registry.host}/team/layout:1`, { credentials })).Digest).toBe(layout.manifestDigest);
      const fromArchive = await cli.json<{ digest: string }>(['image', 'push', `${registry.host}/team/archive:1`, '--source', `docker-archive:${archive}`], { env: noEngine });
      expect((await skopeoInspect(`${registry.host}/team/archive:1`, { credentials })).Digest).toBe(fromArchive.digest);
    } finally {
      await layout.remove();
    }
  });

  it('draws a progress bar on a terminal, without colors under NO_COLOR', async () => {
    const inTerminal = (tag: string, env: NodeJS.ProcessEnv) => cli.inTerminal(['image', 'push', `${registry.host}/team/tty:${tag}`, '--source', SOURCE], env);
    const colored = await inTerminal('1', {});
    expect(colored).toMatch(/\r\u001b\[KPushing .*tty:1 \[.*\]\s+\d+% .* layers/);
    expect(colored).toContain('\u001b[32m');
    const plain = await inTerminal('2', { NO_COLOR: '1' });
    expect(plain).toMatch(/Pushing .*tty:2 \[[█░]+\]\s+\d+%/);
    expect(plain).not.toContain('\u001b[32m');
  });

  it('printed no password in any output of any command above', () => {
    expect(cli.transcript.length).toBeGreaterThan(20);
    for (const output of cli.transcript) {
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain(WRONG_PASSWORD);
    }
  });
});
