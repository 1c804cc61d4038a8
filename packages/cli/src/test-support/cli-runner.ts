import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureCommands } from '@registrykit/testing';

const run = promisify(execFile);

/** The built binary: tests drive what users run. */
export const CLI_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly cwd?: string | undefined;
  readonly stdin?: string | undefined;
}

/**
 * Runs the built `registrykit` against one config directory and keeps every output it printed,
 * so a test can check that a secret appears in none of them.
 */
export class Cli {
  /** Everything every command printed, stdout and stderr. */
  readonly transcript: string[] = [];

  private constructor(
    readonly configDir: string,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {}

  static async create(env: NodeJS.ProcessEnv = {}): Promise<Cli> {
    return new Cli(await mkdtemp(join(tmpdir(), 'rk-cli-config-')), env);
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REGISTRYKIT_') || key.startsWith('REGISTRYKIT_TEST_')));
    return { ...inherited, ...this.baseEnv, REGISTRYKIT_CONFIG_DIR: this.configDir, ...extra };
  }

  /** Starts a command without waiting for it (for tests that kill it). */
  spawn(args: readonly string[], options: CliOptions = {}): ChildProcess {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: options.cwd, env: this.env(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin?.end(options.stdin ?? '');
    return child;
  }

  async run(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
    const child = this.spawn(args, options);
    const result = await collect(child);
    this.transcript.push(`${result.stdout}${result.stderr}`);
    return result;
  }

  /** Runs a command that must succeed; throws with its output otherwise. */
  async ok(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`registrykit ${args.join(' ')} exited ${result.code}:\n${result.stdout}${result.stderr}`);
    return result;
  }

  /**
   * Runs a command in a pseudo-terminal (util-linux `script`), so its stdout and stderr are TTYs;
   * answers what the terminal showed, both streams together.
   */
  async inTerminal(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
    ensureCommands([{ command: 'script', debianPackage: 'bsdutils' }]);
    const command = [process.execPath, CLI_BIN, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
    const { stdout } = await run('script', ['-qec', command, '/dev/null'], { env: this.env(env) });
    this.transcript.push(stdout);
    return stdout;
  }

  /** Runs a command that prints JSON and parses it. */
  async json<T = unknown>(args: readonly string[], options: CliOptions = {}): Promise<T> {
    return JSON.parse((await this.ok([...args, '--json'], options)).stdout) as T;
  }
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
