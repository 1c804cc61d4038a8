import { RegistryKitError, registryUriProblem } from '@registrykit/core';

/** The legacy Container Registry hosts. */
export const GCR_HOSTS: readonly string[] = ['gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io'];

/** What a gcp registry uri names. */
export type GcpRegistryLocation =
  | { readonly kind: 'artifact-registry'; readonly host: string; readonly location: string; readonly project: string; readonly repository: string }
  | { readonly kind: 'container-registry'; readonly host: string; readonly project: string };

const ARTIFACT_REGISTRY_HOST = /^([a-z]+(?:-[a-z]+\d+)?)-docker\.pkg\.dev$/;
const OTHER_PACKAGE_HOST = /^([a-z0-9-]+)-([a-z]+)\.pkg\.dev$/;
// Project ids: 6-30 lowercase letters, digits and hyphens, starting with a letter.
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const REPOSITORY_ID = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const EXAMPLES = '`<location>-docker.pkg.dev/<project>/<repository>` (Artifact Registry, e.g. `europe-west4-docker.pkg.dev/my-project/images`) or `gcr.io/<project>` (Container Registry)';

/** True for the hosts the gcp flavor serves: Container Registry's and Artifact Registry's Docker hosts. */
export function isGoogleRegistryHost(host: string): boolean {
  return GCR_HOSTS.includes(host) || ARTIFACT_REGISTRY_HOST.test(host);
}

/** Explains what is wrong with a gcp registry uri and how to fix it, or answers undefined. */
export function gcpRegistryUriProblem(uri: string): string | undefined {
  const generic = registryUriProblem(uri);
  if (generic) return generic;
  const [host = '', ...path] = uri.split('/');
  if (GCR_HOSTS.includes(host)) {
    const project = projectOf(path);
    if (project === undefined) return `"${uri}" names no project: add it, e.g. "${host}/my-project".`;
    return projectProblem(project, uri);
  }
  const registry = ARTIFACT_REGISTRY_HOST.exec(host);
  if (registry) {
    const [project, repository] = path;
    if (project === undefined) return `"${uri}" names no project and repository: add them, e.g. "${host}/my-project/images".`;
    const problem = projectProblem(project, uri);
    if (problem) return problem;
    if (repository === undefined) return `"${uri}" names no repository: Artifact Registry images live in a repository, e.g. "${host}/${project}/images".`;
    if (!REPOSITORY_ID.test(repository)) {
      return `repository "${repository}" in "${uri}" is not an Artifact Registry repository id: lowercase letters, digits and hyphens, starting with a letter.`;
    }
    return undefined;
  }
  const other = OTHER_PACKAGE_HOST.exec(host);
  if (other) {
    return `"${host}" serves ${other[2]} packages, not Docker images: use the Docker host of that location, "${other[1]}-docker.pkg.dev".`;
  }
  return `"${host}" is not a Google container registry host: use ${EXAMPLES}.`;
}

/** Parses a gcp registry uri; throws INVALID_CONFIG naming the `uri` field when it is invalid. */
export function parseGcpRegistryUri(uri: string): GcpRegistryLocation {
  const problem = gcpRegistryUriProblem(uri);
  if (problem) throw new RegistryKitError('INVALID_CONFIG', `Invalid gcp registry uri: ${problem}`, { details: { field: 'uri', uri } });
  const [host = '', ...path] = uri.split('/');
  const registry = ARTIFACT_REGISTRY_HOST.exec(host);
  if (registry) {
    return { kind: 'artifact-registry', host, location: registry[1] ?? '', project: path[0] ?? '', repository: path[1] ?? '' };
  }
  return { kind: 'container-registry', host, project: projectOf(path) ?? '' };
}

// A domain-scoped project `example.com:my-project` is written `example.com/my-project` in image paths.
function projectOf(path: readonly string[]): string | undefined {
  const [first, second] = path;
  if (first === undefined) return undefined;
  if (first.includes('.') && second !== undefined) return `${first}:${second}`;
  return first;
}

function projectProblem(project: string, uri: string): string | undefined {
  const id = project.includes(':') ? project.slice(project.indexOf(':') + 1) : project;
  if (PROJECT_ID.test(id)) return undefined;
  return `"${id}" in "${uri}" is not a Google Cloud project id: 6-30 lowercase letters, digits and hyphens, starting with a letter (the id, not the project's display name or number).`;
}
