/**
 * Stable error codes. Callers branch on `error.code`, never on message text, so a code is never
 * renamed or reused for another meaning once released.
 */
export const ERROR_CODES = [
  /** An image reference does not follow the Docker/OCI reference grammar. */
  'INVALID_REFERENCE',
  /** A flavor or component configuration is invalid (unknown key, bad value, missing field). */
  'INVALID_CONFIG',
  /** An argument given to a function is invalid. */
  'INVALID_ARGUMENT',
  /** A flavor does not satisfy the flavor contract. */
  'INVALID_FLAVOR',
  /** An image name does not belong to the registry it is pushed through. */
  'IMAGE_NOT_IN_REGISTRY',
  /** The registry refused the credentials, or none were found where they are required. */
  'AUTHENTICATION_FAILED',
  /** The credentials are valid but lack the permission for the operation. */
  'PERMISSION_DENIED',
  /** A docker credential helper could not be run or answered with garbage. */
  'CREDENTIAL_HELPER_FAILED',
  /** The docker config file (`config.json`) cannot be read or parsed. */
  'DOCKER_CONFIG_INVALID',
  /** No container engine is reachable. */
  'ENGINE_UNAVAILABLE',
  /** An image, repository or tag does not exist. */
  'NOT_FOUND',
  /** A push failed for a reason other than authentication. */
  'PUSH_FAILED',
  /** The registry or an API answered with an unexpected error. */
  'REGISTRY_ERROR',
  /** The registry throttled the client. */
  'RATE_LIMITED',
  /** The flavor does not implement the requested capability. */
  'UNSUPPORTED',
  /** The operation was aborted through its AbortSignal. */
  'ABORTED',
  /** A named thing (a registry, a connector, a flavor id) already exists. */
  'ALREADY_EXISTS',
  /** A local store (the CLI's config directory) cannot be read, written or locked. */
  'STORE_FAILED',
  /** An image build failed: a Dockerfile step, the build context, or the engine while building. */
  'BUILD_FAILED',
] as const;

export type RegistryKitErrorCode = (typeof ERROR_CODES)[number];

const MARKER = Symbol.for('registrykit.error');

export interface RegistryKitErrorOptions {
  /** The underlying error, kept for debugging. */
  cause?: unknown;
  /** Machine-readable context (field names, hosts). Never put secrets here. */
  details?: Record<string, unknown>;
}

/**
 * The one error type registrykit throws. It is recognised with `RegistryKitError.isInstance`
 * rather than `instanceof`, which keeps working when two copies of core are installed.
 */
export class RegistryKitError extends Error {
  readonly code: RegistryKitErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  private readonly [MARKER] = true;

  constructor(code: RegistryKitErrorCode, message: string, options: RegistryKitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryKitError';
    this.code = code;
    this.details = Object.freeze({ ...options.details });
  }

  static isInstance(error: unknown): error is RegistryKitError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }

  /** True when `error` is a registrykit error with one of the given codes. */
  static hasCode(error: unknown, ...codes: RegistryKitErrorCode[]): error is RegistryKitError {
    return RegistryKitError.isInstance(error) && codes.includes(error.code);
  }
}
