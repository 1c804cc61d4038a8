import type { CommandContext, CommandModule } from '../command.js';
import { listFlavors } from '../flavors/flavor-catalog.js';

export const spec: CommandModule['spec'] = {
  path: 'container-registry flavor list',
  description:
    'Lists the built-in flavors and the custom ones registered with `flavor register`, with whether each is installed ' +
    'and, for missing ones, the command that installs it. Nothing is imported: packages are only looked up on disk.',
  positionals: [],
  options: { json: { type: 'boolean', description: 'Print JSON.' } },
  examples: ['registrykit container-registry flavor list', 'registrykit container-registry flavor list --json'],
};

export async function run({ args, out, store, search }: CommandContext): Promise<void> {
  const flavors = listFlavors(await store.read(), search);
  if (args.options['json'] === true) return out.json(flavors);
  out.table(
    ['FLAVOR', 'KIND', 'PACKAGE / SOURCE', 'STATUS'],
    flavors.map((flavor) => [
      flavor.id,
      flavor.kind,
      flavor.package ?? flavor.source ?? '',
      flavor.installed
        ? out.style.green(flavor.version ? `installed (${flavor.version})` : 'installed')
        : out.style.yellow(flavor.installCommand ? `not installed: ${flavor.installCommand}` : 'missing: the module is gone'),
    ]),
  );
}
