import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const coreDirectory = dirname(createRequire(import.meta.url).resolve('@registrykit/core/package.json'));

/**
 * A folder laid out the way a third party's project is: its own package.json files, and
 * `@registrykit/core` in node_modules (linked to the workspace package, as `npm install` would
 * put it there).
 */
export async function createFlavorProject(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'rk-flavor-project-'));
  await mkdir(join(root, 'node_modules', '@registrykit'), { recursive: true });
  await symlink(coreDirectory, join(root, 'node_modules', '@registrykit', 'core'), 'dir');
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'my-platform', private: true, type: 'module' }));
  return root;
}

export interface FlavorPackageOptions {
  readonly name: string;
  readonly id: string;
  readonly version?: string | undefined;
  /** What the package's index.js says; default: a valid flavor with this id. */
  readonly source?: string | undefined;
}

/** Writes a flavor package (package.json + index.js) into `folder`. */
export async function writeFlavorPackage(folder: string, options: FlavorPackageOptions): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(
    join(folder, 'package.json'),
    JSON.stringify({ name: options.name, version: options.version ?? '1.0.0', type: 'module', exports: { '.': { import: './index.js' } }, peerDependencies: { '@registrykit/core': '*' } }, null, 2),
  );
  await writeFile(join(folder, 'index.js'), options.source ?? flavorSource(options.id, options.name));
}

/**
 * A valid flavor as a third party writes it: the base uri fields plus a required `project`, and an
 * `auditLog` file that `prepareImagePush` appends every pushed image to, so tests see it ran.
 */
export function flavorSource(id: string, packageName: string): string {
  return `import { appendFileSync } from 'node:fs';
import { baseRegistryConfigSchema, defineFlavor, field, registryUriProblem } from '@registrykit/core';

export const flavor = defineFlavor({
  specificationVersion: 'v1',
  id: ${JSON.stringify(id)},
  displayName: 'Harbor (${id})',
  description: 'A Harbor registry, written the way a third party writes a flavor.',
  packageName: ${JSON.stringify(packageName)},
  connectorTypes: ['docker'],
  configSchema: {
    ...baseRegistryConfigSchema({ uriDescription: 'The Harbor host and project.', uriExample: 'harbor.example.com/library', checkUri: registryUriProblem }),
    project: field.string({ description: 'The Harbor project images go to.', required: true }),
    auditLog: field.string({ description: 'A file each prepared push is appended to.' }),
  },
  create(config) {
    return {
      async prepareImagePush(image) {
        if (config.auditLog) appendFileSync(config.auditLog, image.registry + '/' + image.repository + ':' + image.tag + '\\n');
      },
    };
  },
});
`;
}
