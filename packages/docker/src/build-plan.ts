import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { comparePaths, type ContextEntry, generatedEntry, listBuildContext, underDirectory } from './build-context.js';
import { CONTEXT_DIRECTORY, dockerfileBaseImages, GENERATED_DIRECTORY, generateDockerfile } from './dockerfile.js';
import { type ResolvedDockerSettings, resolveDockerSettings, type ResolveDockerSettingsOptions } from './docker-settings.js';

// Where a Dockerfile that is not in the context goes; listed in the sent .dockerignore so the
// engine drops it from the context after reading it, as the docker CLI does with `-f`.
const INJECTED_DOCKERFILE = '.registrykit.Dockerfile';

/** Everything a build sends to the engine, decided before the engine is asked anything. */
export interface DockerBuildPlan {
  readonly resolved: ResolvedDockerSettings;
  /** The Dockerfile's text: generated from the settings, or the user's own. */
  readonly dockerfile: string;
  /** Its path inside the context the engine receives. */
  readonly dockerfilePath: string;
  /** The entries of that context, in the order they are sent. */
  readonly entries: readonly ContextEntry[];
  /** The images the Dockerfile builds on (FROM and COPY --from), build args applied. */
  readonly baseImages: readonly string[];
}

/** The Dockerfile the settings build with, for printing: validates the settings, reads no context. */
export async function renderDockerfile(settings: unknown, options: ResolveDockerSettingsOptions = {}): Promise<string> {
  return (await dockerfileOf(await resolveDockerSettings(settings, options))).text;
}

/**
 * Validates the settings and lays out the context: with a generated Dockerfile, the user's
 * files (after .dockerignore) go under `context/` and the generated files under
 * `registrykit/`, so `COPY context/ ./` puts exactly the user's files in /app; with the
 * user's Dockerfile, the context is theirs, unchanged.
 */
export async function planDockerBuild(settings: unknown, options: ResolveDockerSettingsOptions = {}): Promise<DockerBuildPlan> {
  const resolved = await resolveDockerSettings(settings, options);
  const dockerfile = await dockerfileOf(resolved);
  const userEntries = resolved.contextRoot === undefined ? [] : await listBuildContext(resolved.contextRoot);
  const baseImages = dockerfileBaseImages(dockerfile.text, resolved.settings.buildArgs);

  if (resolved.dockerfilePath === undefined) {
    const generated = [...dockerfile.files].map(([path, content]) => generatedEntry(path, content));
    const dockerfilePath = `${GENERATED_DIRECTORY}/Dockerfile`;
    const entries = [
      ...(resolved.contextRoot === undefined ? [] : underDirectory(CONTEXT_DIRECTORY, userEntries)),
      { path: GENERATED_DIRECTORY, type: 'directory' as const, mode: 0o755, size: 0 },
      generatedEntry(dockerfilePath, dockerfile.text),
      ...generated,
    ];
    return { resolved, dockerfile: dockerfile.text, dockerfilePath, entries: sorted(entries), baseImages };
  }

  const inContext = resolved.contextRoot === undefined ? undefined : relative(resolved.contextRoot, resolved.dockerfilePath).split(sep).join('/');
  if (inContext !== undefined && userEntries.some((entry) => entry.path === inContext && entry.type === 'file')) {
    return { resolved, dockerfile: dockerfile.text, dockerfilePath: inContext, entries: userEntries, baseImages };
  }
  const ignore = userEntries.find((entry) => entry.path === '.dockerignore');
  const ignoreText = ignore ? `${(await readFile(ignore.source!, 'utf8')).replace(/\n?$/, '\n')}${INJECTED_DOCKERFILE}\n` : `.dockerignore\n${INJECTED_DOCKERFILE}\n`;
  const entries = [
    ...userEntries.filter((entry) => entry.path !== '.dockerignore'),
    generatedEntry('.dockerignore', ignoreText),
    generatedEntry(INJECTED_DOCKERFILE, dockerfile.text),
  ];
  return { resolved, dockerfile: dockerfile.text, dockerfilePath: INJECTED_DOCKERFILE, entries: sorted(entries), baseImages };
}

async function dockerfileOf(resolved: ResolvedDockerSettings): Promise<{ text: string; files: ReadonlyMap<string, string> }> {
  if (resolved.dockerfilePath !== undefined) return { text: await readFile(resolved.dockerfilePath, 'utf8'), files: new Map() };
  const requirementsText = resolved.requirementsFilePath === undefined ? undefined : await readFile(resolved.requirementsFilePath, 'utf8');
  return generateDockerfile(resolved.settings, { requirementsText, hasContext: resolved.contextRoot !== undefined });
}

function sorted(entries: ContextEntry[]): ContextEntry[] {
  return entries.sort((a, b) => comparePaths(a.path, b.path));
}
