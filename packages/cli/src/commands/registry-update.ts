import { createContainerRegistry, validateConfig } from '@registrykit/core';
import { UsageError } from '../args.js';
import type { CommandContext, CommandModule } from '../command.js';
import { CONFIG_VALUE_SOURCES, configFromOptions, schemaSecretFields } from '../config-options.js';
import { hideSecrets, openConnector } from '../connectors/connector-types.js';
import { loadFlavor } from '../flavors/load-flavor.js';
import { checkConnection } from '../registries/connect-registry.js';
import { now, requireConnector, requireRegistry } from '../store/records.js';

export const spec: CommandModule['spec'] = {
  path: 'container-registry update',
  description:
    "Changes options of a container registry's configuration; the others keep their values. The whole configuration is validated again " +
    "against the flavor. To change the flavor, delete the registry and register it again; to change the connector, use connect.",
  positionals: [{ name: 'name', description: 'The container registry.' }],
  options: {},
  extraOptions: { synopsis: '--<option> <value> …', description: `The options to change, e.g. --default-repository pipelines.\n${CONFIG_VALUE_SOURCES}` },
  examples: ['registrykit container-registry update local --default-repository pipelines'],
};

export async function run(context: CommandContext): Promise<void> {
  const { args, out, store, search, env } = context;
  const name = args.positionals[0]!;
  if (args.extra.length === 0) throw new UsageError('Nothing to update: give the options to change, e.g. --default-repository pipelines.', spec.path);
  const document = await store.read();
  const record = requireRegistry(document, name);
  const flavor = await loadFlavor(record.flavor, document, search);
  const { config } = await configFromOptions(args.extra, flavor.configSchema, { command: spec.path, cwd: context.cwd, env, readStdin: context.readStdin });
  hideSecrets(out, config, schemaSecretFields(flavor.configSchema));
  const connector = record.connector === undefined ? undefined : await openConnector(requireConnector(document, record.connector), context);
  const registry = createContainerRegistry({ flavor, name, config: { ...record.config, ...config }, connector, dockerCredentials: false, env });
  if (connector) await checkConnection(registry, record.connector!, connector, { verify: false, out, env });

  await store.update((current) => {
    // Merged into the registry as it is now, so a concurrent update of other options is kept.
    const fresh = requireRegistry(current, name);
    const merged = { ...fresh.config, ...Object.fromEntries(Object.keys(config).map((key) => [key, registry.config[key]])) };
    validateConfig(flavor.configSchema, merged, `the "${flavor.id}" flavor`);
    current.registries[name] = { ...fresh, config: merged, updatedAt: now() };
  });
  out.print(`Updated container registry "${name}": ${Object.keys(config).join(', ')}.`);
}
