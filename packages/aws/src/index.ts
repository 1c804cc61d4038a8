export { awsFlavor, awsFlavor as flavor } from './aws-flavor.js';
export { awsConnectorType, awsConnectorType as connectorType, isAwsConnector, type AwsServiceConnector } from './aws-connector.js';
export type { AwsCredentials } from './aws-api.js';
export { ECR_BATCH_SIZE } from './aws-images.js';
export { parseEcrHost, tryParseEcrHost, type EcrRegistryHost } from './aws-uri.js';
