import { createServiceConnector, RegistryKitError, validateConfig } from '@registrykit/core';
import { stringOption, UsageError } from '../args.js';
import type { CommandContext, CommandModule } from '../command.js';
import { configFromOptions, optionFlag, schemaSecretFields } from '../config-options.js';
import { BUILT_IN_CONNECTOR_TYPES, hideSecrets, loadConnectorType } from '../connectors/connector-types.js';
import { checkName, now, redactedConfig } from '../store/records.js';
import type { ConnectorRecord } from '../store/store-document.js';

export const spec: CommandModule['spec'] = {
  path: 'service-connector register',
  description:
    'Registers a service connector: where registry credentials come from. The docker type takes a username and a password or token ' +
    '(--username, --password, and --registry for any registry but Docker Hub); the aws, gcp and azure types come with their flavor packages. ' +
    'The credentials are checked against the registry unless --no-verify is given. Secret parameters are stored in the config directory ' +
    '(file mode 0600) and never printed.',
  positionals: [{ name: 'name', description: 'A name for the connector, e.g. hub or prod-ecr.' }],
  options: {
    type: { type: 'string', valueName: `<${BUILT_IN_CONNECTOR_TYPES.map((item) => item.type).join('|')}>`, description: 'The connector type.' },
    'auth-method': { type: 'string', valueName: '<method>', description: 'How it authenticates, e.g. password (docker). Optional when the type has one method.' },
    verify: { type: 'boolean', description: 'Check the credentials against the registry before saving (default; --no-verify skips it).' },
    json: { type: 'boolean', description: 'Print the registered connector as JSON (secret values masked).' },
  },
  extraOptions: {
    synopsis: '[--<param> <value>|@<file>|@-|env:<NAME> …]',
    description:
      'The auth method\'s parameters, e.g. --username ci --password @./token.txt --registry registry.example.com.\n' +
      'A value is taken literally, except:\n' +
      '  @<file>     the contents of the file (one final newline removed), e.g. --password @./token.txt\n' +
      '  @-          the contents of stdin, e.g. echo "$TOKEN" | registrykit … --password @-\n' +
      '  env:<NAME>  the value of the environment variable NAME, e.g. --password env:REGISTRY_TOKEN\n' +
      'A literal value cannot start with @ or env:; put such a value in a file. Prefer @file or env: for secrets:\n' +
      'literal values end up in your shell history and the process list.',
  },
  examples: [
    'registrykit service-connector register hub --type docker --username alice --password env:HUB_TOKEN',
    'registrykit service-connector register local --type docker --auth-method password --username ci --password @./pw.txt --registry localhost:5000',
  ],
};

export async function run({ args, out, store, search, env, cwd, readStdin }: CommandContext): Promise<void> {
  const name = args.positionals[0]!;
  checkName(name, 'service connector');
  const typeName = stringOption(args, 'type');
  if (typeName === undefined) throw new UsageError(`--type is required: one of ${BUILT_IN_CONNECTOR_TYPES.map((item) => item.type).join(', ')}.`, spec.path);
  if ((await store.read()).connectors[name]) throw alreadyExists(name);
  const type = await loadConnectorType(typeName, search);
  const methods = Object.keys(type.authMethods);
  const authMethod = stringOption(args, 'auth-method') ?? (methods.length === 1 ? methods[0] : undefined);
  if (authMethod === undefined) throw new UsageError(`--auth-method is required for the ${type.type} type: one of ${methods.join(', ')}.`, spec.path);
  const schema = type.authMethods[authMethod]?.configSchema ?? {};
  const secretFields = schemaSecretFields(schema);
  const { config, literalKeys } = await configFromOptions(args.extra, schema, { command: spec.path, cwd, env, readStdin });
  hideSecrets(out, config, secretFields);
  for (const key of literalKeys.filter((key) => secretFields.includes(key))) {
    out.warn(`${optionFlag(key)} was given on the command line, where shell history and the process list can see it; next time use ${optionFlag(key)} @<file> or env:<NAME>.`);
  }

  const connector = createServiceConnector({ type, authMethod, config, env });
  const validated = validateConfig(schema, config, `the ${type.type} connector (auth method "${authMethod}")`);
  if (args.options['verify'] !== false) {
    const { verifyConnector } = await import('../connectors/verify-connector.js');
    const result = await verifyConnector(connector, name, env);
    out.note(`Verified: the credentials are accepted by ${result.resources.join(', ')}.`);
  }
  const timestamp = now();
  const record: ConnectorRecord = {
    name,
    type: type.type,
    authMethod,
    config: Object.fromEntries(Object.keys(config).map((key) => [key, validated[key]])),
    secretFields,
    registryHost: connector.registryHost,
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  await store.update((document) => {
    if (document.connectors[name]) throw alreadyExists(name);
    document.connectors[name] = record;
  });
  if (args.options['json'] === true) {
    return out.json({ ...record, config: redactedConfig(record.config, secretFields) });
  }
  out.print(`Registered service connector "${name}" (${type.type}, ${authMethod}${record.registryHost ? `, for ${record.registryHost}` : ''}).`);
}

function alreadyExists(name: string): RegistryKitError {
  return new RegistryKitError('ALREADY_EXISTS', `A service connector "${name}" already exists: pick another name, or delete it first.`, { details: { connector: name } });
}
