import { baseRegistryConfigSchema, defineFlavor } from './flavor.js';
import { registryUriProblem } from './registry-uri.js';

const configSchema = baseRegistryConfigSchema({
  uriDescription: 'The registry host and optional namespace images are pushed under: `host[:port][/namespace…]`, without a scheme.',
  uriExample: 'registry.example.com/team',
  checkUri: registryUriProblem,
});

/**
 * Any OCI/Docker registry: a local `localhost:5000`, Harbor, Quay, GitLab, Nexus… Credentials
 * come from the component (a connector or code) or the docker config, as with `docker push`.
 */
export const defaultFlavor = defineFlavor({
  specificationVersion: 'v1',
  id: 'default',
  displayName: 'Default container registry',
  description: 'Any registry that speaks the Docker/OCI distribution API, local or remote, with credentials from a connector or the docker config.',
  packageName: '@registrykit/core',
  connectorTypes: ['docker'],
  configSchema,
  create: () => ({}),
});
