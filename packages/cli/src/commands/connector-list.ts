import type { CommandContext, CommandModule } from '../command.js';
import { redactedConfig, usersOf } from '../store/records.js';

export const spec: CommandModule['spec'] = {
  path: 'service-connector list',
  description: 'Lists the registered service connectors with their type, auth method, registry and the container registries that use them. Secret values are never shown.',
  positionals: [],
  options: { json: { type: 'boolean', description: 'Print JSON (secret values masked).' } },
  examples: ['registrykit service-connector list'],
};

export async function run({ args, out, store }: CommandContext): Promise<void> {
  const document = await store.read();
  const connectors = Object.values(document.connectors).sort((a, b) => a.name.localeCompare(b.name));
  if (args.options['json'] === true) {
    return out.json(connectors.map((connector) => ({ ...connector, config: redactedConfig(connector.config, connector.secretFields), usedBy: usersOf(document, connector.name) })));
  }
  if (connectors.length === 0) {
    out.print('No service connectors yet. Register one: registrykit service-connector register <name> --type docker --username <user> --password @<file> --registry <host>');
    return;
  }
  out.table(
    ['NAME', 'TYPE', 'AUTH METHOD', 'REGISTRY', 'USED BY'],
    connectors.map((connector) => [connector.name, connector.type, connector.authMethod, connector.registryHost ?? '-', usersOf(document, connector.name).join(', ') || '-']),
  );
}
