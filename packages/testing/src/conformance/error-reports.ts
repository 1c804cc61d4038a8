import { type ConfigSchema, RegistryKitError, type RegistryKitErrorCode } from '@registrykit/core';
import type { ConformanceTestApi } from './conformance-options.js';

/** One line naming what was thrown: `RegistryKitError INVALID_CONFIG: …`, `TypeError: …`. */
export function describeError(error: unknown): string {
  if (RegistryKitError.isInstance(error)) return `RegistryKitError ${error.code}: ${firstLine(error.message)}`;
  if (error instanceof Error) return `${error.name}: ${firstLine(error.message)}`;
  return `a non-error value (${typeof error}): ${String(error)}`;
}

function firstLine(text: string): string {
  const lines = text.split('\n');
  return lines.length > 1 ? `${lines[0]} …` : text;
}

/**
 * Problems when `error` is not a RegistryKitError with one of `codes` (any code when none are
 * given). `what` says what threw, e.g. `pushImage("x")`.
 */
export function errorCodeProblems(error: unknown, what: string, codes: readonly RegistryKitErrorCode[] = []): string[] {
  if (!RegistryKitError.isInstance(error)) {
    return [`${what} threw ${describeError(error)}; everything a flavor throws must be a RegistryKitError with a code from ERROR_CODES (keep the original as \`cause\`).`];
  }
  if (codes.length > 0 && !codes.includes(error.code)) {
    return [`${what} threw ${describeError(error)}; expected the code ${codes.join(' or ')}.`];
  }
  return [];
}

/** Where in `error` (message, details, causes) any of `secrets` appears. */
export function secretLeaks(error: unknown, secrets: readonly string[], what: string): string[] {
  const places: [string, string][] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const label = depth === 0 ? 'its' : `its cause${depth > 1 ? ` (level ${depth})` : ''}'s`;
    if (current instanceof Error) places.push([`${label} message`, current.message]);
    else places.push([`${label} value`, String(current)]);
    if (RegistryKitError.isInstance(current)) places.push([`${label} details`, JSON.stringify(current.details)]);
    current = current instanceof Error ? current.cause : undefined;
  }
  const problems: string[] = [];
  for (const [place, text] of places) {
    if (secrets.some((secret) => text.includes(secret))) {
      problems.push(`${what} put a secret value in ${place}; describe secrets (by their field, or with describeCredentials()) and never echo them.`);
    }
  }
  return problems;
}

/** A configuration for messages: JSON, with the values of secret fields hidden. */
export function describeConfig(schema: ConfigSchema, config: Readonly<Record<string, unknown>>): string {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) shown[key] = schema[key]?.secret ? '[secret]' : value;
  return JSON.stringify(shown);
}

/** Runs `work` and answers what it threw, or what it returned. */
export async function outcome<T>(work: () => Promise<T> | T): Promise<{ readonly error: unknown; readonly threw: true } | { readonly value: T; readonly threw: false }> {
  try {
    return { value: await work(), threw: false };
  } catch (error) {
    return { error, threw: true };
  }
}

/**
 * Asserts that `problems` is empty through the runner's `expect`, with the problems in the
 * assertion's message: runners shorten the values they print, never the message.
 */
export function expectNoProblems(expect: ConformanceTestApi['expect'], check: string, problems: readonly string[]): void {
  const message = problems.length === 0 ? check : `${check}\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`;
  expect(problems, message).toEqual([]);
}
