import { RegistryKitError } from '@registrykit/core';

export interface AcrCallContext {
  /** What was being done, e.g. `listing manifests`. */
  readonly action: string;
  readonly registry: string;
  readonly repository?: string | undefined;
}

export const NO_AZURE_CREDENTIALS_HINT =
  'Give credentials the Azure SDK finds (AZURE_TENANT_ID with AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, a workload or managed identity, or `az login`), ' +
  'bind an azure service connector (service-principal, implicit or access-token), or pass the admin user or a repository-scoped token as username and password.';

const UNAVAILABLE = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

/** The first ACR error message in a REST error, without the request details the SDK appends. */
function serviceMessage(error: unknown): string {
  const body = (error as { details?: { errors?: { message?: string }[] } } | undefined)?.details;
  const message = body?.errors?.[0]?.message;
  if (message) return message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The SDK's RestError carries the request, Authorization header included (an ACR token, or the
 * Basic password). The cause kept is a copy without request and response.
 */
function withoutRequest(error: unknown): unknown {
  if (typeof error !== 'object' || error === null || !('request' in error)) return error;
  const source = error as unknown as Error & { statusCode?: number; code?: string; details?: unknown };
  const copy = new Error(source.message) as Error & { statusCode?: number; code?: string; details?: unknown };
  copy.name = source.name;
  if (source.statusCode !== undefined) copy.statusCode = source.statusCode;
  if (source.code !== undefined) copy.code = source.code;
  if (source.details !== undefined) copy.details = source.details;
  return copy;
}

/** Turns an Azure SDK or identity failure into a typed error that says what to do. */
export function acrFailure(raw: unknown, context: AcrCallContext): RegistryKitError {
  if (RegistryKitError.isInstance(raw)) return raw;
  const error = withoutRequest(raw);
  const name = (error as { name?: string } | undefined)?.name ?? '';
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  const code = (error as { code?: string } | undefined)?.code;
  const message = serviceMessage(error);
  const where = `${context.action} on ${context.registry}`;
  const details = { registry: context.registry, ...(context.repository ? { repository: context.repository } : {}), ...(status ? { status } : {}) };
  if (name === 'AbortError') return new RegistryKitError('ABORTED', `Aborted ${where}.`, { cause: error, details });
  if (UNAVAILABLE.has(name)) {
    return new RegistryKitError('AUTHENTICATION_FAILED', `No Azure credentials for ${where}. ${NO_AZURE_CREDENTIALS_HINT}`, { cause: error, details });
  }
  if (name === 'AuthenticationError' || name === 'AuthenticationRequiredError') {
    return new RegistryKitError(
      'AUTHENTICATION_FAILED',
      `Entra ID refused the credentials for ${where}: ${message.split('\n')[0]} Check the tenant, client id and secret (or the managed identity).`,
      { cause: error, details },
    );
  }
  if (status === 401) {
    return new RegistryKitError('AUTHENTICATION_FAILED', `${context.registry} refused the credentials while ${context.action}: ${message}. Check the username and password, or the identity's access to the registry.`, {
      cause: error,
      details,
    });
  }
  if (status === 403) {
    return new RegistryKitError(
      'PERMISSION_DENIED',
      `${context.registry} denied ${context.action}: ${message}. Give the identity a role that allows it (e.g. AcrPush, or AcrDelete for deletion), or widen the token's scope map.`,
      { cause: error, details },
    );
  }
  if (status === 404) {
    const what = context.repository ? `the repository "${context.repository}" or the image` : 'what was asked for';
    return new RegistryKitError(
      'NOT_FOUND',
      `${context.registry} has no ${what} (${message}) while ${context.action}. ACR creates a repository on its first push: check the name, or push first.`,
      { cause: error, details },
    );
  }
  if (status === 429) return new RegistryKitError('RATE_LIMITED', `${context.registry} throttled ${context.action}: ${message}. Wait and retry.`, { cause: error, details });
  if (code && UNREACHABLE.has(code)) {
    return new RegistryKitError('REGISTRY_ERROR', `Cannot reach ${context.registry} while ${context.action} (${code}). Check the network, or the "endpoint" setting for a private link.`, {
      cause: error,
      details,
    });
  }
  return new RegistryKitError('REGISTRY_ERROR', `${context.registry} failed ${context.action}: ${message}`, { cause: error, details });
}
