import { RegistryKitError, type ServiceConnector, type VerifyConnectorResult } from '@registrykit/core';
import { ociClientOptions } from '../oci-client-options.js';

/**
 * Proves a connector's credentials work, talking to the registry through the OCI registry API
 * (`@registrykit/oci`, loaded only here). Failures keep their code and say which connector failed.
 */
export async function verifyConnector(connector: ServiceConnector, name: string, env: NodeJS.ProcessEnv, registryHost?: string | undefined): Promise<VerifyConnectorResult> {
  const { createOciClient } = await import('@registrykit/oci');
  try {
    return await connector.verify({ registryHost, registryApi: createOciClient(ociClientOptions(env)) });
  } catch (error) {
    if (!RegistryKitError.isInstance(error)) throw error;
    const target = registryHost ?? connector.registryHost;
    throw new RegistryKitError(error.code, `The service connector "${name}" could not be verified${target ? ` against ${target}` : ''}: ${error.message}`, {
      cause: error,
      details: { ...error.details, connector: name },
    });
  }
}
