import type { CommandContext, CommandModule } from '../command.js';
import { formatValue, redactedConfig, requireConnector, usersOf } from '../store/records.js';

export const spec: CommandModule['spec'] = {
  path: 'service-connector describe',
  description: 'Shows a service connector: its type, auth method, parameters (secret values masked) and the container registries that use it.',
  positionals: [{ name: 'name', description: 'The service connector.' }],
  options: { json: { type: 'boolean', description: 'Print JSON (secret values masked).' } },
  examples: ['registrykit service-connector describe hub'],
};

export async function run({ args, out, store }: CommandContext): Promise<void> {
  const document = await store.read();
  const connector = requireConnector(document, args.positionals[0]!);
  const config = redactedConfig(connector.config, connector.secretFields);
  const usedBy = usersOf(document, connector.name);
  if (args.options['json'] === true) return out.json({ ...connector, config, usedBy });
  out.print(`Service connector ${out.style.bold(connector.name)}`);
  out.fields([
    ['type', connector.type],
    ['auth method', connector.authMethod],
    ['registry', connector.registryHost ?? '-'],
    ['used by', usedBy.join(', ') || '-'],
    ['created', connector.createdAt],
    ['updated', connector.updatedAt],
  ]);
  out.print('  config');
  out.fields(Object.entries(config).map(([key, value]) => [key, formatValue(value)] as const), 4);
}
