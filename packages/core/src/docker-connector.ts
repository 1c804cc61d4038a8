import { field } from './config-schema.js';
import { RegistryKitError } from './errors.js';
import { canonicalRegistryHost, DOCKER_HUB_REGISTRY, registryHostProblem } from './image-reference.js';
import type { ServiceConnector, ServiceConnectorType } from './service-connector.js';

const passwordSchema = {
  username: field.string({ description: 'The registry user name.', required: true }),
  password: field.string({ description: 'The password or access token.', required: true, secret: true }),
  registry: field.string({
    description: 'The registry host the credentials are for, `host[:port]`; omit it for Docker Hub.',
    example: 'registry.example.com',
    normalize: (value: string) => value.replace(/^https?:\/\//, '').replace(/\/.*$/, ''),
    check: registryHostProblem,
  }),
} as const;

/** Username and password (or token) for one registry: the `docker` service connector. */
export const dockerConnectorType: ServiceConnectorType = {
  specificationVersion: 'v1',
  type: 'docker',
  displayName: 'Docker registry credentials',
  description: 'A username and password or access token for one registry (Docker Hub when no registry is given).',
  packageName: '@registrykit/core',
  authMethods: {
    password: { description: 'A username with a password or access token.', configSchema: passwordSchema },
  },
  create(authMethod, config): ServiceConnector {
    const username = config['username'] as string;
    const password = config['password'] as string;
    const registryHost = canonicalRegistryHost((config['registry'] as string | undefined) ?? DOCKER_HUB_REGISTRY);

    function assertHost(host: string): void {
      if (canonicalRegistryHost(host) !== registryHost) {
        throw new RegistryKitError(
          'INVALID_CONFIG',
          `This docker connector holds credentials for ${registryHost}, not ${host}: register a connector with --registry ${host}.`,
          { details: { connectorRegistry: registryHost, registry: host } },
        );
      }
    }

    return {
      type: 'docker',
      authMethod,
      registryHost,
      async getRegistryCredentials(host) {
        assertHost(host);
        return { type: 'basic', username, password };
      },
      async verify(options = {}) {
        const host = options.registryHost ?? registryHost;
        assertHost(host);
        if (!options.registryApi) {
          throw new RegistryKitError('INVALID_ARGUMENT', 'Verifying a docker connector needs a registry client (registryApi).', {
            details: { connector: 'docker' },
          });
        }
        await options.registryApi.checkCredentials(host, { credentials: { type: 'basic', username, password }, signal: options.signal });
        return { resources: [host] };
      },
    };
  },
};
