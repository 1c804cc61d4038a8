import type { CommandSpec } from './args.js';
import type { CommandGroup } from './command-tree.js';

function columns(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return line ? [...lines, line] : lines;
}

export function groupHelp(path: string, group: CommandGroup): string {
  const prefix = path ? `registrykit ${path}` : 'registrykit';
  const commands = Object.entries(group.children).map(([name, node]) => [name, node.summary] as const);
  const lines = [`Usage: ${prefix} <command> [options]`, '', group.summary, '', 'Commands:', ...columns(commands), ''];
  if (!path) {
    lines.push('Options:', ...columns([['-h, --help', 'Show help (also after any command).'], ['--version', 'Print the version.']]), '');
    lines.push(
      'Environment:',
      ...columns([
        ['REGISTRYKIT_CONFIG_DIR', 'Where the store lives (default $XDG_CONFIG_HOME/registrykit or ~/.config/registrykit).'],
        ['REGISTRYKIT_LOG_LEVEL=debug', 'Debug messages, and stack traces with errors.'],
        ['REGISTRYKIT_PLAIN_HTTP_REGISTRIES', 'Registry hosts the registry API reaches over plain HTTP (loopback always is).'],
        ['DOCKER_HOST', 'The Docker engine images are built and pushed through.'],
        ['DOCKER_CONFIG', 'The docker config whose credentials registries without a connector use.'],
        ['XDG_CACHE_HOME', 'Where image build remembers file hashes (default ~/.cache): registrykit/file-hashes.'],
        ['NO_COLOR', 'No colors.'],
      ]),
      '',
    );
  }
  lines.push(`Run "${prefix} <command> --help" for a command's arguments and options.`);
  return lines.join('\n');
}

export function commandHelp(spec: CommandSpec): string {
  const positionals = spec.positionals.map((positional) => (positional.optional ? `[<${positional.name}>]` : `<${positional.name}>`));
  const synopsis = [`registrykit ${spec.path}`, ...positionals, '[options]', ...(spec.extraOptions ? [spec.extraOptions.synopsis] : [])];
  const lines = [`Usage: ${synopsis.join(' ')}`, '', ...wrap(spec.description, 100), ''];
  if (spec.positionals.length > 0) {
    lines.push('Arguments:', ...columns(spec.positionals.map((positional) => [`<${positional.name}>`, positional.description] as const)), '');
  }
  const options = Object.entries(spec.options).map(([name, option]) => {
    const flag = option.type === 'boolean' ? `--${name}` : `--${name} ${option.valueName ?? '<value>'}`;
    return [option.short ? `-${option.short}, ${flag}` : `    ${flag}`, option.description] as const;
  });
  lines.push('Options:', ...columns([...options, ['-h, --help', 'Show this help.']]), '');
  if (spec.extraOptions) lines.push(`${spec.extraOptions.synopsis}:`, ...spec.extraOptions.description.split('\n').map((line) => `  ${line}`), '');
  if (spec.examples?.length) lines.push('Examples:', ...spec.examples.map((example) => `  ${example}`), '');
  return lines.join('\n').trimEnd();
}
