import type { ConfigField } from '@registrykit/core';
import type { CommandContext, CommandModule } from '../command.js';
import { optionFlag } from '../config-options.js';
import { builtInFlavor } from '../flavors/flavor-catalog.js';
import { loadFlavor } from '../flavors/load-flavor.js';

export const spec: CommandModule['spec'] = {
  path: 'container-registry flavor describe',
  description: "Shows a flavor: what it is for, the connector types it accepts, and its configuration options with their command-line spelling. Imports the flavor's package.",
  positionals: [{ name: 'id', description: 'The flavor id, e.g. default or aws.' }],
  options: { json: { type: 'boolean', description: 'Print JSON, with the config as a JSON Schema.' } },
  examples: ['registrykit container-registry flavor describe default'],
};

export async function run({ args, out, store, search }: CommandContext): Promise<void> {
  const id = args.positionals[0]!;
  const document = await store.read();
  const flavor = await loadFlavor(id, document, search);
  const custom = document.flavors[id];
  const source = custom ? custom.source : (builtInFlavor(id)?.packageName ?? flavor.packageName);
  const connectorTypes = flavor.connectorTypes?.length ? flavor.connectorTypes : ['docker'];
  if (args.options['json'] === true) {
    const { configSchemaToJsonSchema } = await import('@registrykit/core');
    return out.json({
      id: flavor.id,
      displayName: flavor.displayName,
      description: flavor.description,
      kind: custom ? 'custom' : 'built-in',
      source,
      docsUrl: flavor.docsUrl,
      connectorTypes,
      configSchema: configSchemaToJsonSchema(flavor.configSchema),
    });
  }
  out.print(`${out.style.bold(flavor.displayName)} (${flavor.id})`);
  out.print(flavor.description);
  out.print();
  out.fields([
    ['kind', custom ? 'custom' : 'built-in'],
    [custom ? 'source' : 'package', source ?? ''],
    ...(flavor.docsUrl ? [['docs', flavor.docsUrl] as const] : []),
    ['connector types', connectorTypes.join(', ')],
  ]);
  out.print();
  out.print('Configuration options:');
  for (const [key, field] of Object.entries(flavor.configSchema)) {
    const flag = optionFlag(key);
    const traits = [field.type, field.required ? 'required' : 'optional', ...(field.secret ? ['secret'] : [])];
    out.print(`  ${out.style.bold(flag)} (${traits.join(', ')})`);
    out.print(`      ${field.description}${detailsOf(field)}`);
  }
  out.print();
  out.print(`Register one: registrykit container-registry register <name> --flavor ${flavor.id} --uri <uri>${connectorTypes.length ? ` [--connector <${connectorTypes.join('|')} connector>]` : ''}`);
}

function detailsOf(field: ConfigField): string {
  const parts: string[] = [];
  if (field.type === 'string' && field.example) parts.push(`example: ${field.example}`);
  if (field.type === 'enum') parts.push(`one of: ${field.values.join(', ')}`);
  if ('default' in field && field.default !== undefined) parts.push(`default: ${String(field.default)}`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}
