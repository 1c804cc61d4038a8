import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, type CommandGroup, isGroup } from './command-tree.js';
import { Cli, CLI_BIN } from './test-support/cli-runner.js';

const run = promisify(execFile);
let cli: Cli;
let workDir: string;

beforeAll(async () => {
  cli = await Cli.create();
  workDir = await mkdtemp(join(tmpdir(), 'rk-cli-usage-'));
});
afterAll(() => Promise.all([rm(cli.configDir, { recursive: true, force: true }), rm(workDir, { recursive: true, force: true })]));

function commandPaths(group: CommandGroup, prefix: string[] = []): { path: string[]; group: boolean }[] {
  return Object.entries(group.children).flatMap(([name, node]) =>
    isGroup(node) ? [{ path: [...prefix, name], group: true }, ...commandPaths(node, [...prefix, name])] : [{ path: [...prefix, name], group: false }],
  );
}

describe('the registrykit command line', () => {
  it('answers --help for the root, every group and every command, with exit code 0', async () => {
    const root = await cli.ok(['--help']);
    expect(root.stdout).toContain('Usage: registrykit <command>');
    expect(root.stdout).toContain('REGISTRYKIT_CONFIG_DIR');
    for (const { path, group } of commandPaths(COMMANDS)) {
      const result = await cli.ok([...path, '--help']);
      expect(result.stdout).toContain(`Usage: registrykit ${path.join(' ')}`);
      if (!group) expect(result.stdout).toContain('-h, --help');
    }
  });

  it('answers a malformed command line with exit code 2, the problem and where help is', async () => {
    const unknown = await cli.run(['containr-registry', 'list']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toBe(
      'Error: Unknown command "containr-registry" for registrykit. Commands: container-registry, service-connector, image.\nRun "registrykit --help" for usage.\n',
    );
    const missing = await cli.run(['container-registry', 'register', '--flavor', 'default']);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toBe('Error: Missing <name>.\nRun "registrykit container-registry register --help" for usage.\n');
    const noFlavor = await cli.run(['container-registry', 'register', 'x', '--uri', 'localhost:5000']);
    expect(noFlavor.code).toBe(2);
    expect(noFlavor.stderr).toContain('--flavor is required');
    const option = await cli.run(['container-registry', 'list', '--jsn']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('Unknown option --jsn. Did you mean --json?');
    const group = await cli.run(['service-connector']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('Usage: registrykit service-connector <command>');
  });

  it('reports a failure with exit code 1 and one error line; the stack only with REGISTRYKIT_LOG_LEVEL=debug', async () => {
    const failed = await cli.run(['container-registry', 'describe', 'nothing-here']);
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect(failed.stderr).toBe('Error: No container registry "nothing-here". See `registrykit container-registry list`.\n');

    const debug = await cli.run(['container-registry', 'describe', 'nothing-here'], { env: { REGISTRYKIT_LOG_LEVEL: 'debug' } });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^Error: No container registry "nothing-here"/);
    expect(debug.stderr).toMatch(/\n\s+at .*records\.js/);
    expect(debug.stderr).toContain('code: NOT_FOUND');

    const invalid = await cli.run(['container-registry', 'register', 'x', '--flavor', 'default', '--uri', 'https://registry.example.com/', '--bogus', '1']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('Error: Invalid configuration for the "default" flavor:');
    expect(invalid.stderr).toContain('  - bogus: unknown key.');
    expect(invalid.stderr).toContain('  - uri: "https://registry.example.com" has a scheme');
    expect(invalid.stderr).not.toMatch(/\n\s+at /);
  });

  it("registers names that Object's prototype also has, such as constructor and toString", async () => {
    await cli.ok(['container-registry', 'register', 'constructor', '--flavor', 'default', '--uri', 'localhost:5000/team']);
    await cli.ok(['service-connector', 'register', 'toString', '--type', 'docker', '--username', 'u', '--password', 'env:HOME', '--registry', 'localhost:5000', '--no-verify']);
    expect(await cli.json(['container-registry', 'describe', 'constructor'])).toMatchObject({ name: 'constructor', flavor: 'default' });
    const missing = await cli.run(['container-registry', 'describe', 'hasOwnProperty']);
    expect(missing.stderr).toBe('Error: No container registry "hasOwnProperty". See `registrykit container-registry list`.\n');
  });

  it('prints --version', async () => {
    const manifest = JSON.parse(await readFile(join(CLI_BIN, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect((await cli.ok(['--version'])).stdout).toBe(`${manifest.version}\n`);
  });

  it('uses colors on a terminal only, and never with NO_COLOR', async () => {
    const piped = await cli.ok(['container-registry', 'flavor', 'list']);
    expect(piped.stdout).not.toContain('\u001b[');
    const terminal = await cli.inTerminal(['container-registry', 'flavor', 'list'], {});
    expect(terminal).toContain('\u001b[1mFLAVOR');
    const noColor = await cli.inTerminal(['container-registry', 'flavor', 'list'], { NO_COLOR: '1' });
    expect(noColor).toContain('FLAVOR');
    expect(noColor).not.toContain('\u001b[');
  });

  it('lists the built-in flavors without importing any flavor package, Docker or registry client', async () => {
    const trace = join(workDir, 'imports.txt');
    const hooks = join(workDir, 'trace-imports.mjs');
    await writeFile(
      hooks,
      `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(
        `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context);\n  appendFileSync(${JSON.stringify(trace)}, result.url + '\\n');\n  return result;\n}\n`,
      )}));\n`,
    );
    const { stdout } = await run(process.execPath, ['--import', hooks, CLI_BIN, 'container-registry', 'flavor', 'list', '--json'], { env: cli.env() });
    const flavors = JSON.parse(stdout) as { id: string; installed: boolean; installCommand?: string }[];
    expect(flavors.map((flavor) => flavor.id)).toEqual(['default', 'dockerhub', 'github', 'gcp', 'azure', 'aws']);
    expect(flavors[0]).toMatchObject({ id: 'default', installed: true });
    expect(flavors.find((flavor) => flavor.id === 'aws')).toMatchObject({ installed: false, installCommand: 'npm install @registrykit/aws' });

    const loaded = (await readFile(trace, 'utf8')).split('\n').filter(Boolean);
    expect(loaded.some((url) => url.endsWith('/commands/flavor-list.js'))).toBe(true);
    const heavy = loaded.filter((url) => /dockerode|\/packages\/(docker|oci)\/|@registrykit\/(docker|oci|dockerhub|github|gcp|azure|aws)\b|\/commands\/(?!flavor-list)/.test(url));
    expect(heavy).toEqual([]);
  });
});
