import { baseRegistryConfigSchema, defineFlavor, field, type FlavorImplementation } from '@registrykit/core';
import { createHarborApi } from './harbor-api.js';
import { createProjectPreparer } from './harbor-projects.js';
import { HARBOR_URI_EXAMPLE, harborUriProblem, parseHarborUri } from './harbor-uri.js';

const configSchema = {
  ...baseRegistryConfigSchema({
    uriDescription: 'The Harbor host and the project images are pushed to: `host[:port]/project[/path]`.',
    uriExample: HARBOR_URI_EXAMPLE,
    checkUri: harborUriProblem,
  }),
  apiUrl: field.string({
    description: "Harbor's API, when not at `https://<host>`: another port, a proxy, or a test server.",
    example: 'https://harbor.example.com',
    normalize: (value: string) => value.replace(/\/+$/, ''),
    check: (value: string) => (/^https?:\/\/[^/\s]+/.test(value) ? undefined : `"${value}" is not an http(s) URL, e.g. https://harbor.example.com.`),
  }),
  createProject: field.boolean({
    description: 'Create the project (private) before the first push when Harbor does not have it. Needs the right to create projects.',
    default: false,
  }),
} as const;

/**
 * Harbor. Pushes need a Harbor user or robot account (a docker connector, or the docker
 * config); before a push the project is looked up through Harbor's API, and created when
 * `createProject` is set. Repositories are listed through the API, because Harbor's registry
 * catalog is for administrators only; tags, digests and deletion go through the registry API.
 */
export const harborFlavor = defineFlavor({
  specificationVersion: 'v1',
  id: 'harbor',
  displayName: 'Harbor',
  description: 'A Harbor registry: images in a Harbor project, checked (or created) through the Harbor API before a push; repositories listed through it.',
  docsUrl: 'https://goharbor.io/docs/',
  packageName: 'registrykit-flavor-harbor',
  connectorTypes: ['docker'],
  configSchema,
  create(config, context): FlavorImplementation {
    // Only the config is read here: no network, no environment (the conformance kit checks it).
    const { host, project } = parseHarborUri(config.uri);
    const api = createHarborApi({ apiUrl: config.apiUrl ?? `https://${host}`, credentials: context.registryCredentials });
    const prepare = createProjectPreparer(api, { createProject: config.createProject, host });
    return {
      requiresAuthentication: true,
      prepareImagePush: (image, options) => prepare(image.repository.split('/')[0] ?? project, options),
      listRepositories: (options) => api.listRepositories(project, options),
    };
  },
});
