import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { type ConfigProblem, RegistryKitError, validateConfig } from '@registrykit/core';
import { type AnyFlavor, isolatedComponent } from './components.js';
import type { InvalidConfigExample } from './conformance-options.js';
import { describeConfig, describeError, errorCodeProblems, outcome, secretLeaks } from './error-reports.js';
import { withNetworkCut } from './side-effects.js';

type Config = Readonly<Record<string, unknown>>;

// Configs are checked through createContainerRegistry, as users meet them; the network is cut
// because a component's setup runs the flavor's create().
function tryComponent(flavor: AnyFlavor, config: unknown) {
  return withNetworkCut([], () => outcome(() => isolatedComponent(flavor, config)));
}

/** The valid config plus one config per example its schema shows (`field.string({ example })`). */
export function configsWithExamples(flavor: AnyFlavor, config: Config): { readonly config: Config; readonly label: string }[] {
  const configs = [{ config, label: `the valid config ${describeConfig(flavor.configSchema, config)}` }];
  for (const [key, spec] of Object.entries(flavor.configSchema)) {
    if (spec.type !== 'string' || spec.example === undefined || spec.secret) continue;
    configs.push({ config: { ...config, [key]: spec.example }, label: `the example its schema shows for "${key}" ("${spec.example}")` });
  }
  return configs;
}

/** Problems accepting `config`, normalizing it stably, and normalizing a trailing slash on its uri away. */
export async function validConfigProblems(flavor: AnyFlavor, config: Config, label: string): Promise<string[]> {
  const schema = flavor.configSchema;
  const accepted = await tryComponent(flavor, config);
  if (accepted.threw) return [`refused ${label}: ${describeError(accepted.error)}`];
  const registry = accepted.value;
  const problems: string[] = [];
  const again = await outcome(() => validateConfig(schema, { ...registry.config }, `the "${flavor.id}" flavor`));
  if (again.threw) {
    problems.push(`refused its own normalized form of ${label} (${describeConfig(schema, registry.config)}): ${describeError(again.error)}; a normalized value must pass its own check.`);
  } else if (!isDeepStrictEqual({ ...again.value }, { ...registry.config })) {
    problems.push(`normalizing ${label} twice gives ${describeConfig(schema, registry.config)}, then ${describeConfig(schema, again.value)}: normalization must be stable.`);
  }
  const uri = config['uri'];
  if (typeof uri === 'string') {
    const slashed = await tryComponent(flavor, { ...config, uri: `${uri}/` });
    if (slashed.threw) {
      problems.push(`refused the uri "${uri}/" of ${label} with a trailing slash: ${describeError(slashed.error)}; strip trailing slashes in the uri field's normalize (baseRegistryConfigSchema() does).`);
    } else if (slashed.value.config['uri'] !== registry.config['uri']) {
      problems.push(
        `the uri "${uri}/" is normalized to "${String(slashed.value.config['uri'])}", not "${String(registry.config['uri'])}": ` +
          'strip trailing slashes in the uri field\'s normalize, so that "host/team/" and "host/team" are one registry.',
      );
    }
  }
  return problems;
}

/** The problems an INVALID_CONFIG refusal lists, or the problems with the refusal itself. */
async function refusal(flavor: AnyFlavor, config: unknown, shown: string): Promise<{ readonly listed: readonly ConfigProblem[]; readonly error: unknown } | string[]> {
  const result = await tryComponent(flavor, config);
  if (!result.threw) return [`accepted ${shown}; it must be refused with INVALID_CONFIG.`];
  const wrong = errorCodeProblems(result.error, `refusing ${shown}`, ['INVALID_CONFIG']);
  if (wrong.length > 0) return wrong;
  const listed = (result.error as RegistryKitError).details['problems'];
  if (!Array.isArray(listed)) {
    return [
      `refusing ${shown}: ${describeError(result.error)} has no details.problems, so it came from past the schema (the component or create()); ` +
        "refuse the value in the field's check, where every problem is listed with its field.",
    ];
  }
  return { listed: listed as ConfigProblem[], error: result.error };
}

/** Problems refusing `example`: INVALID_CONFIG, its field named in details.problems, the expected message, no secret echoed. */
export async function invalidConfigProblems(flavor: AnyFlavor, example: InvalidConfigExample): Promise<string[]> {
  const shown = `the invalid config ${describeConfig(flavor.configSchema, example.config)}`;
  const refused = await refusal(flavor, example.config, shown);
  if (Array.isArray(refused)) return refused;
  const named = refused.listed.filter((problem) => problem.field === example.field);
  if (named.length === 0) {
    const fields = refused.listed.map((problem) => `"${problem.field}"`).join(', ');
    return [`refusing ${shown} names ${fields}, not "${example.field}".`];
  }
  const problems: string[] = [];
  const wanted = example.message;
  if (wanted !== undefined && !named.some((problem) => (typeof wanted === 'string' ? problem.message.includes(wanted) : wanted.test(problem.message)))) {
    problems.push(`refusing ${shown} says "${named.map((problem) => problem.message).join(' / ')}", which does not contain ${String(wanted)}.`);
  }
  const secrets = Object.entries(example.config)
    .filter(([key, value]) => flavor.configSchema[key]?.secret && typeof value === 'string' && value.length > 0)
    .map(([, value]) => value as string);
  problems.push(...secretLeaks(refused.error, secrets, `refusing ${shown}`));
  return problems;
}

const UNKNOWN_KEY = 'conformanceUnknownKey';

/** Problems refusing an unknown key, a missing uri and a config that is no object. */
export async function strictnessProblems(flavor: AnyFlavor, base: Config): Promise<string[]> {
  const { uri: _uri, ...withoutUri } = base;
  const cases: [unknown, string, string][] = [
    [{ ...base, [UNKNOWN_KEY]: true }, UNKNOWN_KEY, `the valid config with an unknown key "${UNKNOWN_KEY}"`],
    [withoutUri, 'uri', 'the valid config without its uri'],
    ['not-an-object', '(config)', 'a string instead of a config object'],
  ];
  const problems: string[] = [];
  for (const [config, field, shown] of cases) {
    const refused = await refusal(flavor, config, shown);
    if (Array.isArray(refused)) problems.push(...refused);
    else if (!refused.listed.some((problem) => problem.field === field)) problems.push(`refusing ${shown} does not name "${field}".`);
  }
  return problems;
}

/** The secret fields whose values the kit can plant a canary in. */
export function secretFields(flavor: AnyFlavor): string[] {
  return Object.entries(flavor.configSchema)
    .filter(([, spec]) => spec.secret === true && (spec.type === 'string' || spec.type === 'string-list' || spec.type === 'string-map'))
    .map(([key]) => key);
}

/**
 * Problems when refusing a config echoes the value of a secret field: each secret field gets a
 * canary value, valid in type and of the wrong type, next to an unknown key so that the config is
 * always refused; the canary must appear nowhere in the error.
 */
export async function secretEchoProblems(flavor: AnyFlavor, base: Config): Promise<string[]> {
  const problems: string[] = [];
  for (const key of secretFields(flavor)) {
    const canary = `conformance-secret-${randomBytes(6).toString('hex')}`;
    const type = flavor.configSchema[key]?.type;
    const values = type === 'string' ? [canary, { value: canary }] : type === 'string-list' ? [[canary], canary] : [{ entry: canary }, canary];
    for (const value of values) {
      for (const config of [{ ...base, [key]: value }, { ...base, [key]: value, [UNKNOWN_KEY]: true }]) {
        const result = await tryComponent(flavor, config);
        if (result.threw) problems.push(...secretLeaks(result.error, [canary], `refusing a config whose secret field "${key}" is ${Array.isArray(value) ? 'a list' : typeof value}`));
      }
    }
  }
  return [...new Set(problems)];
}
