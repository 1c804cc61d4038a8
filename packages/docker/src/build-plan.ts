import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { comparePaths, type ContextEntry, generatedEntry, listBuildContext, underDirectory } from './build-context.js';
import { CONTEXT_DIRECTORY, dockerfileBaseImages, GENERATED_DIRECTORY, generateDockerfile } from './dockerfile.js';
import { type ResolvedDockerSettings, resolveDockerSettings, type ResolveDockerSettingsOptions } from './docker-settings.js';

// Where a Dockerfile that is not in the context goes; listed in the sent .dockerignore so the
// engine drops it from the context after reading it, as the docker CLI does with `-f`.
const INJECTED_DOCKERFILE = '.registrykit.Dockerfile';

/** The Dockerfile a build uses, known before the context is read. */
export interface DockerfilePlan {
  readonly resolved: ResolvedDockerSettings;
  /** The Dockerfile's text: generated from the settings, or the user's own. */
  readonly dockerfile: string;
  /** Files a generated Dockerfile copies (the requirements), by path in the context. */
  readonly generatedFiles: ReadonlyMap<string, string>;
  /** The images the Dockerfile builds on (FROM and COPY --from), build args applied. */
  readonly baseImages: readonly string[];
}

/** Everything a build sends to the engine, decided before the engine is asked anything. */
export interface DockerBuildPlan extends DockerfilePlan {
  /** The Dockerfile's path inside the context the engine receives. */
  readonly dockerfilePath: string;
  /** The entries of that context, in the order they are sent. */
  readonly entries: readonly ContextEntry[];
}

/** The Dockerfile the settings build with, for printing: validates the settings, reads no context. */
export async function renderDockerfile(settings: unknown, options: ResolveDockerSettingsOptions = {}): Promise<string> {
  return (await planDockerfile(settings, options)).dockerfile;
}

/** Validates the settings and writes (or reads) the Dockerfile. */
export async function planDockerfile(settings: unknown, options: ResolveDockerSettingsOptions = {}): Promise<DockerfilePlan> {
  const resolved = await resolveDockerSettings(settings, options);
  const { text, files } = await dockerfileOf(resolved);
  return { resolved, dockerfile: text, generatedFiles: files, baseImages: dockerfileBaseImages(text, resolved.settings.buildArgs) };
}

/** `planDockerfile`, then `layoutBuildContext`. */
export async function planDockerBuild(settings: unknown, options: ResolveDockerSettingsOptions = {}): Promise<DockerBuildPlan> {
  return layoutBuildContext(await planDockerfile(settings, options));
}

/**
 * Lays out the context: with a generated Dockerfile, the user's files (after .dockerignore) go
 * under `context/` and the generated files under `registrykit/`, so `COPY context/ ./` puts
 * exactly the user's files in /app; with the user's Dockerfile, the context is theirs, unchanged.
 */
export async function layoutBuildContext(plan: DockerfilePlan): Promise<DockerBuildPlan> {
  const { resolved, dockerfile } = plan;
  const userEntries = resolved.contextRoot === undefined ? [] : await listBuildContext(resolved.contextRoot);

  if (resolved.dockerfilePath === undefined) {
    const dockerfilePath = `${GENERATED_DIRECTORY}/Dockerfile`;
    const entries = [
      ...(resolved.contextRoot === undefined ? [] : underDirectory(CONTEXT_DIRECTORY, userEntries)),
      { path: GENERATED_DIRECTORY, type: 'directory' as const, mode: 0o755, size: 0 },
      generatedEntry(dockerfilePath, dockerfile),
      ...[...plan.generatedFiles].map(([path, content]) => generatedEntry(path, content)),
    ];
    return { ...plan, dockerfilePath, entries: sorted(entries) };
  }

  const inContext = resolved.contextRoot === undefined ? undefined : relative(resolved.contextRoot, resolved.dockerfilePath).split(sep).join('/');
  if (inContext !== undefined && userEntries.some((entry) => entry.path === inContext && entry.type === 'file')) {
    return { ...plan, dockerfilePath: inContext, entries: userEntries };
  }
  const ignore = userEntries.find((entry) => entry.path === '.dockerignore');
  const ignoreText = ignore ? `${(await readFile(ignore.source!, 'utf8')).replace(/\n?$/, '\n')}${INJECTED_DOCKERFILE}\n` : `.dockerignore\n${INJECTED_DOCKERFILE}\n`;
  const entries = [
    ...userEntries.filter((entry) => entry.path !== '.dockerignore'),
    generatedEntry('.dockerignore', ignoreText),
    generatedEntry(INJECTED_DOCKERFILE, dockerfile),
  ];
  return { ...plan, dockerfilePath: INJECTED_DOCKERFILE, entries: sorted(entries) };
}

async function dockerfileOf(resolved: ResolvedDockerSettings): Promise<{ text: string; files: ReadonlyMap<string, string> }> {
  if (resolved.dockerfilePath !== undefined) return { text: await readFile(resolved.dockerfilePath, 'utf8'), files: new Map() };
  const requirementsText = resolved.requirementsFilePath === undefined ? undefined : await readFile(resolved.requirementsFilePath, 'utf8');
  return generateDockerfile(resolved.settings, { requirementsText, hasContext: resolved.contextRoot !== undefined });
}

function sorted(entries: ContextEntry[]): ContextEntry[] {
  return entries.sort((a, b) => comparePaths(a.path, b.path));
}
