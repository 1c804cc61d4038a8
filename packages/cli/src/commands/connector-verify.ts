import { stringOption } from '../args.js';
import type { CommandContext, CommandModule } from '../command.js';
import { openConnector } from '../connectors/connector-types.js';
import { verifyConnector } from '../connectors/verify-connector.js';
import { requireConnector } from '../store/records.js';

export const spec: CommandModule['spec'] = {
  path: 'service-connector verify',
  description:
    "Proves a service connector's credentials work: the registry is asked to accept them through its API (a ping and, where the registry " +
    'uses tokens, a token). Fails with the reason when they are refused.',
  positionals: [{ name: 'name', description: 'The service connector.' }],
  options: {
    registry: { type: 'string', valueName: '<host[:port]>', description: "The registry to verify against; default: the connector's own registry." },
    json: { type: 'boolean', description: 'Print the result as JSON.' },
  },
  examples: ['registrykit service-connector verify hub', 'registrykit service-connector verify prod-ecr --registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com'],
};

export async function run(context: CommandContext): Promise<void> {
  const { args, out, store } = context;
  const name = args.positionals[0]!;
  const connector = await openConnector(requireConnector(await store.read(), name), context);
  const result = await verifyConnector(connector, name, context.env, stringOption(args, 'registry'));
  if (args.options['json'] === true) return out.json({ connector: name, verified: true, resources: result.resources });
  out.print(`${out.style.green('Verified')}: ${result.resources.join(', ')} accepts the credentials of "${name}".`);
}
