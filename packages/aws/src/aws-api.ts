import type { ECRClient, ECRClientConfig } from '@aws-sdk/client-ecr';
import type { CallOptions } from '@registrykit/core';
import { ecrFailure } from './aws-errors.js';

/** AWS credentials as the SDK clients take them: an identity or a provider of identities. */
export type AwsCredentials = NonNullable<ECRClientConfig['credentials']>;

export type EcrSdk = typeof import('@aws-sdk/client-ecr');

export interface EcrApiSettings {
  readonly region: string;
  /** Use the region's FIPS endpoint (registries on `dkr.ecr-fips` hosts). */
  readonly fips: boolean;
  /** The ECR API endpoint, e.g. a VPC endpoint `https://vpce-….api.ecr.eu-west-1.vpce.amazonaws.com`; default: the region's. */
  readonly endpoint?: string | undefined;
  /** AWS credentials; default: the SDK's default credential chain. */
  readonly credentials?: (() => Promise<AwsCredentials>) | undefined;
  /** Names the registry (or endpoint) in messages. */
  readonly label: string;
}

export interface EcrCallOptions extends CallOptions {
  readonly repository?: string | undefined;
}

/** Calls ECR through the AWS SDK, which is loaded on first use; failures become RegistryKitErrors. */
export interface EcrApi {
  call<Output>(operation: string, run: (client: ECRClient, sdk: EcrSdk, signal: { abortSignal?: AbortSignal }) => Promise<Output>, options: EcrCallOptions): Promise<Output>;
}

export function createEcrApi(settings: EcrApiSettings): EcrApi {
  let client: Promise<{ client: ECRClient; sdk: EcrSdk }> | undefined;

  async function connect(): Promise<{ client: ECRClient; sdk: EcrSdk }> {
    const sdk = await import('@aws-sdk/client-ecr');
    const credentials = settings.credentials ? await settings.credentials() : undefined;
    const config: ECRClientConfig = {
      region: settings.region,
      useFipsEndpoint: settings.fips,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    };
    return { client: new sdk.ECRClient(config), sdk };
  }

  return {
    async call(operation, run, options) {
      const context = { operation, registry: settings.label, region: settings.region, repository: options.repository };
      try {
        // A failed connect (no credentials yet) is retried on the next call.
        const connected = await (client ??= connect().catch((error: unknown) => {
          client = undefined;
          throw error;
        }));
        return await run(connected.client, connected.sdk, options.signal ? { abortSignal: options.signal } : {});
      } catch (error) {
        throw ecrFailure(error, context);
      }
    },
  };
}
