import type { CommandContext, CommandModule } from '../command.js';
import { redactedConfig } from '../store/records.js';

export const spec: CommandModule['spec'] = {
  path: 'container-registry list',
  description: 'Lists the registered container registries with their flavor, uri and service connector. Secret values are never shown.',
  positionals: [],
  options: { json: { type: 'boolean', description: 'Print JSON (secret values masked).' } },
  examples: ['registrykit container-registry list', 'registrykit container-registry list --json'],
};

export async function run({ args, out, store }: CommandContext): Promise<void> {
  const registries = Object.values((await store.read()).registries).sort((a, b) => a.name.localeCompare(b.name));
  if (args.options['json'] === true) {
    return out.json(registries.map((registry) => ({ ...registry, config: redactedConfig(registry.config, registry.secretFields) })));
  }
  if (registries.length === 0) {
    out.print('No container registries yet. Register one: registrykit container-registry register <name> --flavor default --uri <host[:port][/namespace]>');
    return;
  }
  out.table(
    ['NAME', 'FLAVOR', 'URI', 'CONNECTOR'],
    registries.map((registry) => [registry.name, registry.flavor, String(registry.config['uri'] ?? ''), registry.connector ?? '-']),
  );
}
