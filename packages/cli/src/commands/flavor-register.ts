import { assertFlavor, RegistryKitError } from '@registrykit/core';
import type { CommandContext, CommandModule } from '../command.js';
import { builtInFlavor } from '../flavors/flavor-catalog.js';
import { importFlavorSource } from '../flavors/load-flavor.js';

export const spec: CommandModule['spec'] = {
  path: 'container-registry flavor register',
  description:
    'Registers a custom flavor. <source> is a path to a module file or package folder (starting with ./, ../ or /), ' +
    'or the name of an installed package. The module must export a flavor made with defineFlavor() from @registrykit/core ' +
    'as `flavor` (or as its default export). It is imported and checked against the flavor contract now, and imported again ' +
    'from the same place whenever a registry of this flavor is used.',
  positionals: [{ name: 'source', description: 'A module path (./harbor-flavor/index.js, ./harbor-flavor) or an installed package name (registrykit-harbor).' }],
  options: { json: { type: 'boolean', description: 'Print the registered flavor as JSON.' } },
  examples: ['registrykit container-registry flavor register ./harbor-flavor', 'registrykit container-registry flavor register registrykit-flavor-harbor'],
};

export async function run({ args, out, store, search }: CommandContext): Promise<void> {
  const source = args.positionals[0]!;
  const imported = await importFlavorSource(source, search);
  out.debug(`imported ${imported.file}`);
  const flavor = imported.value;
  assertFlavor(flavor, `The export of "${source}" (${imported.file})`);
  const builtIn = builtInFlavor(flavor.id);
  if (builtIn) {
    throw new RegistryKitError(
      'ALREADY_EXISTS',
      `"${flavor.id}" is a built-in flavor id (package ${builtIn.packageName}); give your flavor another id.`,
      { details: { flavor: flavor.id } },
    );
  }
  const record = await store.update((document) => {
    const existing = document.flavors[flavor.id];
    if (existing) {
      throw new RegistryKitError(
        'ALREADY_EXISTS',
        `A flavor with id "${flavor.id}" is already registered (from ${existing.source}). Delete it first with \`registrykit container-registry flavor delete ${flavor.id}\`, or give your flavor another id.`,
        { details: { flavor: flavor.id, source: existing.source } },
      );
    }
    const created = {
      id: flavor.id,
      source: imported.source,
      sourceKind: imported.sourceKind,
      displayName: flavor.displayName,
      description: flavor.description,
      registeredAt: new Date().toISOString(),
    };
    document.flavors[flavor.id] = created;
    return created;
  });
  if (args.options['json'] === true) return out.json(record);
  out.print(`Registered flavor "${record.id}" (${record.displayName}) from ${record.source}.`);
  out.print(`Use it: registrykit container-registry register <name> --flavor ${record.id} --uri <uri>`);
}
