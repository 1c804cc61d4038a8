export { gcpFlavor, gcpFlavor as flavor } from './gcp-flavor.js';
export { gcpConnectorType, gcpConnectorType as connectorType } from './gcp-connector.js';
export { CLOUD_PLATFORM_SCOPE, GOOGLE_REGISTRY_USERNAME } from './gcp-auth.js';
export { GCR_HOSTS, gcpRegistryUriProblem, isGoogleRegistryHost, parseGcpRegistryUri, type GcpRegistryLocation } from './gcp-uri.js';
