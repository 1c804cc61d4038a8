import { RegistryKitError } from './errors.js';

// A small declarative schema instead of a validation library: core must stay cheap to import
// (the CLI starts in tens of milliseconds), and the same description drives validation, CLI
// flag parsing, secret redaction and `flavor describe`.

interface FieldBase {
  /** One sentence for `flavor describe` and error messages. */
  readonly description: string;
  readonly required?: boolean;
  /** Secret values are never echoed in errors, listings or logs. */
  readonly secret?: boolean;
}

export interface StringField extends FieldBase {
  readonly type: 'string';
  readonly example?: string;
  /** Applied before `check`, e.g. stripping trailing slashes. */
  readonly normalize?: (value: string) => string;
  /** Answers a problem (what is wrong and what to do), or undefined when the value is fine. */
  readonly check?: (value: string) => string | undefined;
}

export interface BooleanField extends FieldBase {
  readonly type: 'boolean';
  readonly default?: boolean;
}

export interface IntegerField extends FieldBase {
  readonly type: 'integer';
  readonly min?: number;
  readonly max?: number;
  readonly default?: number;
}

export interface EnumField<Value extends string = string> extends FieldBase {
  readonly type: 'enum';
  readonly values: readonly Value[];
  readonly default?: Value;
}

export interface StringListField extends FieldBase {
  readonly type: 'string-list';
  readonly check?: (value: string) => string | undefined;
}

export interface StringMapField extends FieldBase {
  readonly type: 'string-map';
}

export type ConfigField = StringField | BooleanField | IntegerField | EnumField | StringListField | StringMapField;

export type ConfigSchema = Readonly<Record<string, ConfigField>>;

type FieldValue<Field> = Field extends { type: 'string' }
  ? string
  : Field extends { type: 'boolean' }
    ? boolean
    : Field extends { type: 'integer' }
      ? number
      : Field extends { type: 'enum'; values: readonly (infer Value)[] }
        ? Value
        : Field extends { type: 'string-list' }
          ? readonly string[]
          : Field extends { type: 'string-map' }
            ? Readonly<Record<string, string>>
            : never;

type PresentKeys<Schema> = {
  [Key in keyof Schema]: Schema[Key] extends { required: true } | { default: unknown } ? Key : never;
}[keyof Schema];

/** The validated configuration type a schema describes. */
export type ConfigOf<Schema extends ConfigSchema> = {
  readonly [Key in PresentKeys<Schema>]: FieldValue<Schema[Key]>;
} & {
  readonly [Key in Exclude<keyof Schema, PresentKeys<Schema>>]?: FieldValue<Schema[Key]> | undefined;
};

/** Field constructors that keep literal types (`required: true`, enum values) for `ConfigOf`. */
export const field = {
  string: <const Options extends Omit<StringField, 'type'>>(options: Options) => ({ type: 'string', ...options }) as const,
  boolean: <const Options extends Omit<BooleanField, 'type'>>(options: Options) => ({ type: 'boolean', ...options }) as const,
  integer: <const Options extends Omit<IntegerField, 'type'>>(options: Options) => ({ type: 'integer', ...options }) as const,
  enum: <const Value extends string, const Options extends Omit<EnumField<Value>, 'type'>>(options: Options & { values: readonly Value[] }) =>
    ({ type: 'enum', ...options }) as const,
  stringList: <const Options extends Omit<StringListField, 'type'>>(options: Options) => ({ type: 'string-list', ...options }) as const,
  stringMap: <const Options extends Omit<StringMapField, 'type'>>(options: Options) => ({ type: 'string-map', ...options }) as const,
};

export interface ConfigProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * Validates `input` against `schema`: unknown keys are refused, strings are normalized, defaults
 * filled in. Every problem is reported at once in one INVALID_CONFIG error.
 * `subject` names what is being configured, e.g. `the "default" flavor`.
 */
export function validateConfig<Schema extends ConfigSchema>(schema: Schema, input: unknown, subject: string): ConfigOf<Schema> {
  const problems = configProblems(schema, input);
  if (problems.length > 0) {
    const lines = problems.map((problem) => `  - ${problem.field}: ${problem.message}`);
    throw new RegistryKitError('INVALID_CONFIG', `Invalid configuration for ${subject}:\n${lines.join('\n')}`, {
      details: { problems },
    });
  }
  return normalizeConfig(schema, input as Record<string, unknown>) as ConfigOf<Schema>;
}

/** Lists what is wrong with `input`, without throwing. */
export function configProblems(schema: ConfigSchema, input: unknown): ConfigProblem[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ field: '(config)', message: `expected an object with the keys ${Object.keys(schema).join(', ')}.` }];
  }
  const problems: ConfigProblem[] = [];
  const values = input as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (Object.hasOwn(schema, key)) continue;
    const suggestion = closestKey(key, Object.keys(schema));
    const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
    problems.push({ field: key, message: `unknown key.${hint} Allowed keys: ${Object.keys(schema).join(', ')}.` });
  }
  for (const [key, spec] of Object.entries(schema)) {
    const value = values[key];
    if (value === undefined || value === null) {
      if (spec.required) problems.push({ field: key, message: `is required: ${spec.description}${exampleHint(spec)}` });
      continue;
    }
    const problem = valueProblem(spec, value);
    if (problem) problems.push({ field: key, message: problem });
  }
  return problems;
}

function exampleHint(spec: ConfigField): string {
  return spec.type === 'string' && spec.example ? ` Example: \`${spec.example}\`.` : '';
}

function valueProblem(spec: ConfigField, value: unknown): string | undefined {
  const shown = spec.secret ? 'the given value' : JSON.stringify(value);
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string') return `must be a string; got ${shown}.`;
      const normalized = spec.normalize ? spec.normalize(value) : value;
      if (normalized.length === 0) return `must not be empty.${exampleHint(spec)}`;
      return spec.check?.(normalized);
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false; got ${shown}.`;
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return `must be a whole number; got ${shown}.`;
      if (spec.min !== undefined && value < spec.min) return `must be at least ${spec.min}; got ${value}.`;
      if (spec.max !== undefined && value > spec.max) return `must be at most ${spec.max}; got ${value}.`;
      return undefined;
    }
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value)
        ? undefined
        : `must be one of ${spec.values.map((item) => `"${item}"`).join(', ')}; got ${shown}.`;
    case 'string-list': {
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return `must be a list of strings; got ${shown}.`;
      for (const item of value as string[]) {
        const problem = spec.check?.(item);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'string-map': {
      const isMap = typeof value === 'object' && !Array.isArray(value) && Object.values(value as object).every((item) => typeof item === 'string');
      return isMap ? undefined : `must be an object of string values; got ${shown}.`;
    }
  }
}

function normalizeConfig(schema: ConfigSchema, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const value = values[key];
    if (value === undefined || value === null) {
      if ('default' in spec && spec.default !== undefined) out[key] = spec.default;
      continue;
    }
    if (spec.type === 'string' && spec.normalize) out[key] = spec.normalize(value as string);
    else if (spec.type === 'string-list') out[key] = Object.freeze([...(value as string[])]);
    else if (spec.type === 'string-map') out[key] = Object.freeze({ ...(value as Record<string, string>) });
    else out[key] = value;
  }
  return Object.freeze(out);
}

/**
 * Turns a command-line string into the field's type: `true`/`false`, numbers,
 * comma-separated lists (or a JSON array), `key=value,…` maps (or a JSON object).
 */
export function parseConfigValue(spec: ConfigField, raw: string): unknown {
  const text = raw.trim();
  switch (spec.type) {
    case 'string':
    case 'enum':
      return raw;
    case 'boolean':
      if (/^(true|yes|1)$/i.test(text)) return true;
      if (/^(false|no|0)$/i.test(text)) return false;
      return raw;
    case 'integer':
      return /^-?\d+$/.test(text) ? Number(text) : raw;
    case 'string-list':
      if (text.startsWith('[')) return parseJsonOr(text, raw);
      return text.length === 0 ? [] : text.split(',').map((item) => item.trim());
    case 'string-map': {
      if (text.startsWith('{')) return parseJsonOr(text, raw);
      const map: Record<string, string> = {};
      for (const pair of text.split(',').filter((item) => item.length > 0)) {
        const equals = pair.indexOf('=');
        if (equals <= 0) return raw;
        map[pair.slice(0, equals).trim()] = pair.slice(equals + 1);
      }
      return map;
    }
  }
}

function parseJsonOr(text: string, fallback: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

/** A JSON Schema (draft 2020-12) of the configuration, for documentation and editors. */
export function configSchemaToJsonSchema(schema: ConfigSchema): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [key, spec] of Object.entries(schema)) {
    if (spec.required) required.push(key);
    const base: Record<string, unknown> = { description: spec.description };
    if (spec.secret) base['writeOnly'] = true;
    if ('default' in spec && spec.default !== undefined) base['default'] = spec.default;
    switch (spec.type) {
      case 'string':
        properties[key] = { ...base, type: 'string', ...(spec.example ? { examples: [spec.example] } : {}) };
        break;
      case 'boolean':
        properties[key] = { ...base, type: 'boolean' };
        break;
      case 'integer':
        properties[key] = { ...base, type: 'integer', ...(spec.min === undefined ? {} : { minimum: spec.min }), ...(spec.max === undefined ? {} : { maximum: spec.max }) };
        break;
      case 'enum':
        properties[key] = { ...base, enum: [...spec.values] };
        break;
      case 'string-list':
        properties[key] = { ...base, type: 'array', items: { type: 'string' } };
        break;
      case 'string-map':
        properties[key] = { ...base, type: 'object', additionalProperties: { type: 'string' } };
        break;
    }
  }
  return { type: 'object', additionalProperties: false, properties, required };
}

function closestKey(key: string, candidates: readonly string[]): string | undefined {
  const wanted = simplify(key);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const simple = simplify(candidate);
    // A cut-short key (`user` for `username`) counts as one edit.
    const prefix = wanted.length >= 3 && (simple.startsWith(wanted) || wanted.startsWith(simple));
    const distance = prefix ? 1 : editDistance(wanted, simple);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

// `default_repository` and `default-repository` should find `defaultRepository`.
function simplify(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
