import {
  type BasicCredentials,
  type CallOptions,
  defineFlavor,
  field,
  type FlavorImplementation,
  type ImageSummary,
  parseRegistryUri,
  RegistryKitError,
  repositoryPathProblem,
} from '@registrykit/core';
import { createGitHubPackagesClient } from './github-api.js';
import { createGitHubDeletion, packageOf } from './github-images.js';
import { defaultGitHubApiUrl, gitHubRegistryUriProblem } from './github-uri.js';

const configSchema = {
  uri: field.string({
    description: 'The owner (user or organization) images are pushed under: `ghcr.io/<owner>`, lowercase.',
    required: true,
    example: 'ghcr.io/octo-org',
    normalize: (value: string) => value.trim().replace(/\/+$/, ''),
    check: gitHubRegistryUriProblem,
  }),
  defaultRepository: field.string({
    description: 'The package (path under the owner) used when an image name gives none, e.g. `pipelines`.',
    example: 'pipelines',
    normalize: (value: string) => value.replace(/^\/+|\/+$/g, ''),
    check: (value: string) => repositoryPathProblem(value),
  }),
  apiUrl: field.string({
    description: 'The GitHub REST API that manages the packages; default https://api.github.com for ghcr.io, derived from the host for GitHub Enterprise.',
    example: 'https://github.example.com/api/v3',
    normalize: (value: string) => value.replace(/\/+$/, ''),
    check: (value: string) => (/^https?:\/\/[^/]+/.test(value) ? undefined : `"${value}" is not an http(s) URL, e.g. https://api.github.com.`),
  }),
} as const;

/**
 * GitHub Container Registry. Credentials are a token (GITHUB_TOKEN from the environment, or a
 * personal access token from a docker connector or the docker config); the same token drives
 * the GitHub Packages API, through which images are listed and deleted, because GHCR refuses
 * registry DELETE. Platform images of tagged multi-arch indexes are never deleted.
 */
export const githubFlavor = defineFlavor({
  specificationVersion: 'v1',
  id: 'github',
  displayName: 'GitHub Container Registry',
  description: 'GitHub Container Registry (ghcr.io/<owner>) with GITHUB_TOKEN or a personal access token; deletion through the GitHub Packages API.',
  docsUrl: 'https://docs.github.com/packages/working-with-a-github-packages-registry/working-with-the-container-registry',
  packageName: '@registrykit/github',
  connectorTypes: ['docker'],
  configSchema,
  create(config, context): FlavorImplementation {
    const { host, namespace } = parseRegistryUri(config.uri);
    const owner = namespace.split('/')[0] ?? '';
    const packages = createGitHubPackagesClient({ apiUrl: config.apiUrl ?? defaultGitHubApiUrl(host), credentials: context.registryCredentials });

    /** The repository's tagged images with their index children: what must never be deleted from under them. */
    async function taggedImages(repository: string, options: CallOptions): Promise<ImageSummary[]> {
      if (!context.registryApi) {
        throw new RegistryKitError(
          'UNSUPPORTED',
          'Listing and deleting on GitHub need a registry client to read image indexes, so that no platform image of a tagged multi-arch image is taken for garbage: ' +
            'pass `registryApi: createOciClient()` from @registrykit/oci.',
          { details: { registry: host } },
        );
      }
      return context.registryApi.listImages({ registry: host, repository }, { credentials: await context.registryCredentials(options), signal: options.signal });
    }

    const deletion = createGitHubDeletion({ packages, taggedImages });

    return {
      isLocal: false,
      requiresAuthentication: true,
      async getCredentials(): Promise<BasicCredentials | undefined> {
        const token = context.env['GITHUB_TOKEN'];
        if (!token) return undefined;
        // GHCR ignores the user name of a token login; GITHUB_ACTOR is what Actions set.
        return { type: 'basic', username: context.env['GITHUB_ACTOR'] || owner, password: token };
      },
      async prepareImagePush(image, options) {
        if (!(await context.registryCredentials(options))) {
          throw new RegistryKitError(
            'AUTHENTICATION_FAILED',
            `Pushing to ${host} needs a token: set GITHUB_TOKEN (in a workflow, with \`permissions: packages: write\`), bind a docker connector with a personal access token (write:packages), or run \`docker login ${host}\`.`,
            { details: { image: `${image.registry}/${image.repository}` } },
          );
        }
      },
      async listImages(repository, options): Promise<ImageSummary[]> {
        const { owner: packageOwner, name } = packageOf(repository);
        const [versions, tagged] = await Promise.all([packages.listVersions(packageOwner, name, options), taggedImages(repository.repository, options)]);
        // The registry knows media types, sizes and index children of tagged images; the API knows every version.
        const known = new Map(tagged.map((image) => [image.digest, image]));
        return versions.map((version) => {
          const { mediaType, sizeBytes, childDigests } = known.get(version.digest) ?? {};
          return {
            digest: version.digest,
            tags: version.tags,
            pushedAt: version.updatedAt ?? version.createdAt,
            ...(mediaType ? { mediaType } : {}),
            ...(sizeBytes !== undefined ? { sizeBytes } : {}),
            ...(childDigests?.length ? { childDigests } : {}),
          };
        });
      },
      deleteImage: deletion.deleteImage,
      deleteImages: deletion.deleteImages,
    };
  },
});
