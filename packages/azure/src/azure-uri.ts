import { RegistryKitError, repositoryPathProblem } from '@registrykit/core';

/** An ACR login server taken apart: `<name>.azurecr.io` or a national cloud's suffix. */
export interface AcrRegistryHost {
  readonly host: string;
  /** The registry name, 5 to 50 letters and digits. */
  readonly name: string;
  readonly cloud: AzureCloud;
}

export type AzureCloud = 'public' | 'china' | 'government' | 'germany';

export const ACR_URI_EXAMPLE = 'myregistry.azurecr.io';

const SUFFIXES: Readonly<Record<string, AzureCloud>> = {
  'azurecr.io': 'public',
  'azurecr.cn': 'china',
  'azurecr.us': 'government',
  'azurecr.de': 'germany',
};

/**
 * The Entra ID audience of each cloud's container registries, as the SDK's
 * KnownContainerRegistryAudience names them; the public cloud uses the SDK's default
 * (`https://containerregistry.azure.net`).
 */
export const CLOUD_AUDIENCES: Readonly<Record<AzureCloud, string | undefined>> = {
  public: undefined,
  china: 'https://management.chinacloudapi.cn',
  government: 'https://management.usgovcloudapi.net',
  germany: 'https://management.microsoftazure.de',
};

const ACR_HOST = /^([a-z0-9]{5,50})\.(azurecr\.(?:io|cn|us|de))$/;

export function tryParseAcrHost(host: string): AcrRegistryHost | undefined {
  const match = ACR_HOST.exec(host);
  if (!match) return undefined;
  return { host, name: match[1]!, cloud: SUFFIXES[match[2]!]! };
}

/** Takes an ACR host apart; throws INVALID_ARGUMENT showing the expected form. */
export function parseAcrHost(host: string): AcrRegistryHost {
  const parsed = tryParseAcrHost(host.toLowerCase());
  if (!parsed) {
    throw new RegistryKitError('INVALID_ARGUMENT', `"${host}" is not an Azure Container Registry login server; expected <name>.azurecr.io, e.g. ${ACR_URI_EXAMPLE}.`, {
      details: { host },
    });
  }
  return parsed;
}

/** What is wrong with an azure flavor uri (`<name>.azurecr.io[/namespace]`) and how to fix it. */
export function acrUriProblem(uri: string): string | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(uri);
  if (scheme) return `"${uri}" has a scheme; give the login server without "${scheme[0]}", e.g. "${uri.slice(scheme[0].length)}".`;
  if (uri !== uri.toLowerCase()) return `"${uri}" must be lowercase: "${uri.toLowerCase()}" (ACR login servers are lowercase).`;
  const slash = uri.indexOf('/');
  const host = slash === -1 ? uri : uri.slice(0, slash);
  const namespace = slash === -1 ? '' : uri.slice(slash + 1);
  if (!tryParseAcrHost(host)) {
    const name = host.split('.')[0] ?? '';
    const why = /^[a-z0-9]+$/.test(name) && (name.length < 5 || name.length > 50) ? ` ACR names have 5 to 50 letters and digits; "${name}" has ${name.length}.` : '';
    return `"${host}" is not an Azure Container Registry login server; expected <name>.azurecr.io (or .azurecr.cn, .azurecr.us), e.g. ${ACR_URI_EXAMPLE}.${why}`;
  }
  if (namespace.length > 0) {
    if (/[:@]/.test(namespace)) return `"${uri}" names an image; the uri is the login server and an optional namespace, without a tag or digest.`;
    const problem = repositoryPathProblem(namespace);
    if (problem) return `the namespace of "${uri}" is invalid: ${problem}`;
  }
  return undefined;
}
