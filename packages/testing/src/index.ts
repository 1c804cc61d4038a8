export { startDockerEngine, type DockerEngineFixture, type StartDockerEngineOptions } from './docker-engine.js';
export { freePort } from './processes.js';
export {
  startFaultProxy,
  type FaultAction,
  type FaultProxyFixture,
  type FaultRule,
  type ProxiedRequest,
  type StartFaultProxyOptions,
} from './fault-proxy.js';
export { startRegistry, type RegistryAuth, type RegistryFixture, type StartRegistryOptions } from './registry-server.js';
export { commandExists, ensureCommands, SERVICE_COMMANDS, type RequiredCommand } from './system-packages.js';
export { buildTestImage, type BuildTestImageOptions } from './test-images.js';
export { createTestOciLayout, type CreateTestOciLayoutOptions, type TestOciLayout } from './oci-layouts.js';
export { skopeoInspect, skopeoRawManifest, type SkopeoInspection, type SkopeoOptions } from './skopeo.js';
export {
  certificateDirectory,
  createSelfSignedCertificate,
  createTestCertificateAuthority,
  loadTestCertificateAuthority,
  trustInDockerEngine,
  type CertificateFiles,
  type TestCertificateAuthority,
} from './certificates.js';
export { loopbackAddress, mapHostname } from './hosts-file.js';
export {
  parseTokenScope,
  startTokenIssuer,
  type StartTokenIssuerOptions,
  type TokenAccess,
  type TokenIssuerFixture,
  type TokenRequestRecord,
} from './token-issuer.js';
export { uploadTestImage, uploadTestIndex, type UploadedManifest, type UploadTarget } from './registry-content.js';
export {
  listStoredRepositories,
  readStoredManifests,
  readStoredRepository,
  removeStoredTag,
  type StoredManifest,
  type StoredRepository,
} from './registry-storage.js';
export { waitForEngineToResolve } from './engine-resolution.js';
export { readRequestBody, startFrontServer, type FrontRequestRecord, type FrontServerFixture, type StartFrontServerOptions } from './front-server.js';
export { startHostedRegistry, type HostedRegistryFixture, type StartHostedRegistryOptions } from './hosted-registry.js';
export { createDockerConfigSandbox, type DockerConfigSandbox } from './docker-config-sandbox.js';
export { runFlavorConformance } from './conformance/flavor-conformance.js';
export type {
  CapabilityName,
  ConformanceTestApi,
  FlavorCapabilities,
  FlavorConformanceOptions,
  ImageExamples,
  InvalidConfigExample,
  LiveConformanceOptions,
  LiveConformanceTarget,
} from './conformance/conformance-options.js';
