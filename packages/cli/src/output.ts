/** Where the CLI writes: results to stdout, everything else (warnings, progress, debug) to stderr. */
export interface OutputStreams {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean | undefined };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean | undefined; readonly columns?: number | undefined };
}

export type Style = (text: string) => string;

export interface Styles {
  readonly bold: Style;
  readonly dim: Style;
  readonly red: Style;
  readonly green: Style;
  readonly yellow: Style;
}

const SECRET_MASK = '[hidden]';

/** True when a stream may get ANSI colors: a terminal, and NO_COLOR (https://no-color.org) unset or empty. */
export function colorEnabled(stream: { readonly isTTY?: boolean | undefined }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}

function styles(enabled: boolean): Styles {
  const wrap = (open: number, close: number): Style => (enabled ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39) };
}

/**
 * The CLI's writer. Every line passes through a last-resort filter that masks the secret values
 * this process has seen (connector passwords, tokens), so a message that quotes one by accident
 * still does not print it.
 */
export class Output {
  readonly debugEnabled: boolean;
  /** Styles for stdout and stderr; plain when the stream is not a terminal or NO_COLOR is set. */
  readonly style: Styles;
  readonly errorStyle: Styles;
  private readonly secrets = new Set<string>();

  constructor(
    readonly streams: OutputStreams,
    readonly env: NodeJS.ProcessEnv,
  ) {
    this.debugEnabled = (env['REGISTRYKIT_LOG_LEVEL'] ?? '').toLowerCase() === 'debug';
    this.style = styles(colorEnabled(streams.stdout, env));
    this.errorStyle = styles(colorEnabled(streams.stderr, env));
  }

  /** Registers a secret value to mask in everything written from now on. */
  addSecret(value: string): void {
    // Very short values would mask ordinary words; they are not worth hiding from a filter anyway.
    if (value.length >= 4) this.secrets.add(value);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) result = result.split(secret).join(SECRET_MASK);
    return result;
  }

  /** A line of the result, on stdout. */
  print(text = ''): void {
    this.streams.stdout.write(`${this.redact(text)}\n`);
  }

  /** The result as JSON, on stdout. */
  json(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }

  /** A note for the user that is not the result, on stderr. */
  note(text: string): void {
    this.streams.stderr.write(`${this.redact(text)}\n`);
  }

  warn(text: string): void {
    this.note(`${this.errorStyle.yellow('Warning:')} ${text}`);
  }

  debug(text: string): void {
    if (this.debugEnabled) this.note(this.errorStyle.dim(`debug: ${text}`));
  }

  /** Writes raw text to stderr (progress redraws); still filtered. */
  writeError(text: string): void {
    this.streams.stderr.write(this.redact(text));
  }

  /** Prints rows under headers, columns padded to the widest cell. */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
    const line = (cells: readonly string[]) =>
      cells
        .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd();
    this.print(this.style.bold(line(headers)));
    for (const row of rows) this.print(line(row));
  }

  /** Prints `key  value` pairs aligned, indented by `indent` spaces. */
  fields(pairs: readonly (readonly [string, string])[], indent = 2): void {
    const width = Math.max(0, ...pairs.map(([key]) => key.length));
    for (const [key, value] of pairs) this.print(`${' '.repeat(indent)}${key.padEnd(width)}  ${value}`);
  }
}

export { SECRET_MASK };
