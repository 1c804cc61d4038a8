// A small argument parser instead of a framework: the CLI must start in tens of milliseconds,
// and every command needs the same few shapes (positionals, `--name value`, `--name=value`,
// switches with `--no-` forms, and free `--<option> <value>` pairs for configs).

/** A malformed command line: exit code 2, and a pointer to `--help`. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose help explains the right usage, e.g. `container-registry register`. */
    readonly command: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  /** A one-letter alias, e.g. `f` for `-f`. */
  readonly short?: string | undefined;
  /** How help shows the value, e.g. `<id>`. */
  readonly valueName?: string | undefined;
}

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean | undefined;
}

export interface CommandSpec {
  /** The words after `registrykit`, e.g. `container-registry register`. */
  readonly path: string;
  /** What the command does, shown under the usage line of its help. */
  readonly description: string;
  readonly positionals: readonly PositionalSpec[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Accepts `--<key> <value>` options it does not declare: config values or connector params. */
  readonly extraOptions?: { readonly synopsis: string; readonly description: string } | undefined;
  readonly examples?: readonly string[] | undefined;
}

/** A `--<key> <value>` option the command does not declare; `value` is undefined for a bare `--key`. */
export interface ExtraOption {
  /** The name as typed, without the dashes, e.g. `default_repository`. */
  readonly name: string;
  readonly value: string | undefined;
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly options: Readonly<Record<string, string | boolean>>;
  readonly extra: readonly ExtraOption[];
  readonly help: boolean;
}

/** Parses the words after the command path against the command's spec; throws UsageError. */
export function parseArgs(spec: CommandSpec, tokens: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const options: Record<string, string | boolean> = {};
  const extra: ExtraOption[] = [];
  let help = false;
  let onlyPositionals = false;
  const fail = (message: string): never => {
    throw new UsageError(message, spec.path);
  };

  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (onlyPositionals || token === '-' || !token.startsWith('-')) {
      positionals.push(token);
      continue;
    }
    if (token === '--') {
      onlyPositionals = true;
      continue;
    }
    if (token === '--help' || token === '-h') {
      help = true;
      continue;
    }
    // The value of a string option is the rest after `=`, else the next word unless it is an option.
    const takeValue = (inline: string | undefined): string | undefined => {
      if (inline !== undefined) return inline;
      const next = tokens[index + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) return undefined;
      index++;
      return next;
    };
    if (!token.startsWith('--')) {
      const name = Object.keys(spec.options).find((key) => spec.options[key]!.short === token.slice(1));
      if (name === undefined) fail(`Unknown option ${token}.`);
      setOption(name!, spec.options[name!]!, undefined);
      continue;
    }
    const body = token.slice(2);
    const equals = body.indexOf('=');
    const typed = equals === -1 ? body : body.slice(0, equals);
    const inline = equals === -1 ? undefined : body.slice(equals + 1);
    const name = typed.replace(/_/g, '-');
    const declared = spec.options[name];
    if (declared) {
      setOption(name, declared, inline);
      continue;
    }
    const negated = name.startsWith('no-') ? spec.options[name.slice(3)] : undefined;
    if (negated?.type === 'boolean') {
      if (inline !== undefined) fail(`--${typed} takes no value.`);
      setValue(name.slice(3), false);
      continue;
    }
    if (!spec.extraOptions) {
      const suggestion = closestOption(name, Object.keys(spec.options));
      fail(`Unknown option --${typed}.${suggestion ? ` Did you mean --${suggestion}?` : ''}`);
    }
    extra.push({ name: typed, value: takeValue(inline) });

    function setOption(key: string, option: OptionSpec, given: string | undefined): void {
      if (option.type === 'boolean') {
        if (given === undefined) return setValue(key, true);
        if (/^(true|yes|1)$/i.test(given)) return setValue(key, true);
        if (/^(false|no|0)$/i.test(given)) return setValue(key, false);
        return fail(`--${key} is a switch: give it alone, or as --${key}=true / --${key}=false.`);
      }
      const value = takeValue(given);
      if (value === undefined) fail(`--${key} needs a value${option.valueName ? ` ${option.valueName}` : ''}.`);
      setValue(key, value!);
    }
  }

  function setValue(key: string, value: string | boolean): void {
    if (Object.hasOwn(options, key)) fail(`--${key} is given more than once; give it once.`);
    options[key] = value;
  }

  if (!help) {
    const required = spec.positionals.filter((positional) => !positional.optional);
    if (positionals.length < required.length) {
      fail(`Missing ${required.slice(positionals.length).map((positional) => `<${positional.name}>`).join(' ')}.`);
    }
    if (positionals.length > spec.positionals.length) {
      fail(`Unexpected argument "${positionals[spec.positionals.length]}".`);
    }
  }
  return { positionals, options, extra, help };
}

/** The value of a string option, or undefined. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** The value of a switch; `fallback` when it was not given. */
export function booleanOption(args: ParsedArgs, name: string, fallback = false): boolean {
  const value = args.options[name];
  return typeof value === 'boolean' ? value : fallback;
}

function closestOption(name: string, candidates: readonly string[]): string | undefined {
  return candidates.find((candidate) => candidate.startsWith(name) || name.startsWith(candidate) || oneEditApart(name, candidate));
}

function oneEditApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}
