import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryKitError } from '@registrykit/core';
import { parseArgs, UsageError } from './args.js';
import type { CommandContext } from './command.js';
import { COMMANDS, type CommandGroup, isGroup } from './command-tree.js';
import { commandHelp, groupHelp } from './help.js';
import { Output, type OutputStreams } from './output.js';
import { configDirectory, openFileStore } from './store/file-store.js';

export interface RunOptions extends OutputStreams {
  /** The words after `registrykit`. */
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The folder of the CLI's own files: flavor packages installed next to it are found from here. */
  readonly cliDirectory: string;
  readonly readStdin: () => Promise<string>;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Runs one command line; answers the exit code: 0 ok, 1 failed, 2 usage. */
export async function run(options: RunOptions): Promise<number> {
  const out = new Output(options, options.env);
  const argv = options.argv;
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    out.print(cliVersion(options.cliDirectory));
    return EXIT_OK;
  }

  let group: CommandGroup = COMMANDS;
  const path: string[] = [];
  let index = 0;
  try {
    for (; index < argv.length; index++) {
      const word = argv[index]!;
      if (word === '--help' || word === '-h') {
        out.print(groupHelp(path.join(' '), group));
        return EXIT_OK;
      }
      const node = Object.hasOwn(group.children, word) ? group.children[word] : undefined;
      if (!node) {
        const where = path.length ? `registrykit ${path.join(' ')}` : 'registrykit';
        const what = word.startsWith('-') ? `Unknown option ${word} for ${where}` : `Unknown command "${word}" for ${where}`;
        throw new UsageError(`${what}. Commands: ${Object.keys(group.children).join(', ')}.`, path.join(' '));
      }
      path.push(word);
      if (isGroup(node)) {
        group = node;
        continue;
      }
      const module = await node.load();
      const args = parseArgs(module.spec, argv.slice(index + 1));
      if (args.help) {
        out.print(commandHelp(module.spec));
        return EXIT_OK;
      }
      const context: CommandContext = {
        args,
        env: options.env,
        cwd: options.cwd,
        out,
        store: openFileStore({ directory: configDirectory(options.env), env: options.env, log: (message) => out.debug(`store: ${message}`) }),
        search: { cwd: options.cwd, cliDirectory: options.cliDirectory },
        readStdin: options.readStdin,
      };
      await module.run(context);
      return EXIT_OK;
    }
    // A group without a command: show what it offers.
    out.note(groupHelp(path.join(' '), group));
    return EXIT_USAGE;
  } catch (error) {
    return reportError(out, error);
  }
}

function reportError(out: Output, error: unknown): number {
  const label = out.errorStyle.red('Error:');
  if (error instanceof UsageError) {
    const command = error.command ? `registrykit ${error.command}` : 'registrykit';
    out.note(`${label} ${error.message}`);
    out.note(`Run "${command} --help" for usage.`);
    return EXIT_USAGE;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.note(`${label} ${message}`);
  if (out.debugEnabled) {
    for (let current: unknown = error; current instanceof Error; current = current.cause) {
      const code = (current as { code?: unknown }).code;
      const details = (current as { details?: unknown }).details;
      out.note(out.errorStyle.dim(`${current === error ? '' : 'Caused by: '}${current.stack ?? current.message}`));
      if (code !== undefined) out.note(out.errorStyle.dim(`  code: ${String(code)}`));
      if (details !== undefined && Object.keys(details as object).length > 0) out.note(out.errorStyle.dim(`  details: ${JSON.stringify(details)}`));
    }
  } else if (!RegistryKitError.isInstance(error)) {
    // An error registrykit did not expect: its message may not say enough on its own.
    out.note('Run with REGISTRYKIT_LOG_LEVEL=debug for the stack trace.');
  }
  return EXIT_FAILED;
}

function cliVersion(cliDirectory: string): string {
  const manifest = JSON.parse(readFileSync(join(cliDirectory, '..', 'package.json'), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}
