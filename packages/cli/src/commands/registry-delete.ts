import type { CommandContext, CommandModule } from '../command.js';
import { requireRegistry } from '../store/records.js';

export const spec: CommandModule['spec'] = {
  path: 'container-registry delete',
  description: 'Deletes a container registry from the store. Nothing in the registry itself is touched.',
  positionals: [{ name: 'name', description: 'The container registry.' }],
  options: {},
  examples: ['registrykit container-registry delete local'],
};

export async function run({ args, out, store }: CommandContext): Promise<void> {
  const name = args.positionals[0]!;
  await store.update((document) => {
    requireRegistry(document, name);
    delete document.registries[name];
  });
  out.print(`Deleted container registry "${name}".`);
}
