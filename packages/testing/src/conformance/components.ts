import {
  type BaseRegistryConfigSchema,
  type ConfigSchema,
  type ContainerRegistry,
  type ContainerRegistryFlavor,
  createContainerRegistry,
  type CreateContainerRegistryOptions,
} from '@registrykit/core';

/** A flavor of any schema, as the checks take it. */
export type AnyFlavor = ContainerRegistryFlavor<BaseRegistryConfigSchema & ConfigSchema>;

/**
 * A component of `flavor` that sees nothing of the machine: no docker config credentials, an
 * empty environment, and only the parts given.
 */
export function isolatedComponent(
  flavor: AnyFlavor,
  config: unknown,
  parts: Omit<CreateContainerRegistryOptions<BaseRegistryConfigSchema & ConfigSchema>, 'flavor' | 'config'> = {},
): ContainerRegistry {
  return createContainerRegistry({ flavor, config, dockerCredentials: false, env: {}, name: `conformance-${flavor.id}`, ...parts });
}
