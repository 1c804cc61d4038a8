import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type ConfigField, type ConfigSchema, parseConfigValue, RegistryKitError } from '@registrykit/core';
import { type ExtraOption, UsageError } from './args.js';

export interface ConfigOptionsContext {
  /** The command, for usage errors. */
  readonly command: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly readStdin: () => Promise<string>;
}

export interface ConfigFromOptions {
  readonly config: Record<string, unknown>;
  /** Keys whose value was typed on the command line itself (not @file, @- or env:). */
  readonly literalKeys: readonly string[];
}

/**
 * Turns free `--<key> <value>` options into a config for `schema`. `--default-repository`,
 * `--default_repository` and `--defaultRepository` all mean `defaultRepository`. A value may
 * come from a file (`@path`), from stdin (`@-`) or from an environment variable (`env:NAME`);
 * values are then parsed with the field's type (`parseConfigValue`). Unknown keys are kept as
 * given, so validation names them with a suggestion.
 */
export async function configFromOptions(extra: readonly ExtraOption[], schema: ConfigSchema, context: ConfigOptionsContext): Promise<ConfigFromOptions> {
  const config: Record<string, unknown> = {};
  const given = new Map<string, string>();
  const literalKeys: string[] = [];
  let stdinUsed = false;
  for (const option of extra) {
    const key = schemaKey(option.name, schema);
    const earlier = given.get(key);
    if (earlier !== undefined) {
      const same = earlier === option.name;
      throw new UsageError(same ? `--${option.name} is given more than once; give it once.` : `--${earlier} and --${option.name} both set "${key}"; give it once.`, context.command);
    }
    given.set(key, option.name);
    const spec: ConfigField | undefined = schema[key];
    if (option.value === undefined) {
      if (spec?.type !== 'boolean') throw new UsageError(`--${option.name} needs a value.`, context.command);
      config[key] = true;
      continue;
    }
    const source = valueSource(option.name, option.value, context.command);
    if (source.kind === 'stdin') {
      if (stdinUsed) throw new UsageError('Only one option can read its value from stdin (@-).', context.command);
      stdinUsed = true;
    }
    if (source.kind === 'literal') literalKeys.push(key);
    const raw = await readSource(option.name, source, context);
    config[key] = spec ? parseConfigValue(spec, raw) : raw;
  }
  return { config, literalKeys };
}

/** `default-repository` → `defaultRepository`; a key that differs from a schema key only in case or separators becomes that key. */
export function schemaKey(name: string, schema: ConfigSchema): string {
  const camel = name.replace(/[-_]+([a-zA-Z0-9])/g, (_, letter: string) => letter.toUpperCase());
  if (Object.hasOwn(schema, camel)) return camel;
  const simple = name.toLowerCase().replace(/[-_]/g, '');
  return Object.keys(schema).find((key) => key.toLowerCase() === simple) ?? camel;
}

/** How help explains where a config value can come from. */
export const CONFIG_VALUE_SOURCES = 'A value may come from a file (@<file>), stdin (@-) or an environment variable (env:<NAME>).';

/** The keys of a schema whose values are secret. */
export function schemaSecretFields(schema: ConfigSchema): string[] {
  return Object.entries(schema)
    .filter(([, spec]) => spec.secret === true)
    .map(([key]) => key);
}

/** The command-line spelling of a config key: `defaultRepository` → `--default-repository`. */
export function optionFlag(key: string): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

type ValueSource = { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'file'; readonly path: string } | { readonly kind: 'stdin' } | { readonly kind: 'env'; readonly name: string };

function valueSource(option: string, value: string, command: string): ValueSource {
  if (value === '@-') return { kind: 'stdin' };
  if (value.startsWith('@')) {
    if (value.length === 1) throw new UsageError(`--${option} @ needs a file path after the @, e.g. @./password.txt.`, command);
    return { kind: 'file', path: value.slice(1) };
  }
  if (value.startsWith('env:')) {
    const name = value.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError(`--${option} env:${name} does not name an environment variable; write env:NAME, e.g. env:REGISTRY_PASSWORD.`, command);
    }
    return { kind: 'env', name };
  }
  return { kind: 'literal', value };
}

async function readSource(option: string, source: ValueSource, context: ConfigOptionsContext): Promise<string> {
  switch (source.kind) {
    case 'literal':
      return source.value;
    case 'stdin':
      return stripFinalNewline(await context.readStdin());
    case 'env': {
      const value = context.env[source.name];
      if (value === undefined) {
        throw new RegistryKitError('INVALID_ARGUMENT', `--${option} reads the environment variable ${source.name}, which is not set.`, {
          details: { option, variable: source.name },
        });
      }
      return value;
    }
    case 'file': {
      const path = resolve(context.cwd, source.path);
      try {
        return stripFinalNewline(await readFile(path, 'utf8'));
      } catch (error) {
        throw new RegistryKitError('INVALID_ARGUMENT', `--${option} reads its value from ${path}, which cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, {
          cause: error,
          details: { option, path },
        });
      }
    }
  }
}

// Files written with `echo` end with a newline that is not part of the secret.
function stripFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}
