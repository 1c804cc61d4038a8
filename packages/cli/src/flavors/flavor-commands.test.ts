import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli } from '../test-support/cli-runner.js';
import { createFlavorProject, flavorSource, writeFlavorPackage } from '../test-support/flavor-project.js';

let cli: Cli;
let project: string;
const inProject = () => ({ cwd: project });

beforeAll(async () => {
  [cli, project] = await Promise.all([Cli.create(), createFlavorProject()]);
  await writeFlavorPackage(join(project, 'harbor-flavor'), { name: 'registrykit-flavor-harbor', id: 'harbor' });
});
afterAll(() => Promise.all([rm(cli.configDir, { recursive: true, force: true }), rm(project, { recursive: true, force: true })]));

interface FlavorRow {
  id: string;
  kind: string;
  installed: boolean;
  source?: string;
  package?: string;
  version?: string;
  installCommand?: string;
}

async function failure(args: string[], cwd = project): Promise<string> {
  const result = await cli.run(args, { cwd });
  expect(result.code).toBe(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return result.stderr;
}

describe('custom flavors', () => {
  it('registers a flavor from a folder written the way a third party writes one, and uses it', async () => {
    const registered = await cli.ok(['container-registry', 'flavor', 'register', './harbor-flavor'], inProject());
    expect(registered.stdout).toContain(`Registered flavor "harbor" (Harbor (harbor)) from ${join(project, 'harbor-flavor', 'index.js')}.`);

    const flavors = await cli.json<FlavorRow[]>(['container-registry', 'flavor', 'list']);
    expect(flavors.find((flavor) => flavor.id === 'harbor')).toEqual({
      id: 'harbor',
      kind: 'custom',
      source: join(project, 'harbor-flavor', 'index.js'),
      installed: true,
      displayName: 'Harbor (harbor)',
    });

    // Imported again from where it was registered, whatever the current directory.
    const described = await cli.ok(['container-registry', 'flavor', 'describe', 'harbor']);
    expect(described.stdout).toContain('Harbor (harbor) (harbor)');
    expect(described.stdout).toContain('--project (string, required)');
    expect(described.stdout).toContain('--audit-log (string, optional)');
    const schema = await cli.json<{ configSchema: { required: string[] } }>(['container-registry', 'flavor', 'describe', 'harbor']);
    expect(schema.configSchema.required).toEqual(['uri', 'project']);

    const missing = await failure(['container-registry', 'register', 'h0', '--flavor', 'harbor', '--uri', 'harbor.example.com/library']);
    expect(missing).toContain('project: is required: The Harbor project images go to.');
    await cli.ok(['container-registry', 'register', 'h1', '--flavor', 'harbor', '--uri', 'harbor.example.com/library', '--project', 'library']);
    expect(await cli.json(['container-registry', 'describe', 'h1'])).toMatchObject({ flavor: 'harbor', config: { uri: 'harbor.example.com/library', project: 'library' } });
  });

  it('registers a flavor by the name of an installed package, and shows whether it is installed where the command runs', async () => {
    await writeFlavorPackage(join(project, 'node_modules', 'registrykit-flavor-quay'), { name: 'registrykit-flavor-quay', id: 'quay', version: '2.3.4' });
    await cli.ok(['container-registry', 'flavor', 'register', 'registrykit-flavor-quay'], inProject());
    const here = await cli.json<FlavorRow[]>(['container-registry', 'flavor', 'list'], inProject());
    expect(here.find((flavor) => flavor.id === 'quay')).toMatchObject({ kind: 'custom', package: 'registrykit-flavor-quay', installed: true, version: '2.3.4' });
    const elsewhere = await cli.json<FlavorRow[]>(['container-registry', 'flavor', 'list'], { cwd: cli.configDir });
    expect(elsewhere.find((flavor) => flavor.id === 'quay')).toMatchObject({ installed: false, installCommand: 'npm install registrykit-flavor-quay' });
    const notHere = await failure(['container-registry', 'register', 'q1', '--flavor', 'quay', '--uri', 'quay.example.com/team', '--project', 'p'], cli.configDir);
    expect(notHere).toContain('Cannot load the custom flavor "quay" from registrykit-flavor-quay: No installed package "registrykit-flavor-quay"');
    await cli.ok(['container-registry', 'register', 'q1', '--flavor', 'quay', '--uri', 'quay.example.com/team', '--project', 'p'], inProject());
  });

  it('finds a built-in flavor package installed in the project, and checks it provides that flavor', async () => {
    await writeFlavorPackage(join(project, 'node_modules', '@registrykit', 'dockerhub'), { name: '@registrykit/dockerhub', id: 'dockerhub', version: '0.9.0' });
    const flavors = await cli.json<FlavorRow[]>(['container-registry', 'flavor', 'list'], inProject());
    expect(flavors.find((flavor) => flavor.id === 'dockerhub')).toEqual({ id: 'dockerhub', kind: 'built-in', package: '@registrykit/dockerhub', installed: true, version: '0.9.0' });
    expect((await cli.ok(['container-registry', 'flavor', 'describe', 'dockerhub'], inProject())).stdout).toContain('Harbor (dockerhub) (dockerhub)');

    const notInstalled = await failure(['container-registry', 'flavor', 'describe', 'gcp']);
    expect(notInstalled).toBe(
      'Error: The "gcp" flavor needs the package @registrykit/gcp, which is not installed: run `npm install @registrykit/gcp` in your project (or with -g next to a global registrykit).\n',
    );

    await writeFlavorPackage(join(project, 'node_modules', '@registrykit', 'github'), { name: '@registrykit/github', id: 'not-github' });
    expect(await failure(['container-registry', 'flavor', 'describe', 'github'])).toContain('@registrykit/github provides a flavor with id "not-github", not "github".');
  });

  it("masks a custom flavor's secret config values in what image push prints", async () => {
    const token = 'robot-token-that-must-stay-hidden';
    await writeFlavorPackage(join(project, 'robot-flavor'), {
      name: 'robot',
      id: 'robot',
      source: `import { baseRegistryConfigSchema, defineFlavor, field, registryUriProblem } from '@registrykit/core';
export const flavor = defineFlavor({
  specificationVersion: 'v1',
  id: 'robot',
  displayName: 'Robot',
  description: 'A flavor with a secret in its config, whose error quotes it by mistake.',
  configSchema: {
    ...baseRegistryConfigSchema({ uriDescription: 'The host.', uriExample: 'robot.example.com/team', checkUri: registryUriProblem }),
    robotToken: field.string({ description: 'A robot account token.', secret: true }),
  },
  create(config) {
    return { async prepareImagePush() { throw new Error('the registry refused the robot token ' + config.robotToken); } };
  },
});
`,
    });
    await cli.ok(['container-registry', 'flavor', 'register', './robot-flavor'], inProject());
    await cli.ok(['container-registry', 'register', 'robot1', '--flavor', 'robot', '--uri', 'robot.example.com/team', '--robot-token', 'env:RK_ROBOT_TOKEN'], {
      env: { RK_ROBOT_TOKEN: token },
    });
    const pushed = await cli.run(['image', 'push', 'robot.example.com/team/app:1', '--registry', 'robot1']);
    expect(pushed.code).toBe(1);
    expect(pushed.stderr).toContain('the registry refused the robot token [hidden]');
    expect(pushed.stderr).not.toContain(token);
  });

  it('rejects broken flavors, each with the reason', async () => {
    const write = (name: string, text: string) => writeFile(join(project, name), text);
    await write('syntax-error.js', 'export const flavor = {;\n');
    await write('throws.js', "throw new Error('the SDK is missing');\n");
    await write('no-export.js', 'export const somethingElse = 1;\n');
    await write('not-a-flavor.js', "export default { id: 'Not Kebab', create: 'no' };\n");
    await write('builtin-id.js', flavorSource('aws', 'fake-aws'));
    await mkdir(join(project, 'harbor-copy'), { recursive: true });
    await cp(join(project, 'harbor-flavor'), join(project, 'harbor-copy'), { recursive: true });
    const register = (source: string) => failure(['container-registry', 'flavor', 'register', source]);

    expect(await register('./nowhere.js')).toBe(`Error: No module at ${join(project, 'nowhere.js')}: check the path (it is relative to the current directory).\n`);
    expect(await register('no-such-flavor-package')).toContain('No installed package "no-such-flavor-package"');
    expect(await register('harbor-flavor')).toContain('There is a file or folder "harbor-flavor" here: to use it, write ./harbor-flavor.');
    expect(await register('./syntax-error.js')).toMatch(/Cannot import the flavor module "\.\/syntax-error\.js" \(.*syntax-error\.js\): SyntaxError: /);
    expect(await register('./throws.js')).toContain('Cannot import the flavor module "./throws.js"');
    expect(await register('./throws.js')).toContain('Error: the SDK is missing');
    expect(await register('./no-export.js')).toContain('exports no flavor: export the result of defineFlavor() as `flavor` (or as the default export).');
    const problems = await register('./not-a-flavor.js');
    expect(problems).toContain('is not a valid container registry flavor:');
    for (const problem of ['"specificationVersion" must be "v1"', '"id" must be a kebab-case string', '"displayName" must be a non-empty string', '"description" must be a non-empty string', '"create" must be a function', '"configSchema" must be an object']) {
      expect(problems).toContain(problem);
    }
    expect(await register('./builtin-id.js')).toContain('"aws" is a built-in flavor id (package @registrykit/aws); give your flavor another id.');
    expect(await register('./harbor-copy')).toContain(`A flavor with id "harbor" is already registered (from ${join(project, 'harbor-flavor', 'index.js')}).`);

    const ids = (await cli.json<FlavorRow[]>(['container-registry', 'flavor', 'list'])).map((flavor) => flavor.id);
    expect(ids).not.toContain('not-kebab');
  });

  it('deletes a custom flavor once no registry uses it, never a built-in one, and says when a registered module is gone', async () => {
    await writeFlavorPackage(join(project, 'gone-flavor'), { name: 'gone', id: 'gone' });
    await cli.ok(['container-registry', 'flavor', 'register', './gone-flavor'], inProject());
    await cli.ok(['container-registry', 'register', 'g1', '--flavor', 'gone', '--uri', 'gone.example.com/x', '--project', 'x']);
    expect(await failure(['container-registry', 'flavor', 'delete', 'gone'])).toContain('The flavor "gone" is used by the container registries g1; delete them first.');
    await rm(join(project, 'gone-flavor'), { recursive: true });
    const listed = await cli.json<FlavorRow[]>(['container-registry', 'flavor', 'list']);
    expect(listed.find((flavor) => flavor.id === 'gone')).toMatchObject({ installed: false });
    expect(await failure(['container-registry', 'flavor', 'describe', 'gone'])).toMatch(/Cannot load the custom flavor "gone" from .*No module at .* Put it back, or remove the flavor/);
    await cli.ok(['container-registry', 'delete', 'g1']);
    expect((await cli.ok(['container-registry', 'flavor', 'delete', 'gone'])).stdout).toBe('Deleted flavor "gone".\n');
    expect(await failure(['container-registry', 'flavor', 'delete', 'default'])).toContain('"default" is a built-in flavor and cannot be deleted');
    expect(await failure(['container-registry', 'flavor', 'delete', 'gone'])).toContain('No custom flavor "gone" is registered.');
    expect(JSON.parse(await readFile(join(cli.configDir, 'store.json'), 'utf8')).flavors).not.toHaveProperty('gone');
  });
});
