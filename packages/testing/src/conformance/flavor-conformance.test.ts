import { type ContainerRegistryFlavor, defaultFlavor } from '@registrykit/core';
import { describe, expect, it } from 'vitest';
import {
  asyncCreate,
  brokenContract,
  callsNetwork,
  checksCredentials,
  declaredStub,
  fakeDeletion,
  leakyPreparation,
  leakySecret,
  misspeltMember,
  plainErrorPreparation,
  readsEnvironment,
  sloppyUri,
  stubCapability,
  wrongDigest,
} from '../test-support/broken-flavors.js';
import { defaultFlavorOptions, skopeoLiveRegistry } from '../test-support/default-flavor-examples.js';
import { type RecordedTest, runRecorded } from '../test-support/recorded-run.js';
import type { FlavorConformanceOptions } from './conformance-options.js';
import { runFlavorConformance } from './flavor-conformance.js';

// The kit run on flavors with one defect each, through stand-ins for describe/it (vitest's real
// expect): each defect fails the check meant for it, with a message that says what is wrong,
// and nothing else fails.

function run(flavor: ContainerRegistryFlavor, overrides: Partial<FlavorConformanceOptions> = {}): Promise<RecordedTest[]> {
  return runRecorded((api) => runFlavorConformance(api, { ...defaultFlavorOptions(flavor), ...overrides }));
}

/** Failed tests by name, without the suite's `the "x" flavor conformance > `. */
function failures(results: readonly RecordedTest[]): Record<string, string> {
  return Object.fromEntries(results.filter((result) => result.failure !== undefined).map((result) => [result.name.replace(/^[^>]+> /, ''), result.failure ?? '']));
}

describe('the conformance kit on the default flavor', () => {
  it('registers every check and passes them all', async () => {
    const results = await run(defaultFlavor, { entry: { flavor: defaultFlavor } });
    expect(results.map((result) => result.name)).toEqual([
      'the "default" flavor conformance > contract > satisfies the flavor contract',
      'the "default" flavor conformance > contract > is exported as `flavor` from its package entry',
      'the "default" flavor conformance > configuration > accepts every valid config and the examples its schema shows, normalizing trailing slashes away',
      'the "default" flavor conformance > configuration > refuses every invalid config with INVALID_CONFIG naming the field',
      'the "default" flavor conformance > configuration > refuses unknown keys, a missing uri and a config that is not an object',
      'the "default" flavor conformance > create() > touches neither the network nor the environment',
      'the "default" flavor conformance > create() > returns a FlavorImplementation with known members only, and none for an undeclared capability',
      'the "default" flavor conformance > component > claims images under its uri and no others, and names images under it',
      'the "default" flavor conformance > component > refuses to push a foreign image with IMAGE_NOT_IN_REGISTRY before anything runs',
      'the "default" flavor conformance > component > stops a push whose preparation fails, with a RegistryKitError that echoes no secret',
      'the "default" flavor conformance > component > answers UNSUPPORTED for the capabilities it does not declare (listRepositories)',
    ]);
    expect(failures(results)).toEqual({});
  });

  it('refuses to run without examples, and live checks without beforeAll/afterAll', async () => {
    await expect(run(defaultFlavor, { validConfigs: [] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('at least one of `validConfigs`') });
    expect(() =>
      runFlavorConformance({ describe: (_name, body) => body(), it: () => undefined, expect }, { ...defaultFlavorOptions(), live: skopeoLiveRegistry() }),
    ).toThrow('live checks need `beforeAll` and `afterAll`');
  });
});

describe('the conformance kit on broken flavors', () => {
  it('reports every contract problem, and asks for them to be fixed first everywhere else', async () => {
    const failed = failures(await run(brokenContract));
    expect(failed['contract > satisfies the flavor contract']).toMatch(/"id" must be a kebab-case string such as "my-registry"; got "Broken_Contract"[\s\S]*"configSchema\.token" needs a "description"/);
    const others = Object.entries(failed).filter(([name]) => name !== 'contract > satisfies the flavor contract');
    expect(others).toHaveLength(9);
    for (const [, message] of others) expect(message).toContain('does not satisfy the contract (see "satisfies the flavor contract"): fix that first');
  });

  it.each([
    ['reads the environment in create()', readsEnvironment, {}, { 'create() > touches neither the network nor the environment': /create\(\) for .* process\.env\.AWS_REGION, context\.env\.REGISTRY_REGION, process\.env\.REGISTRY_PROFILE\. create\(\) runs when a component is set up/ }],
    ['calls the network in create()', callsNetwork, {}, { 'create() > touches neither the network nor the environment': /fetches https:\/\/registry\.example\.com\/v2\/, connects to registry\.example\.com:80/ }],
    ['checks its credentials in create()', checksCredentials, {}, { 'create() > touches neither the network nor the environment': /calls context\.credentials\(\), calls registryApi\.checkCredentials\(\)\. / }],
    ['makes create() async', asyncCreate, {}, { 'create() > returns a FlavorImplementation with known members only, and none for an undeclared capability': /returned a promise .*make the methods async, not create\(\)/ }],
    ['misspells a member', misspeltMember, {}, { 'create() > returns a FlavorImplementation with known members only, and none for an undeclared capability': /unknown member "prepareImagePsh"/ }],
    [
      'stubs a capability it does not declare',
      stubCapability,
      { capabilities: {} },
      {
        'create() > returns a FlavorImplementation with known members only, and none for an undeclared capability': /listTags is implemented, but the capability "listTags" is not declared/,
        'component > answers UNSUPPORTED for the capabilities it does not declare (listTags, listImages, deleteImage, listRepositories)': /listTags\(\) on a component without a registry API .* threw Error: this registry has no tag listing yet; an undeclared capability must be absent/,
      },
    ],
    [
      'throws a plain Error from prepareImagePush',
      plainErrorPreparation,
      {},
      { 'component > stops a push whose preparation fails, with a RegistryKitError that echoes no secret': /prepareImagePush\(\) threw Error: the project does not exist; everything a flavor throws must be a RegistryKitError/ },
    ],
    [
      'echoes the password when preparation fails',
      leakyPreparation,
      {},
      { 'component > stops a push whose preparation fails, with a RegistryKitError that echoes no secret': /with a username and password .* put a secret value in its message/ },
    ],
    [
      'keeps trailing slashes and checks no uri',
      sloppyUri,
      {},
      {
        'configuration > accepts every valid config and the examples its schema shows, normalizing trailing slashes away': /the uri "registry\.example\.com\/team\/" is normalized to "registry\.example\.com\/team\/", not "registry\.example\.com\/team"/,
        'configuration > refuses every invalid config with INVALID_CONFIG naming the field': /has no details\.problems, so it came from past the schema/,
      },
    ],
    ['echoes a secret field it refuses', leakySecret, {}, { "configuration > never echoes a secret field's value when refusing a config": /secret field "apiToken" is string put a secret value in its message/ }],
  ] as const)('fails a flavor that %s, with a message that says why', async (_defect, flavor, overrides, expected) => {
    const failed = failures(await run(flavor, overrides));
    expect(Object.keys(failed).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, pattern] of Object.entries(expected)) expect(failed[name]).toMatch(pattern);
  });

  it.each([
    ['answers a wrong digest', wrongDigest, { listTags: true }, { 'pushes an image end to end, and reads the digest skopeo sees': /getImageDigest\(".*:conformance-[0-9a-f]+"\) is sha256:0{64}, not sha256:[0-9a-f]{64}/ }],
    ['says it deleted an image it kept', fakeDeletion, { deleteImage: true }, { 'deletes a pushed image by digest': /getImageDigest\(.*\) is sha256:[0-9a-f]{64}, not undefined[\s\S]*skopeo still finds/ }],
    ['declares a capability it stubs', declaredStub, { listTags: true }, { 'lists the tags of a pushed image': /listTags\(".*\/conformance\/app"\) threw Error: this registry has no tag listing yet/ }],
  ] as const)('fails, against a running registry, a flavor that %s', async (_defect, flavor, capabilities, expected) => {
    const failed = failures(await run(flavor, { capabilities, live: skopeoLiveRegistry() }));
    const live = Object.fromEntries(Object.entries(failed).map(([name, message]) => [name.replace(/^against a running registry > /, ''), message]));
    expect(Object.keys(live)).toEqual(Object.keys(expected));
    for (const [name, pattern] of Object.entries(expected)) expect(live[name]).toMatch(pattern);
  });
});
