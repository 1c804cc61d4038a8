import { type ConfigOf, validateConfig } from '@registrykit/core';
import type { AnyFlavor } from './components.js';
import { CAPABILITY_NAMES, type CapabilityName, type FlavorCapabilities } from './conformance-options.js';
import { describeConfig, describeError, outcome } from './error-reports.js';
import { implementationKeys, recordingFlavorContext } from './recording-parts.js';
import { SETTLE_MS, withNetworkCut, withProcessEnvRecorded } from './side-effects.js';

type Config = Readonly<Record<string, unknown>>;

/** `config` validated for `create()`, or the problem that it is refused (the configuration checks say more). */
function validated(flavor: AnyFlavor, config: Config): { readonly config: ConfigOf<AnyFlavor['configSchema']> } | { readonly problem: string } {
  try {
    return { config: validateConfig(flavor.configSchema, config, `the "${flavor.id}" flavor`) };
  } catch (error) {
    return { problem: `the valid config ${describeConfig(flavor.configSchema, config)} is refused (${describeError(error)}), so create() cannot be checked with it.` };
  }
}

/**
 * Problems when `create()` touches the network or the environment, or calls the parts it is
 * given: it runs when a component is set up (and for `flavor describe`, `container-registry
 * register`), which must work offline and the same on every machine. It gets a context whose
 * environment and parts record their use, `process.env` records reads during the call, and the
 * network is cut and recorded from the call until shortly after it.
 */
export async function createPurityProblems(flavor: AnyFlavor, config: Config): Promise<string[]> {
  const input = validated(flavor, config);
  if ('problem' in input) return [input.problem];
  const effects: string[] = [];
  const created = await withNetworkCut(
    effects,
    () => outcome(() => withProcessEnvRecorded(effects, () => void flavor.create(input.config, recordingFlavorContext(effects)))),
    SETTLE_MS,
  );
  const shown = describeConfig(flavor.configSchema, config);
  const problems: string[] = [];
  if (created.threw) problems.push(`create() threw for ${shown}: ${describeError(created.error)}`);
  const unique = [...new Set(effects)];
  if (unique.length > 0) {
    problems.push(
      `create() for ${shown} ${unique.join(', ')}. create() runs when a component is set up and must not touch the network or the environment: ` +
        'keep the config, and do the work (read context.env, ask for credentials, call APIs) in the methods it returns.',
    );
  }
  return problems;
}

const FUNCTIONS = ['prepareImagePush', 'getCredentials', 'invalidateCredentials', 'getImageDigest', 'listRepositories', 'listTags', 'listImages', 'deleteImage', 'deleteImages'];
const BOOLEANS = ['requiresAuthentication', 'isLocal'];

/** The implementation members that provide each capability. */
const CAPABILITY_MEMBERS: Readonly<Record<CapabilityName, readonly string[]>> = {
  listTags: ['listTags'],
  listImages: ['listImages'],
  deleteImage: ['deleteImage', 'deleteImages'],
  listRepositories: ['listRepositories'],
};

/**
 * Problems with what `create()` returns: a FlavorImplementation, synchronously, with only known
 * members of the right types (a misspelt method is never called), and no member for a capability
 * that is not declared.
 */
export async function implementationProblems(flavor: AnyFlavor, config: Config, capabilities: FlavorCapabilities): Promise<string[]> {
  const input = validated(flavor, config);
  if ('problem' in input) return [input.problem];
  // Boxed, so that a promise create() returns is seen as such and not awaited.
  const created = await withNetworkCut([], () => outcome(() => ({ returned: flavor.create(input.config, recordingFlavorContext([])) as unknown })), SETTLE_MS);
  const shown = describeConfig(flavor.configSchema, config);
  if (created.threw) return [`create() threw for ${shown}: ${describeError(created.error)}`];
  const implementation = created.value.returned;
  if (typeof implementation !== 'object' || implementation === null) return [`create() returned ${String(implementation)} for ${shown}; it must return an object (\`{}\` when nothing differs from a plain registry).`];
  if (typeof (implementation as { then?: unknown }).then === 'function') {
    return [`create() returned a promise for ${shown}; it must return the implementation synchronously (make the methods async, not create()).`];
  }
  const members = implementation as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of implementationKeys(implementation)) {
    const value = members[key];
    if (FUNCTIONS.includes(key)) {
      if (value !== undefined && typeof value !== 'function') problems.push(`"${key}" must be a method; got ${typeof value}.`);
    } else if (BOOLEANS.includes(key)) {
      if (value !== undefined && typeof value !== 'boolean') problems.push(`"${key}" must be true or false; got ${typeof value}.`);
    } else {
      problems.push(`create() returned an unknown member "${key}", which registrykit never uses: a FlavorImplementation has ${[...BOOLEANS, ...FUNCTIONS].join(', ')}.`);
    }
  }
  for (const capability of CAPABILITY_NAMES) {
    if (capabilities[capability]) continue;
    const present = CAPABILITY_MEMBERS[capability].filter((key) => members[key] !== undefined);
    if (present.length > 0) {
      problems.push(
        `${present.join(' and ')} ${present.length > 1 ? 'are' : 'is'} implemented, but the capability "${capability}" is not declared: ` +
          `declare \`capabilities: { ${capability}: true }\` (live runs then test it), or leave the member out; a capability the flavor lacks is absent, never a method that throws.`,
      );
    }
  }
  return problems.map((problem) => (problem.startsWith('create()') ? problem : `for ${shown}: ${problem}`));
}
