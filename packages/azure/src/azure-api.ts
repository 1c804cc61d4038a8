import type { ContainerRegistryClient, ContainerRegistryClientOptions } from '@azure/container-registry';
import type { TokenCredential } from '@azure/identity';
import type { CallOptions } from '@registrykit/core';
import { acrFailure } from './azure-errors.js';

/** How the flavor's API calls authenticate. */
export type AcrAuth =
  /** An Entra ID identity, exchanged for ACR tokens by the SDK. */
  | { readonly kind: 'token-credential'; readonly credential: TokenCredential }
  /** The admin user, a repository-scoped token, or a service principal's id and secret. */
  | { readonly kind: 'basic'; readonly username: string; readonly password: string };

type PipelinePolicy = NonNullable<ContainerRegistryClientOptions['additionalPolicies']>[number]['policy'];

export interface AcrApiSettings {
  /** `https://<login server>`, or an override (a private link, a mirror, a test server). */
  readonly endpoint: string;
  readonly audience: string | undefined;
  /** Names the registry in messages. */
  readonly label: string;
  readonly auth: () => Promise<AcrAuth>;
}

export interface AcrCallOptions extends CallOptions {
  readonly repository?: string | undefined;
}

/** Calls ACR through `@azure/container-registry`, loaded on first use; failures become RegistryKitErrors. */
export interface AcrApi {
  call<Output>(action: string, run: (client: ContainerRegistryClient, abort: { abortSignal?: AbortSignal }) => Promise<Output>, options: AcrCallOptions): Promise<Output>;
}

/**
 * The SDK takes Entra ID credentials only. ACR also accepts HTTP Basic on its API (the admin
 * user, repository-scoped tokens, as the Azure CLI sends them), so for those the client runs
 * without a credential and this policy signs each request.
 */
function basicAuthPolicy(username: string, password: string): PipelinePolicy {
  const header = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  return {
    name: 'registrykitAcrBasicAuth',
    sendRequest(request, next) {
      if (!request.headers.has('authorization')) request.headers.set('authorization', header);
      return next(request);
    },
  };
}

export function createAcrApi(settings: AcrApiSettings): AcrApi {
  let client: Promise<ContainerRegistryClient> | undefined;

  async function connect(): Promise<ContainerRegistryClient> {
    const [sdk, auth] = await Promise.all([import('@azure/container-registry'), settings.auth()]);
    const options: ContainerRegistryClientOptions = settings.audience ? { audience: settings.audience } : {};
    if (auth.kind === 'token-credential') return new sdk.ContainerRegistryClient(settings.endpoint, auth.credential, options);
    return new sdk.ContainerRegistryClient(settings.endpoint, {
      ...options,
      additionalPolicies: [{ policy: basicAuthPolicy(auth.username, auth.password), position: 'perRetry' }],
    });
  }

  return {
    async call(action, run, options) {
      try {
        const connected = await (client ??= connect().catch((error: unknown) => {
          client = undefined;
          throw error;
        }));
        return await run(connected, options.signal ? { abortSignal: options.signal } : {});
      } catch (error) {
        throw acrFailure(error, { action, registry: settings.label, repository: options.repository });
      }
    },
  };
}
