import { get } from 'node:http';
import {
  type BaseRegistryConfigSchema,
  type ConfigSchema,
  type ContainerRegistryFlavor,
  defaultFlavor,
  defineFlavor,
  field,
  type FlavorImplementation,
  formatImageReference,
  RegistryKitError,
} from '@registrykit/core';

// Flavors with one defect each, for the conformance kit to catch. Each is the default flavor
// (schema, docs) with that defect, so nothing else about it fails.

const schema = defaultFlavor.configSchema;
const withDefect = (id: string, create: ContainerRegistryFlavor['create'], configSchema: BaseRegistryConfigSchema & ConfigSchema = schema): ContainerRegistryFlavor =>
  defineFlavor({ ...defaultFlavor, id, packageName: undefined, configSchema, create }) as ContainerRegistryFlavor;

/** What `defineFlavor` refuses: an id that is not kebab-case and a field without a description. */
export const brokenContract = {
  ...defaultFlavor,
  id: 'Broken_Contract',
  configSchema: { ...schema, token: { type: 'string' } },
} as unknown as ContainerRegistryFlavor;

export const readsEnvironment = withDefect('reads-environment', (_config, context) => {
  const region = process.env['AWS_REGION'] ?? context.env['REGISTRY_REGION'];
  // And once more in a helper it does not await.
  void (async () => {
    await Promise.resolve();
    return process.env['REGISTRY_PROFILE'];
  })();
  return { isLocal: region === undefined ? undefined : false } as FlavorImplementation;
});

export const callsNetwork = withDefect('calls-network', () => {
  // Warming a connection up: a fetch and a plain node:http request, neither awaited.
  void fetch('https://registry.example.com/v2/').catch(() => undefined);
  get('http://registry.example.com/v2/').on('error', () => undefined);
  return {};
});

/** Checks the credentials it was given while being set up. */
export const checksCredentials = withDefect('checks-credentials', (_config, context) => {
  void context.credentials?.().then((credentials) => context.registryApi?.checkCredentials('registry.example.com', { credentials }).catch(() => undefined));
  return {};
});

export const asyncCreate = withDefect('async-create', (async () => ({})) as unknown as ContainerRegistryFlavor['create']);

export const misspeltMember = withDefect('misspelt-member', () => ({ prepareImagePsh: async () => undefined }) as FlavorImplementation);

/** listTags is there but only throws, and the capability is not declared. */
export const stubCapability = withDefect('stub-capability', () => ({
  listTags: async () => {
    throw new Error('this registry has no tag listing yet');
  },
}));

export const plainErrorPreparation = withDefect('plain-error-preparation', () => ({
  async prepareImagePush() {
    throw new Error('the project does not exist');
  },
}));

export const leakyPreparation = withDefect('leaky-preparation', (_config, context) => ({
  async prepareImagePush(image) {
    const credentials = await context.registryCredentials();
    const password = credentials?.type === 'basic' ? credentials.password : 'none';
    throw new RegistryKitError('AUTHENTICATION_FAILED', `${formatImageReference(image)}: the password ${password} was refused.`);
  },
}));

/** A uri field of its own, without the base rules: no trailing-slash normalization and no check. */
export const sloppyUri = withDefect('sloppy-uri', () => ({}), {
  ...schema,
  uri: field.string({ description: 'The registry host.', required: true }),
});

/** A secret field whose check echoes the value it refuses. */
export const leakySecret = withDefect('leaky-secret', () => ({}), {
  ...schema,
  apiToken: field.string({
    description: 'A token for the registry API.',
    secret: true,
    check: (value: string) => (value.startsWith('tok_') ? undefined : `"${value}" is not an API token (tok_…).`),
  }),
});

/** Answers one digest for every image. */
export const wrongDigest = withDefect('wrong-digest', () => ({
  getImageDigest: async () => `sha256:${'0'.repeat(64)}`,
}));

/** Says it deleted what it did not. */
export const fakeDeletion = withDefect('fake-deletion', () => ({
  deleteImage: async (image) => ({ deleted: [formatImageReference(image)], failures: [] }),
}));

/** Declares listTags and implements it as a stub. */
export const declaredStub = withDefect('declared-stub', () => ({
  listTags: async () => {
    throw new Error('this registry has no tag listing yet');
  },
}));
