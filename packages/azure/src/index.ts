export { azureFlavor, azureFlavor as flavor } from './azure-flavor.js';
export {
  azureConnectorType,
  azureConnectorType as connectorType,
  createAzureConnector,
  isAzureConnector,
  type AzureServiceConnector,
  type CreateAzureConnectorOptions,
} from './azure-connector.js';
export { ACR_REFRESH_TOKEN_USERNAME } from './azure-auth.js';
export { parseAcrHost, tryParseAcrHost, type AcrRegistryHost, type AzureCloud } from './azure-uri.js';
