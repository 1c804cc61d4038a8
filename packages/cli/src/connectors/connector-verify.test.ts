import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { type RegistryFixture, startRegistry, startTokenIssuer, type TokenIssuerFixture } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli } from '../test-support/cli-runner.js';

const USER = 'verifier';
const PASSWORD = `rk-verify-${randomBytes(12).toString('hex')}`;
const WRONG = `rk-wrong-${randomBytes(12).toString('hex')}`;

let basic: RegistryFixture;
let issuer: TokenIssuerFixture;
let tokens: RegistryFixture;
let cli: Cli;

beforeAll(async () => {
  issuer = await startTokenIssuer({ users: { [USER]: PASSWORD } });
  [basic, tokens, cli] = await Promise.all([
    startRegistry({ auth: { type: 'htpasswd', users: { [USER]: PASSWORD } } }),
    startRegistry({ auth: issuer.registryAuth }),
    Cli.create({ RK_PASSWORD: PASSWORD, RK_WRONG: WRONG }),
  ]);
});
afterAll(async () => {
  await Promise.all([basic?.stop(), tokens?.stop(), issuer?.stop(), cli && rm(cli.configDir, { recursive: true, force: true })]);
});

const connector = (name: string, host: string, password: string, ...more: string[]) =>
  ['service-connector', 'register', name, '--type', 'docker', '--username', USER, '--password', password, '--registry', host, ...more];

describe('verifying service connectors against real registries', () => {
  it('verifies a docker connector against an htpasswd registry at registration and on demand', async () => {
    const registered = await cli.ok(connector('basic', basic.host, 'env:RK_PASSWORD'));
    expect(registered.stderr).toBe(`Verified: the credentials are accepted by ${basic.host}.\n`);
    expect((await cli.ok(['service-connector', 'verify', 'basic'])).stdout).toBe(`Verified: ${basic.host} accepts the credentials of "basic".\n`);
    expect(await cli.json(['service-connector', 'verify', 'basic'])).toEqual({ connector: 'basic', verified: true, resources: [basic.host] });
  });

  it('verifies against a token-auth registry: the credentials go to its token issuer', async () => {
    await cli.ok(connector('tokens', tokens.host, 'env:RK_PASSWORD'));
    expect(issuer.requests.some((request) => request.user === USER && request.status === 200)).toBe(true);
    await cli.ok(['service-connector', 'verify', 'tokens']);
  });

  it('refuses wrong credentials at registration, stores nothing, and reports them on verify', async () => {
    for (const host of [basic.host, tokens.host]) {
      const refused = await cli.run(connector('refused', host, 'env:RK_WRONG'));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`^Error: The service connector "refused" could not be verified against ${host.replace(/\./g, '\\.')}: .*`));
      expect(refused.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
    expect((await cli.json<{ name: string }[]>(['service-connector', 'list'])).map((item) => item.name)).not.toContain('refused');

    await cli.ok(connector('unverified', tokens.host, 'env:RK_WRONG', '--no-verify'));
    const failed = await cli.run(['service-connector', 'verify', 'unverified']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`could not be verified against ${tokens.host}`);
  });

  it('verifies on connect and on register --connector, unless --no-verify', async () => {
    await cli.ok(['container-registry', 'register', 'token-registry', '--flavor', 'default', '--uri', `${tokens.host}/team`]);
    const refused = await cli.run(['container-registry', 'connect', 'token-registry', '--connector', 'unverified']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('could not be verified');
    expect(await cli.json(['container-registry', 'describe', 'token-registry'])).not.toHaveProperty('connector');
    await cli.ok(['container-registry', 'connect', 'token-registry', '--connector', 'unverified', '--no-verify']);
    const connected = await cli.ok(['container-registry', 'connect', 'token-registry', '--connector', 'tokens']);
    expect(connected.stderr).toBe(`Verified: ${tokens.host} accepts the credentials of "tokens".\n`);
    expect(await cli.json(['container-registry', 'describe', 'token-registry'])).toMatchObject({ connector: 'tokens' });

    const registered = await cli.ok(['container-registry', 'register', 'basic-registry', '--flavor', 'default', '--uri', basic.host, '--connector', 'basic']);
    expect(registered.stderr).toContain(`Verified: ${basic.host} accepts`);
    const disconnected = await cli.ok(['container-registry', 'disconnect', 'basic-registry']);
    expect(disconnected.stdout).toBe('Disconnected "basic-registry" from the service connector "basic".\n');
    await cli.ok(['service-connector', 'delete', 'basic']);
  });

  it('printed no password in any output', () => {
    for (const output of cli.transcript) {
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain(WRONG);
    }
  });
});
