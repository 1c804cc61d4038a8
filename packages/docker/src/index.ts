export { CHECKSUM_LABEL, computeBuildChecksum, type BaseImageIdentity, type BuildChecksum, type BuildChecksumInputs } from './build-checksum.js';
export { contextTar, listBuildContext, type ContextEntry } from './build-context.js';
export { layoutBuildContext, planDockerBuild, planDockerfile, renderDockerfile, type DockerBuildPlan, type DockerfilePlan } from './build-plan.js';
export { encodeDockerAuthConfig, toDockerAuthConfig, type DockerAuthConfig } from './docker-auth.js';
export {
  createDockerImageBuilder,
  type BuildImageRequest,
  type BuildProgressEvent,
  type BuildResult,
  type DockerImageBuilder,
  type DockerImageBuilderOptions,
} from './docker-builder.js';
export { connectDocker, type DockerConnectionOptions } from './docker-client.js';
export { createDockerPusher, type DockerPusherOptions } from './docker-pusher.js';
export {
  dockerSettingsSchema,
  resolveDockerSettings,
  type DockerSettings,
  type ResolveDockerSettingsOptions,
  type ResolvedDockerSettings,
} from './docker-settings.js';
export { choosePackageManager, dockerfileBaseImages, generateDockerfile, type GeneratedDockerfile, type PackageManager } from './dockerfile.js';
export { readEngineStream, EngineStreamError, type EngineMessage } from './engine-stream.js';
export { buildImageNames, checksumTag, sanitizeTag, timestampTag, type BuildImageNames } from './image-naming.js';
