import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import {
  type ConfigOf,
  type ConfigProblem,
  configProblems,
  field,
  RegistryKitError,
  repositoryPathProblem,
  tryParseImageReference,
  validateConfig,
} from '@registrykit/core';
import { sanitizeTagProblem } from './image-naming.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const APT_PACKAGE = /^[a-z0-9][a-z0-9+.-]*(?::[a-z0-9-]+)?(?:=[A-Za-z0-9.+~:_-]+)?$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const STAGE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
// Dockerfile lines end at a newline; other control characters are never wanted in settings.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * What an image is built from, after ZenML's DockerSettings. Either `parentImage` (and the
 * Dockerfile is generated from the other fields) or `dockerfile` (the user's own, used as is).
 */
export const dockerSettingsSchema = {
  parentImage: field.string({
    description: 'The image to build on, e.g. `python:3.12-slim`; the Dockerfile is generated from the settings.',
    example: 'python:3.12-slim',
    check: (value) =>
      tryParseImageReference(value) ? undefined : `"${value}" is not an image reference; expected \`[registry/]repository[:tag][@digest]\`.`,
  }),
  dockerfile: field.string({
    description: 'A Dockerfile of your own, used as is instead of a generated one (a path under the root).',
    example: 'Dockerfile',
  }),
  buildContextRoot: field.string({
    description: 'The directory whose files (after .dockerignore) are sent to the engine; with a generated Dockerfile they are copied to /app.',
    example: '.',
  }),
  requirements: field.stringList({
    description: 'Packages to install with the package manager, one specifier each, e.g. `requests==2.32.3` or `express@4`.',
    check: (value) => (value.trim().length === 0 || CONTROL.test(value) ? `requirement ${JSON.stringify(value)} must be one non-empty line.` : undefined),
  }),
  requirementsFile: field.string({
    description: 'A requirements file (pip: a requirements.txt; npm: one package specifier per line), instead of `requirements`.',
    example: 'requirements.txt',
  }),
  packageManager: field.enum({
    description: 'How requirements are installed. Default: npm when the parent image is a Node image, else pip.',
    values: ['pip', 'npm'],
  }),
  aptPackages: field.stringList({
    description: 'Debian packages installed with `apt-get install --no-install-recommends`.',
    check: (value) =>
      APT_PACKAGE.test(value) ? undefined : `apt package "${value}" is not a Debian package name (lowercase letters, digits, "+", "-", "."), optionally with \`=version\`.`,
  }),
  environment: field.stringMap({ description: 'Environment variables set in the image (`ENV`).' }),
  buildArgs: field.stringMap({ description: 'Build arguments (`ARG`) passed to the build.' }),
  labels: field.stringMap({ description: 'Labels put on the image.' }),
  user: field.string({
    description: 'The user the image runs as (`USER`); the copied files are owned by it. A name or `uid[:gid]`.',
    example: '1000:1000',
    check: (value) => (USER.test(value) ? undefined : `"${value}" is not a user name or \`uid[:gid]\`.`),
  }),
  platform: field.string({
    description: 'The target platform, `os/arch[/variant]`. Default: the engine\'s own.',
    example: 'linux/amd64',
    check: (value) => (PLATFORM.test(value) ? undefined : `"${value}" is not a platform; expected \`os/arch[/variant]\`, e.g. \`linux/arm64\`.`),
  }),
  target: field.string({
    description: 'The stage of a multi-stage `dockerfile` to build.',
    check: (value) => (STAGE.test(value) ? undefined : `"${value}" is not a stage name.`),
  }),
  repository: field.string({
    description: 'The repository under the registry uri. Default: the registry\'s `defaultRepository`.',
    example: 'team/app',
    check: (value) => repositoryPathProblem(value),
  }),
  tag: field.string({
    description: 'The image\'s tag; sanitized to the tag grammar. Default: a UTC timestamp such as `20260131-142501`.',
    check: (value) => sanitizeTagProblem(value),
  }),
} as const;

export type DockerSettings = ConfigOf<typeof dockerSettingsSchema>;

/** Settings whose values shape a generated Dockerfile, and so cannot go with `dockerfile`. */
const GENERATED_ONLY = ['parentImage', 'requirements', 'requirementsFile', 'packageManager', 'aptPackages', 'environment', 'user'] as const;

export interface ResolveDockerSettingsOptions {
  /** The directory no path in the settings may leave. Default: the working directory. */
  readonly root?: string | undefined;
  /** What relative paths are relative to, e.g. the settings file's directory. Default: `root`. */
  readonly baseDirectory?: string | undefined;
  /** Names the settings in messages, e.g. `the Docker settings in build.json`. */
  readonly subject?: string | undefined;
}

/** Validated settings with their paths made absolute (and real: symlinks resolved). */
export interface ResolvedDockerSettings {
  readonly settings: DockerSettings;
  readonly root: string;
  readonly contextRoot: string | undefined;
  readonly dockerfilePath: string | undefined;
  readonly requirementsFilePath: string | undefined;
}

/**
 * Validates DockerSettings: unknown keys, bad values, settings that cannot go together, and
 * paths that are missing or lead outside the root are all reported at once in one
 * INVALID_CONFIG error whose `details.problems` name the fields.
 */
export async function resolveDockerSettings(input: unknown, options: ResolveDockerSettingsOptions = {}): Promise<ResolvedDockerSettings> {
  const subject = options.subject ?? 'the Docker settings';
  const problems = configProblems(dockerSettingsSchema, input);
  const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
  const values = (isObject ? input : {}) as Record<string, unknown>;
  if (isObject) problems.push(...combinationProblems(values), ...mapKeyProblems(values));

  const root = await realDirectory(resolve(options.root ?? process.cwd()), 'root', problems);
  const base = resolve(options.baseDirectory ?? root ?? process.cwd());
  const paths = {
    contextRoot: await pathInRoot(values['buildContextRoot'], 'buildContextRoot', 'directory', { root, base, problems }),
    dockerfilePath: await pathInRoot(values['dockerfile'], 'dockerfile', 'file', { root, base, problems }),
    requirementsFilePath: await pathInRoot(values['requirementsFile'], 'requirementsFile', 'file', { root, base, problems }),
  };
  if (problems.length > 0 || root === undefined) throw invalidSettings(subject, problems);
  return { settings: validateConfig(dockerSettingsSchema, input, subject), root, ...paths };
}

/** The one error for invalid settings, in the format core uses for every configuration. */
export function invalidSettings(subject: string, problems: readonly ConfigProblem[]): RegistryKitError {
  const lines = problems.map((problem) => `  - ${problem.field}: ${problem.message}`);
  return new RegistryKitError('INVALID_CONFIG', `Invalid configuration for ${subject}:\n${lines.join('\n')}`, { details: { problems } });
}

function combinationProblems(values: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const given = (key: string) => values[key] !== undefined && values[key] !== null;
  if (given('dockerfile')) {
    for (const key of GENERATED_ONLY.filter(given)) {
      problems.push({
        field: key,
        message: `cannot be combined with "dockerfile": a Dockerfile of your own decides the image's content. Put this in your Dockerfile, or drop "dockerfile" and use "parentImage".`,
      });
    }
  } else {
    if (!given('parentImage')) problems.push({ field: 'parentImage', message: 'is required unless "dockerfile" is given: name the image to build on, e.g. `python:3.12-slim`.' });
    if (given('target')) problems.push({ field: 'target', message: 'selects a stage of your own "dockerfile"; a generated Dockerfile has one stage.' });
  }
  if (given('requirements') && given('requirementsFile')) {
    problems.push({ field: 'requirementsFile', message: 'give either "requirements" (a list) or "requirementsFile", not both.' });
  }
  return problems;
}

function mapKeyProblems(values: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const map = (key: string) => (typeof values[key] === 'object' && values[key] !== null ? (values[key] as Record<string, unknown>) : {});
  for (const [name, value] of Object.entries(map('environment'))) {
    if (!NAME.test(name)) problems.push({ field: `environment.${name}`, message: 'is not a variable name: use letters, digits and "_", not starting with a digit.' });
    else if (typeof value === 'string' && CONTROL.test(value)) problems.push({ field: `environment.${name}`, message: 'must be one line: control characters cannot go in an ENV instruction.' });
  }
  for (const name of Object.keys(map('buildArgs'))) {
    if (!NAME.test(name)) problems.push({ field: `buildArgs.${name}`, message: 'is not a build argument name: use letters, digits and "_", not starting with a digit.' });
  }
  for (const name of Object.keys(map('labels'))) {
    if (name.length === 0 || /[\s=]/.test(name)) problems.push({ field: `labels.${name}`, message: 'a label key must be non-empty, without spaces or "=".' });
  }
  return problems;
}

async function realDirectory(path: string, fieldName: string, problems: ConfigProblem[]): Promise<string | undefined> {
  try {
    const real = await realpath(path);
    if ((await stat(real)).isDirectory()) return real;
    problems.push({ field: fieldName, message: `${path} is not a directory.` });
  } catch {
    problems.push({ field: fieldName, message: `${path} does not exist.` });
  }
  return undefined;
}

async function pathInRoot(
  value: unknown,
  fieldName: string,
  kind: 'file' | 'directory',
  where: { readonly root: string | undefined; readonly base: string; readonly problems: ConfigProblem[] },
): Promise<string | undefined> {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const path = resolve(where.base, value);
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    where.problems.push({ field: fieldName, message: `${kind === 'file' ? 'the file' : 'the directory'} ${path} does not exist.` });
    return undefined;
  }
  if (where.root !== undefined && !isInside(where.root, real)) {
    const shown = real === path ? path : `${path} (really ${real})`;
    where.problems.push({
      field: fieldName,
      message: `${shown} is outside the root ${where.root}: builds may only read files under it. Move it inside, or choose a root that contains it.`,
    });
    return undefined;
  }
  const stats = await stat(real);
  if (kind === 'file' ? !stats.isFile() : !stats.isDirectory()) {
    where.problems.push({ field: fieldName, message: `${path} is not a ${kind}.` });
    return undefined;
  }
  return real;
}

function isInside(root: string, path: string): boolean {
  const fromRoot = relative(root, path);
  return fromRoot === '' || (!fromRoot.startsWith(`..${sep}`) && fromRoot !== '..' && !isAbsolute(fromRoot));
}
