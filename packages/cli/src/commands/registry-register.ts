import { createContainerRegistry, RegistryKitError, type ServiceConnector } from '@registrykit/core';
import { stringOption, UsageError } from '../args.js';
import type { CommandContext, CommandModule } from '../command.js';
import { CONFIG_VALUE_SOURCES, configFromOptions, schemaSecretFields } from '../config-options.js';
import { hideSecrets, openConnector } from '../connectors/connector-types.js';
import { loadFlavor } from '../flavors/load-flavor.js';
import { checkConnection } from '../registries/connect-registry.js';
import { checkName, now, redactedConfig, requireConnector } from '../store/records.js';
import type { RegistryRecord } from '../store/store-document.js';

export const spec: CommandModule['spec'] = {
  path: 'container-registry register',
  description:
    "Registers a container registry: a named, configured instance of a flavor. The flavor's options are given as --<option> <value> " +
    '(see `registrykit container-registry flavor describe <id>`); --uri is always required. With --connector the credentials come ' +
    'from that service connector, checked against the registry unless --no-verify is given.',
  positionals: [{ name: 'name', description: 'A name for the registry, e.g. local or prod-ecr.' }],
  options: {
    flavor: { type: 'string', short: 'f', valueName: '<id>', description: 'The flavor (required): default, dockerhub, github, gcp, azure, aws or a custom one.' },
    connector: { type: 'string', short: 'c', valueName: '<name>', description: 'The service connector the credentials come from.' },
    verify: { type: 'boolean', description: "Check the connector's credentials against the registry (default; --no-verify skips it)." },
    json: { type: 'boolean', description: 'Print the registered registry as JSON (secret values masked).' },
  },
  extraOptions: {
    synopsis: '--uri <uri> [--<option> <value> …]',
    description: `The flavor's configuration, e.g. --uri localhost:5000/team --default-repository pipelines.\n${CONFIG_VALUE_SOURCES}`,
  },
  examples: [
    'registrykit container-registry register local --flavor default --uri localhost:5000/team',
    'registrykit container-registry register hub --flavor dockerhub --uri docker.io/alice --connector hub',
  ],
};

export async function run(context: CommandContext): Promise<void> {
  const { args, out, store, search, env } = context;
  const name = args.positionals[0]!;
  checkName(name, 'container registry');
  const flavorId = stringOption(args, 'flavor');
  if (flavorId === undefined) throw new UsageError('--flavor is required, e.g. --flavor default. See `registrykit container-registry flavor list`.', spec.path);
  const document = await store.read();
  if (document.registries[name]) throw alreadyExists(name);
  const flavor = await loadFlavor(flavorId, document, search);
  const { config } = await configFromOptions(args.extra, flavor.configSchema, { command: spec.path, cwd: context.cwd, env, readStdin: context.readStdin });
  const secretFields = schemaSecretFields(flavor.configSchema);
  hideSecrets(out, config, secretFields);
  const connectorName = stringOption(args, 'connector');
  let connector: ServiceConnector | undefined;
  if (connectorName !== undefined) connector = await openConnector(requireConnector(document, connectorName), context);
  const registry = createContainerRegistry({ flavor, name, config, connector, dockerCredentials: false, env });
  if (connector) await checkConnection(registry, connectorName!, connector, { verify: args.options['verify'] !== false, out, env });

  const timestamp = now();
  const record: RegistryRecord = {
    name,
    flavor: flavor.id,
    config: Object.fromEntries(Object.keys(config).map((key) => [key, registry.config[key]])),
    secretFields,
    ...(connectorName === undefined ? {} : { connector: connectorName }),
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  await store.update((current) => {
    if (current.registries[name]) throw alreadyExists(name);
    if (connectorName !== undefined) requireConnector(current, connectorName);
    current.registries[name] = record;
  });
  if (args.options['json'] === true) return out.json({ ...record, config: redactedConfig(record.config, secretFields) });
  out.print(`Registered container registry "${name}" (${flavor.id}, ${registry.uri})${connectorName ? ` with credentials from "${connectorName}"` : ''}.`);
}

function alreadyExists(name: string): RegistryKitError {
  return new RegistryKitError('ALREADY_EXISTS', `A container registry "${name}" already exists: pick another name, or change it with \`registrykit container-registry update ${name}\`.`, {
    details: { registry: name },
  });
}
