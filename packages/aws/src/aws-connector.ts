import {
  type CallOptions,
  type ConfigSchema,
  field,
  RegistryKitError,
  type ServiceConnector,
  type ServiceConnectorType,
} from '@registrykit/core';
import { type AwsCredentials, createEcrApi, type EcrApi } from './aws-api.js';
import { type EcrRegistryHost, parseEcrHost, tryParseEcrHost } from './aws-uri.js';
import { fetchEcrCredentials } from './aws-auth.js';

/** An aws service connector: registry credentials for ECR, and AWS credentials for the flavor's API calls. */
export interface AwsServiceConnector extends ServiceConnector {
  readonly type: 'aws';
  /** The region of calls that name no registry (`verify` without a host); ECR calls use the registry's region. */
  readonly region: string | undefined;
  /** The ECR API endpoint override, if any (a VPC endpoint). */
  readonly endpoint: string | undefined;
  /** The AWS credentials this connector holds, as the SDK clients take them. */
  awsCredentials(): Promise<AwsCredentials>;
}

/** True when `connector` is an aws connector, whose AWS credentials the aws flavor then uses. */
export function isAwsConnector(connector: ServiceConnector | undefined): connector is AwsServiceConnector {
  return connector?.type === 'aws' && typeof (connector as Partial<AwsServiceConnector>).awsCredentials === 'function';
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

function endpointProblem(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${value}" must be an http(s) URL, e.g. https://api.ecr.eu-west-1.amazonaws.com.`;
    return undefined;
  } catch {
    return `"${value}" is not a URL; give the full endpoint, e.g. https://vpce-0123.api.ecr.eu-west-1.vpce.amazonaws.com.`;
  }
}

const commonFields = {
  region: field.string({
    description: 'The AWS region for calls that name no registry, e.g. `eu-west-1`; ECR calls use the region of the registry host.',
    example: 'eu-west-1',
    check: (value: string) => (REGION.test(value) ? undefined : `"${value}" is not an AWS region such as "eu-west-1".`),
  }),
  endpoint: field.string({
    description: 'The ECR API endpoint, when not the public one of the region: a VPC endpoint or a local test server.',
    example: 'https://vpce-0123456789abcdef0-abcdefgh.api.ecr.eu-west-1.vpce.amazonaws.com',
    check: endpointProblem,
  }),
} as const;

const keyFields = {
  accessKeyId: field.string({
    description: 'The AWS access key id, e.g. `AKIA…`.',
    example: 'AKIAIOSFODNN7EXAMPLE',
    check: (value: string) => (/^[A-Z0-9]{16,128}$/.test(value) ? undefined : 'is not an AWS access key id (16 or more capital letters and digits, e.g. AKIA…).'),
  }),
  secretAccessKey: field.string({ description: 'The secret access key of the access key id.', secret: true }),
  sessionToken: field.string({ description: 'The session token of temporary credentials (STS).', secret: true }),
} as const;

const profileField = field.string({ description: 'A profile of the shared AWS config and credentials files (~/.aws), e.g. `ci`.', example: 'ci' });

const authMethods = {
  implicit: {
    description: "The AWS SDK's default credential chain: environment variables, SSO, shared files, web identity, container and instance roles.",
    configSchema: { ...commonFields },
  },
  'secret-key': {
    description: 'An access key id and secret access key, with a session token for temporary credentials.',
    configSchema: {
      ...commonFields,
      ...keyFields,
      accessKeyId: { ...keyFields.accessKeyId, required: true },
      secretAccessKey: { ...keyFields.secretAccessKey, required: true },
    },
  },
  profile: {
    description: 'A named profile of the shared AWS config files (static keys, SSO, or a role with source_profile).',
    configSchema: { ...commonFields, profile: { ...profileField, required: true } },
  },
  'iam-role': {
    description: 'A role assumed with STS AssumeRole, from access keys, a profile, or the default chain.',
    configSchema: {
      ...commonFields,
      roleArn: field.string({
        description: 'The ARN of the role to assume.',
        required: true,
        example: 'arn:aws:iam::123456789012:role/registry-push',
        check: (value: string) => (/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(value) ? undefined : 'is not a role ARN such as arn:aws:iam::123456789012:role/registry-push.'),
      }),
      roleSessionName: field.string({ description: 'The session name recorded in CloudTrail. Default `registrykit`.', example: 'registrykit' }),
      externalId: field.string({ description: 'The external id the role trust policy requires, if any.' }),
      durationSeconds: field.integer({ description: 'How long the role credentials last, in seconds.', min: 900, max: 43_200, default: 3600 }),
      stsEndpoint: field.string({ description: 'The STS endpoint, when not the public one: a VPC endpoint or a local test server.', check: endpointProblem }),
      ...keyFields,
      profile: profileField,
    },
  },
} as const satisfies Record<string, { description: string; configSchema: ConfigSchema }>;

type AuthMethod = keyof typeof authMethods;

/** Builds the AWS credentials of an auth method; the SDK's providers are loaded only here. */
async function credentialsFor(method: AuthMethod, config: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): Promise<AwsCredentials> {
  const text = (key: string) => config[key] as string | undefined;
  const providers = await import('@aws-sdk/credential-providers');
  const fromKeys = (): AwsCredentials | undefined => {
    const accessKeyId = text('accessKeyId');
    const secretAccessKey = text('secretAccessKey');
    if (!accessKeyId || !secretAccessKey) return undefined;
    const sessionToken = text('sessionToken');
    return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
  };
  const fromProfile = (profile: string): AwsCredentials =>
    providers.fromIni({
      profile,
      ...(env['AWS_SHARED_CREDENTIALS_FILE'] ? { filepath: env['AWS_SHARED_CREDENTIALS_FILE'] } : {}),
      ...(env['AWS_CONFIG_FILE'] ? { configFilepath: env['AWS_CONFIG_FILE'] } : {}),
    });
  switch (method) {
    case 'implicit':
      return providers.fromNodeProviderChain();
    case 'secret-key':
      return fromKeys()!;
    case 'profile':
      return fromProfile(text('profile')!);
    case 'iam-role': {
      const profile = text('profile');
      const source = fromKeys() ?? (profile ? fromProfile(profile) : providers.fromNodeProviderChain());
      const region = text('region');
      const stsEndpoint = text('stsEndpoint');
      const externalId = text('externalId');
      return providers.fromTemporaryCredentials({
        masterCredentials: source,
        params: {
          RoleArn: text('roleArn')!,
          RoleSessionName: text('roleSessionName') ?? 'registrykit',
          DurationSeconds: config['durationSeconds'] as number,
          ...(externalId ? { ExternalId: externalId } : {}),
        },
        clientConfig: { ...(region ? { region } : {}), ...(stsEndpoint ? { endpoint: stsEndpoint } : {}) },
      });
    }
  }
}

/** The registry of the credentials' own account in `region`, from GetAuthorizationToken's proxy endpoint. */
async function callersRegistry(api: EcrApi, region: string, options: CallOptions): Promise<EcrRegistryHost> {
  const output = await api.call('GetAuthorizationToken', (client, sdk, signal) => client.send(new sdk.GetAuthorizationTokenCommand({}), signal), options);
  const host = output.authorizationData?.[0]?.proxyEndpoint?.replace(/^https?:\/\//, '').replace(/\/.*$/, '') ?? '';
  const registry = tryParseEcrHost(host);
  if (!registry) {
    throw new RegistryKitError('REGISTRY_ERROR', `ECR in ${region} answered GetAuthorizationToken without a registry endpoint; verify with a registry host instead.`, {
      details: { region },
    });
  }
  return registry;
}

/**
 * The `aws` service connector type: AWS credentials (default chain, access keys, a profile, or
 * an assumed role) that yield ECR registry credentials through GetAuthorizationToken.
 */
export const awsConnectorType: ServiceConnectorType = {
  specificationVersion: 'v1',
  type: 'aws',
  displayName: 'Amazon Web Services',
  description: 'AWS credentials for Amazon ECR: registry tokens from GetAuthorizationToken (12 h), and the ECR API calls of the aws flavor.',
  packageName: '@registrykit/aws',
  authMethods,
  create(authMethod, config, context): AwsServiceConnector {
    const method = authMethod as AuthMethod;
    const region = config['region'] as string | undefined;
    const endpoint = config['endpoint'] as string | undefined;
    let credentials: Promise<AwsCredentials> | undefined;
    const awsCredentials = () =>
      (credentials ??= credentialsFor(method, config, context.env).catch((error: unknown) => {
        credentials = undefined;
        throw error;
      }));
    const apis = new Map<string, EcrApi>();
    // One SDK client per region the connector is used in.
    const apiFor = (apiRegion: string, fips: boolean, label: string) => {
      const key = `${apiRegion}:${fips}`;
      let api = apis.get(key);
      if (!api) apis.set(key, (api = createEcrApi({ region: apiRegion, fips, endpoint, credentials: awsCredentials, label })));
      return api;
    };

    return {
      type: 'aws',
      authMethod,
      region,
      endpoint,
      awsCredentials,
      async getRegistryCredentials(host: string, options: CallOptions = {}) {
        const registry = parseEcrHost(host);
        return fetchEcrCredentials(apiFor(registry.region, registry.fips, registry.host), registry, options);
      },
      async verify(options = {}) {
        const named = options.registryHost === undefined ? undefined : parseEcrHost(options.registryHost);
        const verifyRegion = named?.region ?? region;
        if (!verifyRegion) {
          throw new RegistryKitError('INVALID_ARGUMENT', 'Verifying an aws connector needs a registry host or the connector\'s "region".', {
            details: { connector: 'aws' },
          });
        }
        const api = apiFor(verifyRegion, named?.fips ?? false, named?.host ?? `ECR in ${verifyRegion}`);
        // Without a host, the caller's own registry in the region is the one ECR names.
        const registry = named ?? (await callersRegistry(api, verifyRegion, options));
        // The token proves the credentials; DescribeRepositories proves they may use the ECR API.
        const credentials = await fetchEcrCredentials(api, registry, options);
        await api.call(
          'DescribeRepositories',
          (client, sdk, signal) => client.send(new sdk.DescribeRepositoriesCommand({ registryId: registry.accountId, maxResults: 1 }), signal),
          options,
        );
        if (options.registryApi) await options.registryApi.checkCredentials(registry.host, { credentials, signal: options.signal });
        return { resources: [registry.host] };
      },
    };
  },
};
