import { RegistryKitError, type RegistryKitErrorCode } from '@registrykit/core';
import { EngineStreamError } from './engine-stream.js';

const AUTHENTICATION = /unauthorized|authentication required|no basic auth credentials|incorrect username or password|authorization token has expired|invalid username\/password/i;
const PERMISSION = /denied|forbidden|insufficient_scope/i;
const RATE_LIMIT = /toomanyrequests|too many requests|rate limit/i;
const MISSING_IMAGE = /no such image|does not exist locally|reference does not exist/i;
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** True when the engine's message says a registry refused or wanted credentials. */
export function isAuthenticationMessage(message: string): boolean {
  return AUTHENTICATION.test(message);
}

interface ErrorContext {
  /** What was being done, e.g. `pushing 127.0.0.1:5000/app:1`. */
  readonly action: string;
  readonly registryHost: string;
  readonly hadCredentials: boolean;
  readonly dockerHost: string;
  /** The code for failures that fit no other code. Default PUSH_FAILED. */
  readonly failureCode?: RegistryKitErrorCode | undefined;
  /** The call's signal: once it fired, a cut connection is the abort, not an unreachable engine. */
  readonly signal?: AbortSignal | undefined;
}

/** The daemon's own words, whichever way dockerode delivered them. */
function daemonMessage(error: unknown): string {
  const json = (error as { json?: { message?: unknown } } | undefined)?.json;
  if (json && typeof json.message === 'string') return json.message;
  return error instanceof Error ? error.message : String(error);
}

/** Turns an engine or transport failure into a typed error that keeps the daemon's message. */
export function engineFailure(error: unknown, context: ErrorContext): RegistryKitError {
  if (RegistryKitError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = daemonMessage(error);
  if (context.signal?.aborted || (error as Error | undefined)?.name === 'AbortError') {
    return new RegistryKitError('ABORTED', `Aborted ${context.action}.`, { cause: error });
  }
  if (code && UNREACHABLE.has(code) && !(error instanceof EngineStreamError)) {
    return new RegistryKitError(
      'ENGINE_UNAVAILABLE',
      `Cannot reach the Docker engine at ${context.dockerHost} (${code}) while ${context.action}. Is it running? Point DOCKER_HOST at its socket.`,
      { cause: error, details: { dockerHost: context.dockerHost } },
    );
  }
  const status = error instanceof EngineStreamError ? error.statusCode : (error as { statusCode?: number } | undefined)?.statusCode;
  const details = { registry: context.registryHost };
  if (status === 401 || AUTHENTICATION.test(message)) {
    const hint = context.hadCredentials
      ? 'Check the username and password (or token) configured for it.'
      : `No credentials were found for it: bind a service connector, pass credentials, or run \`docker login ${context.registryHost}\`.`;
    return new RegistryKitError('AUTHENTICATION_FAILED', `The registry ${context.registryHost} refused authentication while ${context.action}: ${message}. ${hint}`, {
      cause: error,
      details,
    });
  }
  if (status === 404 || MISSING_IMAGE.test(message)) {
    return new RegistryKitError('NOT_FOUND', `The Docker engine has no such image while ${context.action}: ${message}. Build or pull it first.`, { cause: error, details });
  }
  if (status === 429 || RATE_LIMIT.test(message)) {
    return new RegistryKitError('RATE_LIMITED', `The registry ${context.registryHost} throttled ${context.action}: ${message}. Wait and retry.`, { cause: error, details });
  }
  if (status === 403 || PERMISSION.test(message)) {
    return new RegistryKitError(
      'PERMISSION_DENIED',
      `The registry ${context.registryHost} denied ${context.action}: ${message}. Check that the credentials may push to this repository.`,
      { cause: error, details },
    );
  }
  return new RegistryKitError(context.failureCode ?? 'PUSH_FAILED', `Failed ${context.action}: ${message}`, { cause: error, details });
}
