import type { CommandSpec, ParsedArgs } from './args.js';
import type { Output } from './output.js';
import type { PackageSearch } from './plugin-loading.js';
import type { FileStore } from './store/file-store.js';

/** What a command gets to run with. */
export interface CommandContext {
  readonly args: ParsedArgs;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly out: Output;
  readonly store: FileStore;
  /** Where flavor and connector packages are looked for. */
  readonly search: PackageSearch;
  readonly readStdin: () => Promise<string>;
}

/** A command module: its spec (for parsing and help) and what it does. Heavy imports go inside `run`. */
export interface CommandModule {
  readonly spec: CommandSpec;
  run(context: CommandContext): Promise<void>;
}
