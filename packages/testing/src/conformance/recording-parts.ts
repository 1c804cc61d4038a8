import {
  type BaseRegistryConfigSchema,
  type ConfigSchema,
  type ContainerRegistryFlavor,
  type CredentialProvider,
  type FlavorContext,
  type FlavorImplementation,
  type ImagePusher,
  type RegistryApi,
  type RegistryCredentials,
  RegistryKitError,
} from '@registrykit/core';
import { recordingEnv } from './side-effects.js';

// Stand-ins for the parts a component is given, for the checks that need no registry: each
// records its calls in a log and refuses them, so that a flavor that calls them is seen, and a
// flavor that goes on anyway meets a RegistryKitError it must pass on.

function refusal(code: 'REGISTRY_ERROR' | 'PUSH_FAILED', call: string): RegistryKitError {
  return new RegistryKitError(code, `${call} was called on a stand-in of the registrykit conformance kit, which reaches no registry.`, { details: { call } });
}

export function recordingRegistryApi(log: string[]): RegistryApi {
  const refuse = (name: string) => async (): Promise<never> => {
    log.push(`calls registryApi.${name}()`);
    throw refusal('REGISTRY_ERROR', `registryApi.${name}()`);
  };
  return {
    checkCredentials: refuse('checkCredentials'),
    getManifestDigest: refuse('getManifestDigest'),
    listRepositories: refuse('listRepositories'),
    listTags: refuse('listTags'),
    listImages: refuse('listImages'),
    deleteImage: refuse('deleteImage'),
  };
}

export function recordingPusher(log: string[]): ImagePusher {
  return {
    name: 'conformance-kit-stand-in',
    async push() {
      log.push('calls pusher.push()');
      throw refusal('PUSH_FAILED', 'pusher.push()');
    },
  };
}

/** A credential provider that records each call and answers `credentials` (anonymous by default). */
export function recordingCredentials(log: string[], credentials?: RegistryCredentials): CredentialProvider {
  return async () => {
    log.push('asks for credentials');
    return credentials;
  };
}

/** What `create()` receives in the purity check: every part records its use. */
export function recordingFlavorContext(log: string[]): FlavorContext {
  return {
    credentials: async () => {
      log.push('calls context.credentials()');
      return undefined;
    },
    connector: undefined,
    registryApi: recordingRegistryApi(log),
    env: recordingEnv(log, 'context.env'),
    registryCredentials: async () => {
      log.push('calls context.registryCredentials()');
      return undefined;
    },
  };
}

/** The flavor, with every call into the implementations it creates recorded as `flavor.<method>()`. */
export function instrumentedFlavor<Schema extends BaseRegistryConfigSchema & ConfigSchema>(
  flavor: ContainerRegistryFlavor<Schema>,
  log: string[],
): ContainerRegistryFlavor<Schema> {
  return {
    ...flavor,
    create(config, context) {
      const implementation = flavor.create(config, context) as FlavorImplementation & Record<string, unknown>;
      const recorded: Record<string, unknown> = {};
      for (const key of implementationKeys(implementation)) {
        const value = implementation[key];
        recorded[key] =
          typeof value === 'function'
            ? (...args: unknown[]) => {
                log.push(`calls flavor.${key}()`);
                return (value as (...given: unknown[]) => unknown).apply(implementation, args);
              }
            : value;
      }
      return recorded as FlavorImplementation;
    },
  };
}

/** The members of an implementation, its class's methods included. */
export function implementationKeys(implementation: object): string[] {
  const keys = new Set<string>();
  for (let object: object | null = implementation; object !== null && object !== Object.prototype; object = Object.getPrototypeOf(object) as object | null) {
    for (const key of Object.getOwnPropertyNames(object)) if (key !== 'constructor') keys.add(key);
  }
  return [...keys];
}
