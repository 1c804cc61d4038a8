export {
  configProblems,
  configSchemaToJsonSchema,
  field,
  parseConfigValue,
  validateConfig,
  type BooleanField,
  type ConfigField,
  type ConfigOf,
  type ConfigProblem,
  type ConfigSchema,
  type EnumField,
  type IntegerField,
  type StringField,
  type StringListField,
  type StringMapField,
} from './config-schema.js';
export {
  createContainerRegistry,
  type ContainerRegistry,
  type CreateContainerRegistryOptions,
  type CredentialSource,
  type PushImageOptions,
  type ResolvedRegistryCredentials,
} from './container-registry.js';
export { getFromCredentialHelper, type CredentialHelperOptions } from './credentials/credential-helper.js';
export {
  DOCKER_HUB_SERVER_ADDRESS,
  dockerConfigPath,
  dockerServerAddress,
  hostFromServerAddress,
  readDockerConfig,
  type DockerConfig,
  type DockerConfigAuthEntry,
} from './credentials/docker-config.js';
export {
  createDockerCredentialResolver,
  type DockerCredentialResolver,
  type DockerCredentialResolverOptions,
  type ResolvedCredentials,
} from './credentials/docker-credential-resolver.js';
export {
  basicCredentials,
  credentialsExpireSoon,
  describeCredentials,
  type BasicCredentials,
  type BearerTokenCredentials,
  type CredentialProvider,
  type IdentityTokenCredentials,
  type RegistryCredentials,
} from './credentials/registry-credentials.js';
export { defaultFlavor } from './default-flavor.js';
export { dockerConnectorType } from './docker-connector.js';
export { ERROR_CODES, RegistryKitError, type RegistryKitErrorCode, type RegistryKitErrorOptions } from './errors.js';
export {
  assertFlavor,
  baseRegistryConfigSchema,
  defineFlavor,
  flavorProblems,
  type BaseConfigSchemaOptions,
  type BaseRegistryConfigSchema,
  type CallOptions,
  type ContainerRegistryFlavor,
  type FlavorContext,
  type FlavorImplementation,
} from './flavor.js';
export {
  canonicalRegistryHost,
  DOCKER_HUB_ALIASES,
  DOCKER_HUB_REGISTRY,
  familiarImageReference,
  formatImageReference,
  imageRepositoryName,
  isValidDigest,
  isValidTag,
  parseImageReference,
  registryHostProblem,
  repositoryPathProblem,
  tryParseImageReference,
  type ImageReference,
} from './image-reference.js';
export type { ImagePushRequest, ImagePusher, LayerStatus, PushProgressEvent, PushResult } from './image-pusher.js';
export type { DeleteImageResult, ImageSummary, RegistryApi, RegistryApiRequest, RepositoryReference } from './registry-api.js';
export { isLoopbackHost, normalizeRegistryUri, parseRegistryUri, registryUriProblem, type RegistryUri } from './registry-uri.js';
export {
  createServiceConnector,
  type ConnectorAuthMethod,
  type CreateConnectorContext,
  type CreateServiceConnectorOptions,
  type ServiceConnector,
  type ServiceConnectorType,
  type VerifyConnectorOptions,
  type VerifyConnectorResult,
} from './service-connector.js';
