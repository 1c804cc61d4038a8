import { RegistryKitError } from '@registrykit/core';

/** What was being done when an AWS call failed, for the message. */
export interface EcrCallContext {
  /** The API operation, e.g. `DescribeRepositories`. */
  readonly operation: string;
  /** The ECR registry host, or the API endpoint when there is none. */
  readonly registry: string;
  readonly region: string;
  readonly repository?: string | undefined;
}

const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'IncompleteSignature',
  'MissingAuthenticationToken',
]);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied']);
const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

export const NO_AWS_CREDENTIALS_HINT =
  'Give AWS credentials the SDK finds (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, a web identity, or an instance or task role), ' +
  'or bind an aws service connector (secret-key, profile or iam-role).';

/** The IAM permission that was missing: as AWS names it in its message, else the ECR operation's. */
const permission = (operation: string, message: string) => /not authorized to perform: ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1] ?? `ecr:${operation}`;

/** Turns an AWS SDK failure into a typed error that says what to do; the SDK error stays the cause. */
export function ecrFailure(error: unknown, context: EcrCallContext): RegistryKitError {
  if (RegistryKitError.isInstance(error)) return error;
  const name = (error as { name?: string } | undefined)?.name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const details = { registry: context.registry, region: context.region, operation: context.operation, awsError: name };
  const where = `${context.operation} on ${context.registry}`;
  if (name === 'AbortError') return new RegistryKitError('ABORTED', `Aborted ${where}.`, { cause: error, details });
  if (name === 'CredentialsProviderError' || name === 'ProviderError' || /could not load credentials/i.test(message)) {
    return new RegistryKitError('AUTHENTICATION_FAILED', `No AWS credentials for ${where}: ${message} ${NO_AWS_CREDENTIALS_HINT}`, { cause: error, details });
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new RegistryKitError(
      'AUTHENTICATION_FAILED',
      `AWS refused the credentials for ${where} (${name}: ${message}). Check the access key, or refresh the session or role credentials.`,
      { cause: error, details },
    );
  }
  if (DENIED.has(name)) {
    return new RegistryKitError(
      'PERMISSION_DENIED',
      `AWS denied ${where}: ${message} Grant the caller the IAM permission "${permission(context.operation, message)}"` +
        `${context.repository && permission(context.operation, message).startsWith('ecr:') ? ` on the repository "${context.repository}"` : ''}.`,
      { cause: error, details },
    );
  }
  if (name === 'RepositoryNotFoundException') return missingRepositoryError(context.registry, context.region, context.repository ?? '(unknown)', error);
  if (THROTTLED.has(name)) {
    return new RegistryKitError('RATE_LIMITED', `AWS throttled ${where}: ${message} Wait and retry.`, { cause: error, details });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && UNREACHABLE.has(code)) {
    return new RegistryKitError(
      'REGISTRY_ERROR',
      `Cannot reach the ECR API for ${where} (${code}). Check the network, or the "endpoint" setting when you use a VPC endpoint.`,
      { cause: error, details },
    );
  }
  return new RegistryKitError('REGISTRY_ERROR', `ECR failed ${where}: ${name ? `${name}: ` : ''}${message}`, { cause: error, details });
}

/** A repository that does not exist, with both ways out. */
export function missingRepositoryError(registry: string, region: string, repository: string, cause?: unknown): RegistryKitError {
  return new RegistryKitError(
    'NOT_FOUND',
    `The ECR repository "${repository}" does not exist in ${registry}. ECR needs a repository before the first push: create it with ` +
      `\`aws ecr create-repository --repository-name ${repository} --region ${region}\`, or set \`createRepository: true\` in the aws flavor's config.`,
    { cause, details: { registry, repository } },
  );
}

/** True when `error` is the AWS SDK's error of that name (e.g. `RepositoryNotFoundException`). */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  return typeof error === 'object' && error !== null && names.includes((error as { name?: string }).name ?? '');
}
