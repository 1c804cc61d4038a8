import { type BaseRegistryConfigSchema, type ConfigSchema, RegistryKitError } from '@registrykit/core';
import { foreignPushProblems, imageProblems, preparationProblems, undeclaredCapabilities, undeclaredCapabilityProblems } from './component-checks.js';
import type { AnyFlavor } from './components.js';
import { configsWithExamples, invalidConfigProblems, secretEchoProblems, secretFields, strictnessProblems, validConfigProblems } from './config-checks.js';
import type { ConformanceTestApi, FlavorConformanceOptions } from './conformance-options.js';
import { contractProblems, entryProblems } from './contract-checks.js';
import { createPurityProblems, implementationProblems } from './create-checks.js';
import { expectNoProblems } from './error-reports.js';
import { registerLiveChecks } from './live-checks.js';

type Config = Readonly<Record<string, unknown>>;

/**
 * Registers the conformance checks of a flavor with the given test functions (vitest's
 * `describe`, `it`, `expect`, and `beforeAll`/`afterAll` for live checks):
 *
 * - the contract: what `defineFlavor` and `flavor register` check, described camelCase fields;
 * - configuration: valid configs (and the schema's examples) accepted and normalized, trailing
 *   slashes included; invalid ones refused with INVALID_CONFIG naming the field; unknown keys
 *   refused; secret values never echoed;
 * - `create()`: no network, no environment, no calls into the parts it is given; a
 *   FlavorImplementation with only known members and no undeclared capability;
 * - the component: images under the uri claimed and others not, foreign pushes refused before
 *   anything runs, failed preparations reported as RegistryKitErrors;
 * - with `live`: a push end to end checked with skopeo, and every declared capability.
 *
 * Each check compares a list of problems with `[]`, so a failure says what is wrong and what to do.
 */
export function runFlavorConformance<Schema extends BaseRegistryConfigSchema & ConfigSchema>(api: ConformanceTestApi, options: FlavorConformanceOptions<Schema>): void {
  const { validConfigs, invalidConfigs, capabilities, images, entry, live } = options;
  if (validConfigs.length === 0 || invalidConfigs.length === 0) {
    throw new RegistryKitError('INVALID_ARGUMENT', 'runFlavorConformance needs at least one of `validConfigs` and of `invalidConfigs`: the checks build components from them.', {
      details: { validConfigs: validConfigs.length, invalidConfigs: invalidConfigs.length },
    });
  }
  // Flavors of any schema are checked alike; the schema type only helps the caller write configs.
  const flavor = options.flavor as unknown as AnyFlavor;
  const base = validConfigs[0] as Config;
  const title = typeof flavor?.id === 'string' ? `the "${flavor.id}" flavor` : 'the flavor';

  /** Registers a check that compares the problems `find` lists with none; on a broken contract it reports that instead. */
  const check = (name: string, find: () => Promise<string[]> | string[]) =>
    api.it(name, async () => {
      const broken = contractProblems(flavor).length > 0;
      const problems = broken ? ['the flavor does not satisfy the contract (see "satisfies the flavor contract"): fix that first.'] : await find();
      expectNoProblems(api.expect, `${title}: ${name}`, problems);
    });
  // One config after another: some checks watch process-wide hooks (the network, process.env).
  const eachConfig = async (find: (config: Config) => Promise<string[]>) => {
    const problems: string[] = [];
    for (const config of validConfigs) problems.push(...(await find(config)));
    return problems;
  };
  const imagesFor = (config: Config) => (config === base ? images : undefined);

  api.describe(`${title} conformance`, () => {
    api.describe('contract', () => {
      api.it('satisfies the flavor contract', async () => {
        expectNoProblems(api.expect, `${title}: satisfies the flavor contract`, contractProblems(flavor));
      });
      if (entry) check('is exported as `flavor` from its package entry', () => entryProblems(options.flavor, entry));
    });

    api.describe('configuration', () => {
      check('accepts every valid config and the examples its schema shows, normalizing trailing slashes away', () =>
        eachConfig(async (config) => {
          const problems: string[] = [];
          for (const { config: variant, label } of configsWithExamples(flavor, config)) problems.push(...(await validConfigProblems(flavor, variant, label)));
          return [...new Set(problems)];
        }),
      );
      check('refuses every invalid config with INVALID_CONFIG naming the field', async () => {
        const problems: string[] = [];
        for (const example of invalidConfigs) problems.push(...(await invalidConfigProblems(flavor, example)));
        return problems;
      });
      check('refuses unknown keys, a missing uri and a config that is not an object', () => strictnessProblems(flavor, base));
      if (hasSecretFields(flavor)) check("never echoes a secret field's value when refusing a config", () => secretEchoProblems(flavor, base));
    });

    api.describe('create()', () => {
      check('touches neither the network nor the environment', () => eachConfig((config) => createPurityProblems(flavor, config)));
      check('returns a FlavorImplementation with known members only, and none for an undeclared capability', () =>
        eachConfig((config) => implementationProblems(flavor, config, capabilities)),
      );
    });

    api.describe('component', () => {
      check('claims images under its uri and no others, and names images under it', () => eachConfig((config) => imageProblems(flavor, config, imagesFor(config))));
      check('refuses to push a foreign image with IMAGE_NOT_IN_REGISTRY before anything runs', () =>
        eachConfig((config) => foreignPushProblems(flavor, config, imagesFor(config))),
      );
      check('stops a push whose preparation fails, with a RegistryKitError that echoes no secret', () => eachConfig((config) => preparationProblems(flavor, config)));
      if (undeclaredCapabilities(capabilities).length > 0) {
        check(`answers UNSUPPORTED for the capabilities it does not declare (${undeclaredCapabilities(capabilities).join(', ')})`, () =>
          eachConfig((config) => undeclaredCapabilityProblems(flavor, config, capabilities)),
        );
      }
    });

    if (live) registerLiveChecks(api, flavor, live, capabilities);
  });
}

function hasSecretFields(flavor: AnyFlavor): boolean {
  // Registration must not throw on a broken flavor: its contract test reports it.
  try {
    return secretFields(flavor).length > 0;
  } catch {
    return false;
  }
}
