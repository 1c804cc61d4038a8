import { randomBytes } from 'node:crypto';
import { basicCredentials, type ContainerRegistry, RegistryKitError } from '@registrykit/core';
import { type AnyFlavor, isolatedComponent } from './components.js';
import { CAPABILITY_NAMES, type CapabilityName, type FlavorCapabilities, type ImageExamples } from './conformance-options.js';
import { describeConfig, describeError, errorCodeProblems, outcome, secretLeaks } from './error-reports.js';
import { instrumentedFlavor, recordingCredentials, recordingPusher, recordingRegistryApi } from './recording-parts.js';
import { SETTLE_MS, settle, withNetworkCut } from './side-effects.js';

type Config = Readonly<Record<string, unknown>>;

const REPOSITORY = 'conformance-app';

/** The uri's host as written and its namespace (`''` for none). */
function splitUri(registry: ContainerRegistry): { readonly host: string; readonly namespace: string } {
  const slash = registry.uri.indexOf('/');
  return slash === -1 ? { host: registry.uri, namespace: '' } : { host: registry.uri.slice(0, slash), namespace: registry.uri.slice(slash + 1) };
}

/** Image names the component must claim and must refuse, derived from its uri, plus the given ones. */
function imagesFor(registry: ContainerRegistry, given: ImageExamples = {}): { readonly belonging: string[]; readonly foreign: string[] } {
  const { host, namespace } = splitUri(registry);
  const belonging = [`${registry.uri}/${REPOSITORY}:1`, `${registry.uri}/${REPOSITORY}@sha256:${'a'.repeat(64)}`, ...(given.belonging ?? [])];
  const foreign = ['conformance.invalid/app:1', ...(given.foreign ?? [])];
  if (namespace !== '') foreign.push(`${host}/${namespace}x/app:1`, `${host}/${REPOSITORY}:1`);
  return { belonging, foreign };
}

/** Problems claiming images: those under the uri belong, others do not, and `imageName` composes under the uri. */
export async function imageProblems(flavor: AnyFlavor, config: Config, given?: ImageExamples): Promise<string[]> {
  const registry = await withNetworkCut([], () => isolatedComponent(flavor, config));
  const { belonging, foreign } = imagesFor(registry, given);
  const problems: string[] = [];
  for (const image of belonging) {
    if (!registry.isValidImageNameForRegistry(image)) problems.push(`"${image}" is not claimed by the component of uri "${registry.uri}", though it is under the uri.`);
  }
  for (const image of foreign) {
    if (registry.isValidImageNameForRegistry(image)) problems.push(`"${image}" is claimed by the component of uri "${registry.uri}", though it is not under the uri.`);
  }
  const named = await outcome(() => registry.imageName({ repository: REPOSITORY, tag: 'v1' }));
  const expected = `${registry.uri}/${REPOSITORY}:v1`;
  if (named.threw) problems.push(`imageName({ repository: "${REPOSITORY}", tag: "v1" }) threw ${describeError(named.error)}.`);
  else if (named.value !== expected) problems.push(`imageName({ repository: "${REPOSITORY}", tag: "v1" }) is "${named.value}", not "${expected}".`);
  if (registry.defaultRepository !== undefined) {
    const fallback = await outcome(() => registry.imageName({}));
    const wanted = `${registry.uri}/${registry.defaultRepository}:latest`;
    if (fallback.threw || fallback.value !== wanted) {
      problems.push(`imageName({}) with defaultRepository "${registry.defaultRepository}" is ${fallback.threw ? describeError(fallback.error) : `"${fallback.value}"`}, not "${wanted}".`);
    }
  }
  return problems.map((problem) => `${describeConfig(flavor.configSchema, config)}: ${problem}`);
}

/** A component whose parts, and the flavor's own methods, record their calls in `log`. */
function recordedComponent(flavor: AnyFlavor, config: Config, log: string[], credentials?: ReturnType<typeof basicCredentials>): ContainerRegistry {
  return isolatedComponent(instrumentedFlavor(flavor, log), config, {
    pusher: recordingPusher(log),
    registryApi: recordingRegistryApi(log),
    credentials: recordingCredentials(log, credentials),
  });
}

/** Problems refusing to push foreign images: IMAGE_NOT_IN_REGISTRY naming both, before the flavor, the credentials, the pusher or the network are touched. */
export async function foreignPushProblems(flavor: AnyFlavor, config: Config, given?: ImageExamples): Promise<string[]> {
  const log: string[] = [];
  return withNetworkCut(log, async () => {
    const registry = recordedComponent(flavor, config, log);
    // What setting the component up left running is the create() check's business, not this one's.
    await settle(SETTLE_MS);
    const problems: string[] = [];
    for (const image of imagesFor(registry, given).foreign) {
      log.length = 0;
      const pushed = await outcome(() => registry.pushImage(image));
      const what = `pushImage("${image}") on the component of uri "${registry.uri}"`;
      if (!pushed.threw) {
        problems.push(`${what} did not refuse the foreign image.`);
        continue;
      }
      problems.push(...errorCodeProblems(pushed.error, what, ['IMAGE_NOT_IN_REGISTRY']));
      const message = pushed.error instanceof Error ? pushed.error.message : '';
      if (RegistryKitError.isInstance(pushed.error) && !(message.includes(image) && message.includes(registry.uri))) {
        problems.push(`${what} refused it with "${message}", which must name both the image and the uri.`);
      }
      if (log.length > 0) problems.push(`${what} ${[...new Set(log)].join(', ')} before refusing the image; nothing may run for an image that is not the registry's.`);
    }
    return problems;
  });
}

/**
 * Problems when a push whose preparation fails escapes as something other than a
 * RegistryKitError, reaches the pusher anyway, or echoes a secret. The flavor meets the worst
 * case: the network cut, every registry API call refused, with no credentials and with a
 * canary password.
 */
export async function preparationProblems(flavor: AnyFlavor, config: Config): Promise<string[]> {
  const canary = `conformance-password-${randomBytes(6).toString('hex')}`;
  const problems: string[] = [];
  for (const credentials of [undefined, basicCredentials('conformance-user', canary)]) {
    const log: string[] = [];
    const pushed = await withNetworkCut(log, async () => {
      const registry = recordedComponent(flavor, config, log, credentials);
      return outcome(() => registry.pushImage(`${registry.uri}/${REPOSITORY}:1`));
    });
    const what = `pushImage() ${credentials ? 'with a username and password' : 'without credentials'} while the network is cut and the registry API refuses every call (${describeConfig(flavor.configSchema, config)})`;
    if (!pushed.threw) {
      problems.push(`${what} resolved, though the conformance kit's pusher refuses every push.`);
      continue;
    }
    const prepared = log.includes('calls flavor.prepareImagePush()');
    const reachedPusher = log.includes('calls pusher.push()');
    if (!reachedPusher) {
      problems.push(...errorCodeProblems(pushed.error, `${what}${prepared ? ': prepareImagePush()' : ''}`));
    } else if (!RegistryKitError.hasCode(pushed.error, 'PUSH_FAILED')) {
      problems.push(`${what} reached the pusher but then threw ${describeError(pushed.error)} instead of the pusher's error.`);
    }
    problems.push(...secretLeaks(pushed.error, [canary], what));
  }
  return problems;
}

/** What calling each capability on a component looks like. */
const CAPABILITY_CALLS: Readonly<Record<CapabilityName, (registry: ContainerRegistry) => Promise<unknown>>> = {
  listTags: (registry) => registry.listTags(`${registry.uri}/${REPOSITORY}`),
  listImages: (registry) => registry.listImages(`${registry.uri}/${REPOSITORY}`),
  deleteImage: (registry) => registry.deleteImage(`${registry.uri}/${REPOSITORY}:1`),
  listRepositories: (registry) => registry.listRepositories(),
};

export function undeclaredCapabilities(capabilities: FlavorCapabilities): CapabilityName[] {
  return CAPABILITY_NAMES.filter((capability) => capabilities[capability] !== true);
}

/** Problems when a capability that is not declared answers anything but UNSUPPORTED from a component without a registry API. */
export async function undeclaredCapabilityProblems(flavor: AnyFlavor, config: Config, capabilities: FlavorCapabilities): Promise<string[]> {
  const problems: string[] = [];
  await withNetworkCut([], async () => {
    const registry = isolatedComponent(flavor, config);
    for (const capability of undeclaredCapabilities(capabilities)) {
      const called = await outcome(() => CAPABILITY_CALLS[capability](registry));
      const what = `${capability}() on a component without a registry API (${describeConfig(flavor.configSchema, config)})`;
      if (!called.threw) problems.push(`${what} answered, though "${capability}" is not declared: declare it, or leave it out of the implementation.`);
      else if (!RegistryKitError.hasCode(called.error, 'UNSUPPORTED')) {
        problems.push(`${what} threw ${describeError(called.error)}; an undeclared capability must be absent from the implementation, so that the component answers UNSUPPORTED.`);
      }
    }
  });
  return problems;
}
