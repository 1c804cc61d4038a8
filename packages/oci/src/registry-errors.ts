import { describeCredentials, type RegistryCredentials, RegistryKitError, type RegistryKitErrorCode } from '@registrykit/core';
import type { HttpResponse } from './http-transport.js';
import { parseRetryAfter } from './retry.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

/** One entry of the distribution spec's error body, `{"errors":[{code, message, detail}]}`. */
export interface RegistryErrorEntry {
  readonly code: string;
  readonly message: string;
}

/** What was being done, for messages. */
export interface FailureContext {
  /** e.g. `pushing blob sha256:… to 127.0.0.1:5000/team/app`. */
  readonly action: string;
  /** The registry host as the user named it. */
  readonly registry: string;
  readonly credentials: RegistryCredentials | undefined;
  /** The call's signal: once it fired, whatever broke is the abort. */
  readonly signal?: AbortSignal | undefined;
}

const ERROR_BODY_LIMIT = 64 * 1024;

/** Reads an error answer's body (bounded) and turns the answer into a typed error. */
export async function responseFailure(response: HttpResponse, context: FailureContext): Promise<RegistryKitError> {
  const text = await response.buffer(ERROR_BODY_LIMIT).then(
    (body) => body.toString('utf8'),
    () => '',
  );
  return statusFailure(response.status, parseErrorEntries(text), context, {
    retryAfter: response.header('retry-after'),
    challenge: response.headerValues('www-authenticate'),
  });
}

export function parseErrorEntries(text: string): RegistryErrorEntry[] {
  try {
    const parsed = JSON.parse(text) as { errors?: unknown; error?: unknown; message?: unknown };
    if (Array.isArray(parsed.errors)) {
      return parsed.errors.map((entry: { code?: unknown; message?: unknown }) => ({
        code: typeof entry?.code === 'string' ? entry.code : 'UNKNOWN',
        message: typeof entry?.message === 'string' ? entry.message : '',
      }));
    }
    if (typeof parsed.error === 'string') return [{ code: parsed.error, message: typeof parsed.message === 'string' ? parsed.message : '' }];
  } catch {
    // Not JSON: a proxy's HTML page, say. The status still says enough.
  }
  return [];
}

/** `: CODE (message); CODE2` for messages, or empty. */
export function describeEntries(entries: readonly RegistryErrorEntry[]): string {
  return entries.length > 0 ? `: ${entries.map((entry) => (entry.message ? `${entry.code} (${entry.message})` : entry.code)).join('; ')}` : '';
}

/** The error for a failed answer: the code by status, the registry's own words, and what to do. */
export function statusFailure(
  status: number,
  entries: readonly RegistryErrorEntry[],
  context: FailureContext,
  extra: { readonly retryAfter?: string | undefined; readonly challenge?: readonly string[] | undefined } = {},
): RegistryKitError {
  const said = describeEntries(entries);
  const base = `${capitalize(context.action)} failed: ${context.registry} answered ${status}${redact(said, context.credentials)}.`;
  const details = { registry: context.registry, status, errors: entries.map((entry) => entry.code) };
  const insufficientScope = parseWwwAuthenticate(extra.challenge ?? []).some((challenge) => challenge.params['error'] === 'insufficient_scope');
  const mentionsExpiry = entries.some((entry) => /expired/i.test(entry.message));
  let code: RegistryKitErrorCode;
  let hint: string;
  if ((status === 401 && !(insufficientScope && context.credentials)) || (status === 403 && mentionsExpiry)) {
    code = 'AUTHENTICATION_FAILED';
    hint = context.credentials
      ? `The registry refused ${describeCredentials(context.credentials)}: check them, or refresh them if they are short-lived.`
      : `No credentials were given: pass credentials, bind a service connector, or run \`docker login ${context.registry}\`.`;
  } else if (status === 401 || status === 403) {
    code = 'PERMISSION_DENIED';
    hint = 'The credentials were accepted but do not allow this: check their permissions on the repository.';
  } else if (status === 404) {
    code = 'NOT_FOUND';
    hint = 'Check the repository name, tag and digest.';
  } else if (status === 405) {
    code = 'UNSUPPORTED';
    hint = 'The registry does not allow this operation through its API.';
  } else if (status === 429) {
    code = 'RATE_LIMITED';
    const wait = parseRetryAfter(extra.retryAfter);
    hint = wait === undefined ? 'The registry is throttling requests: wait and retry.' : `The registry asked to wait ${Math.ceil(wait / 1000)} s: retry after that.`;
  } else {
    code = 'REGISTRY_ERROR';
    hint = status >= 500 ? 'The registry failed; retry later.' : 'The request was refused as shown.';
  }
  return new RegistryKitError(code, `${base} ${hint}`, { details });
}

/** A transport failure (no answer) after retries. */
export function transportFailure(error: unknown, context: FailureContext): RegistryKitError {
  if (RegistryKitError.isInstance(error)) return error;
  // Node wraps an abort in an AbortError, but a wait for a connection slot ends with the signal's own reason.
  if (context.signal?.aborted || (error as Error | undefined)?.name === 'AbortError') {
    return new RegistryKitError('ABORTED', `${capitalize(context.action)} was aborted.`, { cause: error, details: { registry: context.registry } });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_INVALID_CHAR') {
    // Node's message names the header, never its value.
    return new RegistryKitError(
      'INVALID_ARGUMENT',
      `${capitalize(context.action)} failed: a request header holds a character HTTP does not allow (${reason}). A token or password read from a file often ends with a line break: remove it.`,
      { cause: error, details: { registry: context.registry } },
    );
  }
  const tls = code !== undefined && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/.test(code);
  const hint = tls
    ? 'The TLS certificate is not trusted: give the client its CA (`ca`), or, for a registry without TLS, list it in `plainHttpRegistries`.'
    : code === 'EPROTO' || /wrong version number|packet length too long/i.test(reason)
      ? 'The registry does not speak TLS there: list it in `plainHttpRegistries`, or point `endpoints` at its http:// URL.'
      : 'Check that the registry is running and reachable, and retry.';
  return new RegistryKitError('REGISTRY_ERROR', `${capitalize(context.action)} failed: cannot reach ${context.registry} (${code ?? reason}). ${hint}`, {
    cause: error,
    details: { registry: context.registry, ...(code ? { errno: code } : {}) },
  });
}

/** Removes any secret of `credentials` that a registry might have echoed. */
export function redact(text: string, credentials: RegistryCredentials | undefined): string {
  if (!credentials) return text;
  const secret = credentials.type === 'basic' ? credentials.password : credentials.token;
  return secret.length >= 4 ? text.split(secret).join('***') : text;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
