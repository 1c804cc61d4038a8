import { type CallOptions, RegistryKitError } from '@registrykit/core';
import type { HarborApi } from './harbor-api.js';

export interface ProjectPreparerOptions {
  /** Create a missing project instead of failing. */
  readonly createProject: boolean;
  /** The registry host, for messages. */
  readonly host: string;
}

/**
 * Makes sure a project exists before a push into it: Harbor refuses pushes into a project it
 * does not have, with an error that does not say so. Projects found or created are remembered
 * for the component's life.
 */
export function createProjectPreparer(api: HarborApi, options: ProjectPreparerOptions): (project: string, call: CallOptions) => Promise<void> {
  const ready = new Set<string>();
  return async (project, call) => {
    if (ready.has(project)) return;
    if (!(await api.projectExists(project, call))) {
      if (!options.createProject) {
        throw new RegistryKitError(
          'NOT_FOUND',
          `Harbor on ${options.host} has no project "${project}": create it in Harbor, or set createProject: true to create it before the first push.`,
          { details: { host: options.host, project } },
        );
      }
      await api.createProject(project, call);
    }
    ready.add(project);
  };
}
