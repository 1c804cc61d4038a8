import { RegistryKitError } from '@registrykit/core';

/** An ECR registry host taken apart: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`. */
export interface EcrRegistryHost {
  readonly host: string;
  /** The 12-digit AWS account id, which is also the ECR registry id. */
  readonly accountId: string;
  readonly region: string;
  /** True for `dkr.ecr-fips` hosts: the API is then called on its FIPS endpoint too. */
  readonly fips: boolean;
}

export const ECR_URI_EXAMPLE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

const ECR_HOST = /^(\d{12})\.dkr\.ecr(-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(\.cn)?$/;

/** Takes an ECR host apart, or answers undefined when `host` is not one. */
export function tryParseEcrHost(host: string): EcrRegistryHost | undefined {
  const match = ECR_HOST.exec(host.toLowerCase());
  if (!match) return undefined;
  return { host: host.toLowerCase(), accountId: match[1]!, region: match[3]!, fips: match[2] !== undefined };
}

/** Takes an ECR host apart; throws INVALID_ARGUMENT showing the expected form. */
export function parseEcrHost(host: string): EcrRegistryHost {
  const parsed = tryParseEcrHost(host);
  if (!parsed) {
    throw new RegistryKitError('INVALID_ARGUMENT', `"${host}" is not an Amazon ECR registry host; expected <12-digit account>.dkr.ecr.<region>.amazonaws.com, e.g. ${ECR_URI_EXAMPLE}.`, {
      details: { host },
    });
  }
  return parsed;
}

/**
 * What is wrong with an aws flavor uri, and how to fix it; undefined when it is an ECR host.
 * The uri is the registry host only: repositories come from `defaultRepository` or the image
 * name, as in ZenML, because an ECR repository is a resource created on its own.
 */
export function ecrUriProblem(uri: string): string | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(uri);
  if (scheme) return `"${uri}" has a scheme; give the registry host without "${scheme[0]}", e.g. "${uri.slice(scheme[0].length).replace(/\/.*$/, '')}".`;
  const slash = uri.indexOf('/');
  if (slash !== -1) {
    const host = uri.slice(0, slash);
    const path = uri.slice(slash + 1);
    return `"${uri}" has a path; the uri is the registry host only. Use uri "${host}" and put "${path}" in defaultRepository (or in the image name).`;
  }
  if (uri.toLowerCase() === 'public.ecr.aws') return '"public.ecr.aws" is ECR Public, which this flavor does not manage; give a private registry host, e.g. ' + `${ECR_URI_EXAMPLE}.`;
  if (uri !== uri.toLowerCase()) return `"${uri}" must be lowercase: "${uri.toLowerCase()}".`;
  if (!tryParseEcrHost(uri)) {
    return `"${uri}" is not an Amazon ECR registry host; expected <12-digit account>.dkr.ecr.<region>.amazonaws.com (or dkr.ecr-fips, or .amazonaws.com.cn), e.g. ${ECR_URI_EXAMPLE}.`;
  }
  return undefined;
}
