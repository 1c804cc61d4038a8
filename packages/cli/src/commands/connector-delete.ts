import { RegistryKitError } from '@registrykit/core';
import type { CommandContext, CommandModule } from '../command.js';
import { requireConnector, usersOf } from '../store/records.js';

export const spec: CommandModule['spec'] = {
  path: 'service-connector delete',
  description: 'Deletes a service connector. A connector that container registries use is kept until they are disconnected or deleted.',
  positionals: [{ name: 'name', description: 'The service connector.' }],
  options: {},
  examples: ['registrykit service-connector delete hub'],
};

export async function run({ args, out, store }: CommandContext): Promise<void> {
  const name = args.positionals[0]!;
  await store.update((document) => {
    requireConnector(document, name);
    const users = usersOf(document, name);
    if (users.length > 0) {
      throw new RegistryKitError(
        'INVALID_ARGUMENT',
        `The service connector "${name}" is used by the container registries ${users.join(', ')}: disconnect them first (\`registrykit container-registry disconnect <name>\`).`,
        { details: { connector: name, registries: users } },
      );
    }
    delete document.connectors[name];
  });
  out.print(`Deleted service connector "${name}".`);
}
