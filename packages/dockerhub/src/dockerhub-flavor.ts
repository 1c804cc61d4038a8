import {
  type CallOptions,
  defineFlavor,
  field,
  type FlavorImplementation,
  formatImageReference,
  imageRepositoryName,
  type RegistryApi,
  type RegistryApiRequest,
  RegistryKitError,
} from '@registrykit/core';
import { createHubApiClient, DOCKER_HUB_API_URL } from './dockerhub-api.js';
import { deleteFromDockerHub, imagesFromTags } from './dockerhub-images.js';
import { dockerHubRateLimitError } from './dockerhub-rate-limit.js';
import { probeDockerHubRateLimit } from './dockerhub-rate-limit-probe.js';
import { dockerHubUriProblem, normalizeDockerHubUri } from './dockerhub-uri.js';

// Not baseRegistryConfigSchema(): Docker Hub's uri has its own normalization (a bare namespace,
// the registry's other host names) and its repositories are a single name.
const configSchema = {
  uri: field.string({
    description: 'Your Docker Hub namespace (Docker ID or organization): `docker.io/<namespace>`; `myorg`, `index.docker.io/myorg` and `registry-1.docker.io/myorg` mean the same.',
    required: true,
    example: 'docker.io/myorg',
    normalize: normalizeDockerHubUri,
    check: dockerHubUriProblem,
  }),
  defaultRepository: field.string({
    description: 'The repository name used when an image name gives none, e.g. `pipelines` (Docker Hub repositories are one name under the namespace).',
    example: 'pipelines',
    normalize: (value: string) => value.replace(/^\/+|\/+$/g, ''),
    check: (value: string) => (/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(value) ? undefined : `"${value}" is not a Docker Hub repository name: lowercase letters, digits and single ".", "_" or "-", no "/".`),
  }),
  hubApiUrl: field.string({
    description: 'The Docker Hub API, for tag deletion and listings; an override for proxies and tests.',
    example: DOCKER_HUB_API_URL,
    normalize: (value: string) => value.replace(/\/+$/, ''),
    check: (value: string) => (/^https?:\/\/[^/]+/.test(value) ? undefined : `"${value}" is not an http(s) URL, e.g. ${DOCKER_HUB_API_URL}.`),
  }),
} as const;

/**
 * Docker Hub. Pushes go to `docker.io/<namespace>/<name>` with a Docker ID's password or access
 * token (a docker connector, or the docker config's `https://index.docker.io/v1/` entry). Tag
 * deletion and listings use the Hub API, because the registry refuses DELETE and counts
 * manifest reads as pulls.
 */
export const dockerhubFlavor = defineFlavor({
  specificationVersion: 'v1',
  id: 'dockerhub',
  displayName: 'Docker Hub',
  description: 'Docker Hub (docker.io/<namespace>), with a Docker ID and password or personal access token; tags deleted through the Hub API.',
  docsUrl: 'https://docs.docker.com/docker-hub/',
  packageName: '@registrykit/dockerhub',
  connectorTypes: ['docker'],
  configSchema,
  create(config, context): FlavorImplementation {
    const hub = createHubApiClient({ baseUrl: config.hubApiUrl, credentials: context.registryCredentials });

    /** A registry API call whose 429 says which Docker Hub limit was hit. */
    async function throughRegistry<T>(repository: string, action: string, options: CallOptions, work: (api: RegistryApi, request: RegistryApiRequest) => Promise<T>): Promise<T> {
      if (!context.registryApi) {
        const what = action.charAt(0).toUpperCase() + action.slice(1);
        throw new RegistryKitError('UNSUPPORTED', `${what} needs a registry client: pass \`registryApi: createOciClient()\` from @registrykit/oci.`, { details: { action } });
      }
      const credentials = await context.registryCredentials(options);
      try {
        return await work(context.registryApi, { credentials, signal: options.signal });
      } catch (error) {
        if (!RegistryKitError.hasCode(error, 'RATE_LIMITED')) throw error;
        const probed = await probeDockerHubRateLimit(repository, credentials, options);
        throw dockerHubRateLimitError({ headers: probed?.headers ?? {}, body: error.message }, action, { cause: error });
      }
    }

    return {
      isLocal: false,
      requiresAuthentication: true,
      async prepareImagePush(image, options) {
        if (image.repository.split('/').length !== 2) {
          const [namespace = '', ...rest] = image.repository.split('/');
          throw new RegistryKitError(
            'INVALID_ARGUMENT',
            `Docker Hub repositories are \`<namespace>/<name>\`; "${formatImageReference(image)}" has ${rest.length === 0 ? 'no name' : 'more'}: ` +
              `use e.g. "docker.io/${namespace}/${rest.join('-') || 'app'}".`,
            { details: { image: formatImageReference(image) } },
          );
        }
        // Docker Hub answers an anonymous push with "denied", which reads like a permission problem.
        if (!(await context.registryCredentials(options))) {
          throw new RegistryKitError(
            'AUTHENTICATION_FAILED',
            `Pushing ${formatImageReference(image)} needs your Docker ID: bind a docker connector (username and a personal access token), pass credentials, or run \`docker login\`.`,
            { details: { image: formatImageReference(image) } },
          );
        }
      },
      getImageDigest: (image, options) =>
        throughRegistry(image.repository, `reading the digest of ${formatImageReference(image)}`, options, (api, request) => api.getManifestDigest(image, request)),
      listTags: (repository, options) =>
        throughRegistry(repository.repository, `listing the tags of ${imageRepositoryName(repository)}`, options, (api, request) => api.listTags(repository, request)),
      listImages: async (repository, options) => imagesFromTags(await hub.listTags(repository.repository, options)),
      deleteImage: (image, options) =>
        deleteFromDockerHub(image, options, { hub, registryApi: context.registryApi, credentials: context.registryCredentials, name: imageRepositoryName(image) }),
    };
  },
});
