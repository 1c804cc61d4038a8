import type { CommandContext, CommandModule } from '../command.js';
import { formatValue, redactedConfig, requireRegistry } from '../store/records.js';

export const spec: CommandModule['spec'] = {
  path: 'container-registry describe',
  description: 'Shows a container registry: its flavor, configuration and service connector. Secret values are never shown.',
  positionals: [{ name: 'name', description: 'The container registry.' }],
  options: { json: { type: 'boolean', description: 'Print JSON (secret values masked).' } },
  examples: ['registrykit container-registry describe local'],
};

export async function run({ args, out, store }: CommandContext): Promise<void> {
  const document = await store.read();
  const registry = requireRegistry(document, args.positionals[0]!);
  const config = redactedConfig(registry.config, registry.secretFields);
  const connector = registry.connector === undefined ? undefined : document.connectors[registry.connector];
  if (args.options['json'] === true) return out.json({ ...registry, config });
  out.print(`Container registry ${out.style.bold(registry.name)}`);
  out.fields([
    ['flavor', registry.flavor],
    ['connector', registry.connector === undefined ? '- (credentials from the flavor or the docker config)' : `${registry.connector}${connector ? ` (${connector.type}, ${connector.authMethod})` : ' (missing!)'}`],
    ['created', registry.createdAt],
    ['updated', registry.updatedAt],
  ]);
  out.print('  config');
  out.fields(Object.entries(config).map(([key, value]) => [key, formatValue(value)] as const), 4);
}
