import { spawn } from 'node:child_process';
import { RegistryKitError } from '../errors.js';
import type { RegistryCredentials } from './registry-credentials.js';

export interface CredentialHelperOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** How long the helper may take; keychain prompts can be slow. Default 30 s. */
  readonly timeoutMs?: number;
}

// docker-credential-helpers print this (exit code 1) when they hold nothing for the server.
const NOT_FOUND = /credentials not found/i;

/**
 * Asks `docker-credential-<helper> get` for the credentials of `serverAddress`, over the
 * helpers' stdin/stdout protocol. Answers `undefined` when the helper holds none.
 */
export async function getFromCredentialHelper(
  helper: string,
  serverAddress: string,
  options: CredentialHelperOptions = {},
): Promise<RegistryCredentials | undefined> {
  const program = `docker-credential-${helper}`;
  const { code, stdout, stderr } = await run(program, serverAddress, options);
  if (code !== 0) {
    if (NOT_FOUND.test(stdout) || NOT_FOUND.test(stderr)) return undefined;
    throw helperError(program, serverAddress, `exited with code ${code}${safeExcerpt(stderr || stdout)}`);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    // Never echo stdout here, nor keep the parse error as the cause: its message quotes stdout, which may hold the secret.
    throw helperError(program, serverAddress, 'printed something that is not JSON on stdout');
  }
  const { Username: username, Secret: secret } = (answer ?? {}) as { Username?: unknown; Secret?: unknown };
  if (typeof username !== 'string' || typeof secret !== 'string') {
    throw helperError(program, serverAddress, 'answered without the string fields "Username" and "Secret"');
  }
  if (secret.length === 0) return undefined;
  // Helpers mark an OAuth2 refresh token with this placeholder user name.
  if (username === '<token>') return { type: 'identity-token', token: secret };
  return { type: 'basic', username, password: secret };
}

function run(program: string, input: string, options: CredentialHelperOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(program, ['get'], { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      reject(helperError(program, input, `could not be started: ${(error as Error).message}`, error));
      return;
    }
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(helperError(program, input, `did not answer within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reason = error.code === 'ENOENT' ? `is not installed (not found on PATH)` : `could not be started: ${error.message}`;
      reject(helperError(program, input, reason, error));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    // A helper that exits before reading stdin makes this write fail with EPIPE; its exit code tells the rest.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

function helperError(program: string, serverAddress: string, reason: string, cause?: unknown): RegistryKitError {
  return new RegistryKitError(
    'CREDENTIAL_HELPER_FAILED',
    `The docker credential helper ${program} ${reason} when asked for ${serverAddress}. ` +
      `Install or fix it, or remove it from "credsStore"/"credHelpers" in your docker config.`,
    { cause, details: { helper: program, serverAddress } },
  );
}

function safeExcerpt(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.startsWith('{')) return '';
  return `: ${trimmed.slice(0, 200)}`;
}
