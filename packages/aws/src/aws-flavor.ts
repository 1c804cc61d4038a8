import { baseRegistryConfigSchema, defineFlavor, field, type FlavorImplementation } from '@registrykit/core';
import { createEcrApi } from './aws-api.js';
import { isAwsConnector } from './aws-connector.js';
import { createEcrImages } from './aws-images.js';
import { ECR_URI_EXAMPLE, ecrUriProblem, parseEcrHost } from './aws-uri.js';
import { createRepositoryPreparer, listEcrRepositories } from './aws-repositories.js';
import { fetchEcrCredentials } from './aws-auth.js';

const configSchema = {
  ...baseRegistryConfigSchema({
    uriDescription: 'The ECR registry host, `<account>.dkr.ecr.<region>.amazonaws.com`, without a path: repositories come from defaultRepository or the image name.',
    uriExample: ECR_URI_EXAMPLE,
    checkUri: ecrUriProblem,
  }),
  createRepository: field.boolean({
    description: 'Create a missing repository before the first push instead of failing. Needs ecr:CreateRepository.',
    default: false,
  }),
  imageTagMutability: field.enum({
    description: 'Tag mutability of repositories this flavor creates.',
    values: ['MUTABLE', 'IMMUTABLE'],
    default: 'MUTABLE',
  }),
  scanOnPush: field.boolean({ description: 'Turn on image scanning on push for repositories this flavor creates.', default: false }),
  endpoint: field.string({
    description: 'The ECR API endpoint, when not the public one of the region: a VPC endpoint, or a local test server.',
    example: 'https://vpce-0123456789abcdef0-abcdefgh.api.ecr.eu-west-1.vpce.amazonaws.com',
    check: (value: string) => (/^https?:\/\/[^/\s]+/.test(value) ? undefined : `"${value}" must be an http(s) URL, e.g. https://api.ecr.eu-west-1.amazonaws.com.`),
  }),
} as const;

/**
 * Amazon Elastic Container Registry. Registry credentials come from GetAuthorizationToken (12 h
 * tokens, refreshed before they lapse and again when the registry says they expired); AWS
 * credentials from a bound aws connector or the SDK's default chain. Repositories must exist
 * before a push: checked by name, created when `createRepository` is set. Digests, listing and
 * deletion use ECR's own API.
 */
export const awsFlavor = defineFlavor({
  specificationVersion: 'v1',
  id: 'aws',
  displayName: 'Amazon Elastic Container Registry (ECR)',
  description: 'Amazon ECR private registries, through the AWS SDK: 12-hour registry tokens, repositories created on demand, batch deletion.',
  docsUrl: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/what-is-ecr.html',
  packageName: '@registrykit/aws',
  connectorTypes: ['aws'],
  configSchema,
  create(config, context): FlavorImplementation {
    const registry = parseEcrHost(config.uri);
    const connector = isAwsConnector(context.connector) ? context.connector : undefined;
    const api = createEcrApi({
      region: registry.region,
      fips: registry.fips,
      endpoint: config.endpoint ?? connector?.endpoint,
      credentials: connector ? () => connector.awsCredentials() : undefined,
      label: registry.host,
    });
    const prepare = createRepositoryPreparer(api, registry, {
      createRepository: config.createRepository,
      imageTagMutability: config.imageTagMutability,
      scanOnPush: config.scanOnPush,
    });
    const images = createEcrImages(api, registry);
    return {
      requiresAuthentication: true,
      isLocal: false,
      prepareImagePush: (image, options) => prepare(image.repository, options),
      // No cache here: the component keeps the token until five minutes before it lapses, and
      // asks again after the registry refused it.
      getCredentials: (options) => fetchEcrCredentials(api, registry, options),
      listRepositories: (options) => listEcrRepositories(api, registry, options),
      getImageDigest: images.getImageDigest,
      listTags: images.listTags,
      listImages: images.listImages,
      deleteImage: (image, options) => images.deleteImages([image], options),
      deleteImages: images.deleteImages,
    };
  },
});
