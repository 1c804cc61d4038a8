import { RegistryKitError } from '@registrykit/core';
import type { CommandContext, CommandModule } from '../command.js';
import { builtInFlavor } from '../flavors/flavor-catalog.js';

export const spec: CommandModule['spec'] = {
  path: 'container-registry flavor delete',
  description: 'Deletes a custom flavor. Built-in flavors cannot be deleted, and a flavor that registered container registries use is kept until they are deleted.',
  positionals: [{ name: 'id', description: 'The id of a custom flavor.' }],
  options: {},
  examples: ['registrykit container-registry flavor delete harbor'],
};

export async function run({ args, out, store }: CommandContext): Promise<void> {
  const id = args.positionals[0]!;
  const builtIn = builtInFlavor(id);
  if (builtIn) {
    throw new RegistryKitError('INVALID_ARGUMENT', `"${id}" is a built-in flavor and cannot be deleted; to remove it, uninstall ${builtIn.packageName}.`, {
      details: { flavor: id },
    });
  }
  await store.update((document) => {
    if (!document.flavors[id]) {
      throw new RegistryKitError('NOT_FOUND', `No custom flavor "${id}" is registered. See \`registrykit container-registry flavor list\`.`, { details: { flavor: id } });
    }
    const users = Object.values(document.registries).filter((registry) => registry.flavor === id).map((registry) => registry.name);
    if (users.length > 0) {
      throw new RegistryKitError('INVALID_ARGUMENT', `The flavor "${id}" is used by the container registries ${users.join(', ')}; delete them first.`, {
        details: { flavor: id, registries: users },
      });
    }
    delete document.flavors[id];
  });
  out.print(`Deleted flavor "${id}".`);
}
