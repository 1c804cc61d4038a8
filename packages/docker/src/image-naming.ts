import { type ContainerRegistry, RegistryKitError } from '@registrykit/core';

const TAG_MAX = 128;

/**
 * Turns any text into a valid tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`), after ZenML's fix for
 * pipeline names such as `Experiment: One` (zenml#3819): each run of other characters becomes
 * one `-`, a leading `.` or `-` becomes `_`, and the result is cut to 128 characters.
 * Throws INVALID_ARGUMENT when nothing usable is left.
 */
export function sanitizeTag(input: string): string {
  const problem = sanitizeTagProblem(input);
  if (problem) throw new RegistryKitError('INVALID_ARGUMENT', `Invalid tag: ${problem}`, { details: { tag: input } });
  return sanitize(input);
}

/** Why `input` cannot become a tag, or undefined when `sanitizeTag` accepts it. */
export function sanitizeTagProblem(input: string): string | undefined {
  return !/[A-Za-z0-9]/.test(sanitize(input))
    ? `${JSON.stringify(input)} has no letters or digits to make a tag from; use letters, digits, "_", "." and "-".`
    : undefined;
}

function sanitize(input: string): string {
  return input
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.-]/, '_')
    .slice(0, TAG_MAX);
}

/** The default tag: the UTC time of the build, e.g. `20260131-142501`. */
export function timestampTag(date: Date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** The tag that names an image by its content: `checksum-<64 hex>`. */
export function checksumTag(checksum: string): string {
  return `checksum-${checksum.replace(/^sha256:/, '')}`;
}

export interface BuildImageNames {
  /** `<uri>/<repository>:<tag>`: the name a person reads. */
  readonly image: string;
  /** `<uri>/<repository>:checksum-<hex>`: the name that proves what the image holds. */
  readonly checksumImage: string;
  /** `<uri>/<repository>`. */
  readonly repository: string;
}

/**
 * Names a build under `registry`: the repository given, else the registry's
 * `defaultRepository`; the tag given (sanitized), else a timestamp.
 */
export function buildImageNames(
  registry: ContainerRegistry,
  options: { readonly repository?: string | undefined; readonly tag?: string | undefined; readonly checksum: string; readonly now?: Date | undefined },
): BuildImageNames {
  const tag = options.tag === undefined ? timestampTag(options.now) : sanitizeTag(options.tag);
  const image = registry.imageName({ repository: options.repository, tag });
  const checksumImage = registry.imageName({ repository: options.repository, tag: checksumTag(options.checksum) });
  return { image, checksumImage, repository: image.slice(0, image.lastIndexOf(':')) };
}
