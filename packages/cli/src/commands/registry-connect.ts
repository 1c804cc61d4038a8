import { createContainerRegistry } from '@registrykit/core';
import { stringOption, UsageError } from '../args.js';
import type { CommandContext, CommandModule } from '../command.js';
import { openConnector } from '../connectors/connector-types.js';
import { loadFlavor } from '../flavors/load-flavor.js';
import { checkConnection } from '../registries/connect-registry.js';
import { now, requireConnector, requireRegistry } from '../store/records.js';

export const spec: CommandModule['spec'] = {
  path: 'container-registry connect',
  description:
    'Makes a container registry take its credentials from a service connector. The connector type must be one the flavor accepts, a ' +
    "connector limited to one registry must name this registry's host, and the registry must accept the credentials (unless --no-verify).",
  positionals: [{ name: 'name', description: 'The container registry.' }],
  options: {
    connector: { type: 'string', short: 'c', valueName: '<name>', description: 'The service connector (required).' },
    verify: { type: 'boolean', description: 'Check the credentials against the registry (default; --no-verify skips it).' },
  },
  examples: ['registrykit container-registry connect local --connector local-creds', 'registrykit container-registry connect hub --connector hub --no-verify'],
};

export async function run(context: CommandContext): Promise<void> {
  const { args, out, store, search, env } = context;
  const name = args.positionals[0]!;
  const connectorName = stringOption(args, 'connector');
  if (connectorName === undefined) throw new UsageError('--connector is required: the service connector to take the credentials from.', spec.path);
  const document = await store.read();
  const record = requireRegistry(document, name);
  const connector = await openConnector(requireConnector(document, connectorName), context);
  const flavor = await loadFlavor(record.flavor, document, search);
  const registry = createContainerRegistry({ flavor, name, config: record.config, connector, dockerCredentials: false, env });
  await checkConnection(registry, connectorName, connector, { verify: args.options['verify'] !== false, out, env });
  await store.update((current) => {
    const fresh = requireRegistry(current, name);
    requireConnector(current, connectorName);
    current.registries[name] = { ...fresh, connector: connectorName, updatedAt: now() };
  });
  out.print(`Connected "${name}" to the service connector "${connectorName}".`);
}
