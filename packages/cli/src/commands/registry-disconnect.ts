import type { CommandContext, CommandModule } from '../command.js';
import { now, requireRegistry } from '../store/records.js';

export const spec: CommandModule['spec'] = {
  path: 'container-registry disconnect',
  description: 'Stops taking the credentials of a container registry from its service connector; they then come from the flavor or the docker config.',
  positionals: [{ name: 'name', description: 'The container registry.' }],
  options: {},
  examples: ['registrykit container-registry disconnect local'],
};

export async function run({ args, out, store }: CommandContext): Promise<void> {
  const name = args.positionals[0]!;
  const previous = await store.update((document) => {
    const registry = requireRegistry(document, name);
    if (registry.connector === undefined) return undefined;
    const { connector, ...rest } = registry;
    document.registries[name] = { ...rest, updatedAt: now() };
    return connector;
  });
  out.print(previous === undefined ? `The container registry "${name}" was not connected to a service connector.` : `Disconnected "${name}" from the service connector "${previous}".`);
}
