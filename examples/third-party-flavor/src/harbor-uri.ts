import { RegistryKitError, registryUriProblem } from '@registrykit/core';

export const HARBOR_URI_EXAMPLE = 'harbor.example.com/library';

// Harbor's own rule for project names.
const PROJECT_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** A Harbor uri split into the registry host and the project images are pushed to. */
export interface HarborUri {
  /** `host[:port]`. */
  readonly host: string;
  readonly project: string;
}

/**
 * Explains what is wrong with a Harbor uri, `host[:port]/project[/path]`, and how to fix it, or
 * answers undefined. Every Harbor repository lives in a project, so the uri names one.
 */
export function harborUriProblem(uri: string): string | undefined {
  const problem = registryUriProblem(uri);
  if (problem) return problem;
  const [host = '', project] = uri.split('/');
  if (project === undefined) return `"${uri}" names no Harbor project: images live in a project, so add it, e.g. "${host}/library".`;
  if (project.length > 255 || !PROJECT_NAME.test(project)) {
    return `"${project}" is not a Harbor project name: lowercase letters and digits, with single ".", "_" or "-" between them.`;
  }
  return undefined;
}

/** Parses a Harbor uri; throws INVALID_CONFIG naming the `uri` field when it is not one. */
export function parseHarborUri(uri: string): HarborUri {
  const problem = harborUriProblem(uri);
  if (problem) throw new RegistryKitError('INVALID_CONFIG', `Invalid Harbor uri: ${problem}`, { details: { field: 'uri', uri } });
  const [host = '', project = ''] = uri.split('/');
  return { host, project };
}
