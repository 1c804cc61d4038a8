import { type CallOptions, RegistryKitError } from '@registrykit/core';
import type { EcrApi } from './aws-api.js';
import { isAwsError, missingRepositoryError } from './aws-errors.js';
import type { EcrRegistryHost } from './aws-uri.js';

export interface RepositoryCreation {
  /** Create a missing repository instead of failing. */
  readonly createRepository: boolean;
  readonly imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  readonly scanOnPush: boolean;
}

/** Every repository of the registry, through DescribeRepositories pages of 1000. */
export async function listEcrRepositories(api: EcrApi, registry: EcrRegistryHost, options: CallOptions): Promise<string[]> {
  return api.call(
    'DescribeRepositories',
    async (client, sdk, signal) => {
      const names: string[] = [];
      for await (const page of sdk.paginateDescribeRepositories({ client, pageSize: 1000 }, { registryId: registry.accountId })) {
        signal.abortSignal?.throwIfAborted();
        for (const repository of page.repositories ?? []) if (repository.repositoryName) names.push(repository.repositoryName);
      }
      return names;
    },
    options,
  );
}

/**
 * Makes sure the repository of a push exists: looked up by name (DescribeRepositories with
 * `repositoryNames`, never one page of all repositories), and created when configured so.
 * Repositories seen once are remembered, so repeated pushes cost no API call.
 */
export function createRepositoryPreparer(api: EcrApi, registry: EcrRegistryHost, creation: RepositoryCreation) {
  const known = new Set<string>();

  async function exists(repository: string, options: CallOptions): Promise<boolean> {
    try {
      await api.call(
        'DescribeRepositories',
        (client, sdk, signal) => client.send(new sdk.DescribeRepositoriesCommand({ registryId: registry.accountId, repositoryNames: [repository] }), signal),
        { ...options, repository },
      );
      return true;
    } catch (error) {
      if (RegistryKitError.hasCode(error, 'NOT_FOUND')) return false;
      throw error;
    }
  }

  async function create(repository: string, options: CallOptions): Promise<void> {
    try {
      await api.call(
        'CreateRepository',
        (client, sdk, signal) =>
          client.send(
            new sdk.CreateRepositoryCommand({
              registryId: registry.accountId,
              repositoryName: repository,
              imageTagMutability: creation.imageTagMutability,
              imageScanningConfiguration: { scanOnPush: creation.scanOnPush },
            }),
            signal,
          ),
        { ...options, repository },
      );
    } catch (error) {
      // Another push created it meanwhile: that is what we wanted.
      if (!isAwsError((error as Error).cause, 'RepositoryAlreadyExistsException')) throw error;
    }
  }

  return async function prepare(repository: string, options: CallOptions): Promise<void> {
    if (known.has(repository)) return;
    if (!(await exists(repository, options))) {
      if (!creation.createRepository) throw missingRepositoryError(registry.host, registry.region, repository);
      await create(repository, options);
    }
    known.add(repository);
  };
}
