import {
  baseRegistryConfigSchema,
  defineFlavor,
  dockerConfigPath,
  field,
  type FlavorImplementation,
  hostFromServerAddress,
  readDockerConfig,
  RegistryKitError,
} from '@registrykit/core';
import { createGoogleTokenSource } from './gcp-auth.js';
import { gcpRegistryUriProblem, parseGcpRegistryUri } from './gcp-uri.js';

const configSchema = {
  ...baseRegistryConfigSchema({
    uriDescription:
      'An Artifact Registry repository, `<location>-docker.pkg.dev/<project>/<repository>`, or a Container Registry project, `gcr.io/<project>` (also us., eu., asia.gcr.io).',
    uriExample: 'europe-west4-docker.pkg.dev/my-project/images',
    checkUri: gcpRegistryUriProblem,
  }),
  tokenEndpoint: field.string({
    description:
      "Google's OAuth 2.0 token endpoint for Application Default Credentials, for private connectivity (Private Service Connect); default: the key's token_uri, else https://oauth2.googleapis.com/token.",
    example: 'https://oauth2-myendpoint.p.googleapis.com/token',
    check: (value: string) => (/^https:\/\/[^/]+/.test(value) ? undefined : `"${value}" is not an https URL, e.g. https://oauth2.googleapis.com/token.`),
  }),
} as const;

/**
 * Google Artifact Registry and Container Registry. Credentials are `oauth2accesstoken` and a
 * Google access token (scope cloud-platform) from a gcp connector or Application Default
 * Credentials, refreshed before their hour is up. Digests, tags and deletion by digest go
 * through the registry API.
 */
export const gcpFlavor = defineFlavor({
  specificationVersion: 'v1',
  id: 'gcp',
  displayName: 'Google Artifact Registry',
  description: 'Google Artifact Registry (<location>-docker.pkg.dev) and Container Registry (gcr.io), with a service-account key or Application Default Credentials.',
  docsUrl: 'https://cloud.google.com/artifact-registry/docs/docker/authentication',
  packageName: '@registrykit/gcp',
  connectorTypes: ['gcp'],
  configSchema,
  create(config, context): FlavorImplementation {
    const base = { requiresAuthentication: true, isLocal: false } as const;
    // A bound connector supplies credentials before the flavor is asked; without one, ADC.
    if (context.connector) return base;
    const host = parseGcpRegistryUri(config.uri).host;
    const ambient = createGoogleTokenSource({ tokenEndpoint: config.tokenEndpoint, env: context.env, source: 'Application Default Credentials' });
    return {
      ...base,
      async getCredentials(options) {
        try {
          return await ambient.registryCredentials(options);
        } catch (error) {
          // `gcloud auth configure-docker` users have a credential helper instead of ADC: let the
          // component find it in the docker config, and fail here only when there is nothing there.
          if (RegistryKitError.hasCode(error, 'AUTHENTICATION_FAILED') && error.details['adcMissing'] === true && (await dockerConfigMentions(host, context.env))) {
            return undefined;
          }
          throw error;
        }
      },
      invalidateCredentials: () => ambient.invalidate(),
    };
  },
});

async function dockerConfigMentions(host: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const dockerConfig = await readDockerConfig(dockerConfigPath(env));
  if (!dockerConfig) return false;
  if (dockerConfig.credHelpers?.[host] !== undefined || dockerConfig.credsStore !== undefined) return true;
  return Object.keys(dockerConfig.auths ?? {}).some((key) => hostFromServerAddress(key) === host);
}
