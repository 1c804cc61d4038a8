import { describe, expect, it } from 'vitest';
import { type CommandSpec, parseArgs, UsageError } from './args.js';

const spec: CommandSpec = {
  path: 'container-registry register',
  description: 'test',
  positionals: [{ name: 'name', description: 'the name' }],
  options: {
    flavor: { type: 'string', short: 'f', description: 'flavor' },
    verify: { type: 'boolean', description: 'verify' },
    json: { type: 'boolean', description: 'json' },
  },
  extraOptions: { synopsis: '[--<option> <value>]', description: 'config' },
};

function usageError(tokens: string[], target: CommandSpec = spec): string {
  try {
    parseArgs(target, tokens);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('parseArgs', () => {
  it('reads positionals, --name value, --name=value, short options and switches', () => {
    const args = parseArgs(spec, ['local', '-f', 'default', '--json', '--uri=localhost:5000', '--default_repository', 'team']);
    expect(args.positionals).toEqual(['local']);
    expect(args.options).toEqual({ flavor: 'default', json: true });
    expect(args.extra).toEqual([
      { name: 'uri', value: 'localhost:5000' },
      { name: 'default_repository', value: 'team' },
    ]);
  });

  it('reads --no-<switch> and --switch=false as false, and snake_case spellings of declared options', () => {
    expect(parseArgs(spec, ['x', '--no-verify']).options).toEqual({ verify: false });
    expect(parseArgs(spec, ['x', '--verify=false']).options).toEqual({ verify: false });
    expect(parseArgs(spec, ['x', '--flavor=aws']).options).toEqual({ flavor: 'aws' });
  });

  it('keeps a bare extra option without a value for the command to interpret', () => {
    expect(parseArgs(spec, ['x', '--create-repository', '--json']).extra).toEqual([{ name: 'create-repository', value: undefined }]);
  });

  it('takes everything after -- as positionals, and values that start with a single dash', () => {
    expect(parseArgs(spec, ['--', '--odd-name']).positionals).toEqual(['--odd-name']);
    expect(parseArgs(spec, ['x', '--password', '-dash-first']).extra).toEqual([{ name: 'password', value: '-dash-first' }]);
  });

  it('answers help without checking the rest', () => {
    expect(parseArgs(spec, ['--help']).help).toBe(true);
    expect(parseArgs(spec, ['-h', 'a', 'b', 'c']).help).toBe(true);
  });

  it('refuses malformed command lines with a usage error naming the problem', () => {
    expect(usageError([])).toBe('Missing <name>.');
    expect(usageError(['a', 'b'])).toBe('Unexpected argument "b".');
    expect(usageError(['a', '--flavor'])).toBe('--flavor needs a value.');
    expect(usageError(['a', '--flavor', '--json'])).toBe('--flavor needs a value.');
    expect(usageError(['a', '--flavor', 'x', '--flavor', 'y'])).toBe('--flavor is given more than once; give it once.');
    expect(usageError(['a', '--json=maybe'])).toMatch(/--json is a switch/);
    expect(usageError(['a', '--no-verify=1'])).toBe('--no-verify takes no value.');
    expect(usageError(['a', '-x'])).toBe('Unknown option -x.');
    const strict: CommandSpec = { ...spec, extraOptions: undefined };
    expect(usageError(['a', '--flavr', 'x'], strict)).toBe('Unknown option --flavr. Did you mean --flavor?');
    expect(usageError(['a', '--password=hunter22'], strict)).toBe('Unknown option --password.');
  });
});
