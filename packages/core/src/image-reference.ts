import { RegistryKitError } from './errors.js';

/**
 * A parsed, normalized image reference, e.g. `docker.io/library/ubuntu:22.04` or
 * `localhost:5000/team/app@sha256:…`.
 */
export interface ImageReference {
  /** The registry host with its port, e.g. `docker.io`, `localhost:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** The repository path inside the registry, e.g. `library/ubuntu`, `team/app`. */
  readonly repository: string;
  readonly tag?: string | undefined;
  readonly digest?: string | undefined;
}

export const DOCKER_HUB_REGISTRY = 'docker.io';

/** Host names that all mean Docker Hub. */
export const DOCKER_HUB_ALIASES: readonly string[] = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/** Folds Docker Hub's aliases to `docker.io`, for comparing hosts. */
export function canonicalRegistryHost(host: string): string {
  return DOCKER_HUB_ALIASES.includes(host) ? DOCKER_HUB_REGISTRY : host;
}

const NAME_TOTAL_MAX = 255;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV4 = /^(?:\d{1,3})(?:\.\d{1,3}){3}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST_ALGORITHM = /^[A-Za-z][A-Za-z0-9]*(?:[+._-][A-Za-z][A-Za-z0-9]*)*$/;
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const IMAGE_ID = /^[a-f0-9]{64}$/;

type Part = 'reference' | 'registry' | 'repository' | 'tag' | 'digest';

function invalid(input: string, part: Part, reason: string): RegistryKitError {
  return new RegistryKitError('INVALID_REFERENCE', `Invalid image reference "${input}": ${reason}`, {
    details: { reference: input, part },
  });
}

/**
 * Parses an image reference with Docker's normalization: a name without a registry is on
 * Docker Hub (`docker.io`), and a single-component Docker Hub name is under `library/`.
 * Throws a `RegistryKitError` with code `INVALID_REFERENCE` that says which part is wrong.
 */
export function parseImageReference(input: string): ImageReference {
  if (typeof input !== 'string' || input.length === 0) {
    throw invalid(String(input), 'reference', 'the reference is empty; expected `[registry/]repository[:tag][@digest]`.');
  }
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(input);
  if (scheme) {
    throw invalid(input, 'reference', `image references have no scheme; remove "${scheme[0]}".`);
  }
  const whitespace = /\s/.exec(input);
  if (whitespace) {
    throw invalid(input, 'reference', `it contains whitespace at position ${whitespace.index}; references have no spaces.`);
  }

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    checkDigest(input, digest);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/') && !rest.slice(colon).includes(']')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    checkTag(input, tag);
  }

  if (rest.length === 0) {
    throw invalid(input, 'repository', 'the repository name is missing.');
  }
  if (rest.length > NAME_TOTAL_MAX) {
    throw invalid(input, 'repository', `the name is ${rest.length} characters long; the limit is ${NAME_TOTAL_MAX}.`);
  }

  let { registry, repository } = splitRegistry(rest);
  checkRegistry(input, registry);
  // Docker folds only its legacy index host; registry-1.docker.io stays as written.
  if (registry === 'index.docker.io') registry = DOCKER_HUB_REGISTRY;
  checkRepository(input, repository);
  if (registry === DOCKER_HUB_REGISTRY && !repository.includes('/')) {
    if (IMAGE_ID.test(repository)) {
      throw invalid(input, 'repository', 'a 64-character hexadecimal name is an image ID, not a repository; use the image ID directly or give the image a name.');
    }
    repository = `library/${repository}`;
  }
  return { registry, repository, tag, digest };
}

/** Like `parseImageReference`, but answers `undefined` instead of throwing. */
export function tryParseImageReference(input: string): ImageReference | undefined {
  try {
    return parseImageReference(input);
  } catch (error) {
    if (RegistryKitError.hasCode(error, 'INVALID_REFERENCE')) return undefined;
    throw error;
  }
}

// Docker's rule: the first component is a registry only if it looks like a host
// (has a dot or a port, is `localhost`, or has uppercase letters, which repositories never do).
function splitRegistry(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  if (slash === -1) return { registry: DOCKER_HUB_REGISTRY, repository: name };
  const first = name.slice(0, slash);
  const looksLikeHost = /[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first;
  if (!looksLikeHost) return { registry: DOCKER_HUB_REGISTRY, repository: name };
  return { registry: first, repository: name.slice(slash + 1) };
}

function checkDigest(input: string, digest: string): void {
  const separator = digest.indexOf(':');
  if (separator === -1) {
    throw invalid(input, 'digest', `digest "${digest}" has no algorithm; expected \`sha256:<64 hex characters>\`.`);
  }
  const algorithm = digest.slice(0, separator);
  const hex = digest.slice(separator + 1);
  if (!DIGEST_ALGORITHM.test(algorithm)) {
    throw invalid(input, 'digest', `digest algorithm "${algorithm}" is malformed; expected \`sha256\`.`);
  }
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) {
    throw invalid(input, 'digest', `digest algorithm "${algorithm}" is not supported; use sha256, sha384 or sha512.`);
  }
  if (!/^[a-f0-9]*$/.test(hex)) {
    throw invalid(input, 'digest', `the ${algorithm} digest must be lowercase hexadecimal; got "${hex}".`);
  }
  if (hex.length !== length) {
    throw invalid(input, 'digest', `a ${algorithm} digest has ${length} hexadecimal characters; got ${hex.length}.`);
  }
}

function checkTag(input: string, tag: string): void {
  if (tag.length === 0) throw invalid(input, 'tag', 'the tag after ":" is empty; remove the ":" or give a tag.');
  if (tag.length > 128) throw invalid(input, 'tag', `tag is ${tag.length} characters long; the limit is 128.`);
  if (!TAG.test(tag)) {
    throw invalid(input, 'tag', `tag "${tag}" may contain only letters, digits, "_", "." and "-", and must not start with "." or "-".`);
  }
}

/** Checks a registry host (`host[:port]`, IPv4 or `[IPv6]`); throws an INVALID_REFERENCE error. */
function checkRegistry(input: string, registry: string): void {
  const problem = registryHostProblem(registry);
  if (problem) throw invalid(input, 'registry', problem);
}

/** Explains why `registry` is not a valid `host[:port]`, or answers undefined. */
export function registryHostProblem(registry: string): string | undefined {
  let host = registry;
  let port: string | undefined;
  if (registry.startsWith('[')) {
    const close = registry.indexOf(']');
    if (close === -1) return `registry "${registry}" opens an IPv6 address with "[" but never closes it.`;
    host = registry.slice(1, close);
    const after = registry.slice(close + 1);
    if (after.length > 0) {
      if (!after.startsWith(':')) return `registry "${registry}" has text after the IPv6 address; expected \`[address]:port\`.`;
      port = after.slice(1);
    }
    if (!isIpv6(host)) return `"${host}" in registry "${registry}" is not a valid IPv6 address.`;
  } else {
    const colon = registry.lastIndexOf(':');
    if (colon !== -1) {
      host = registry.slice(0, colon);
      port = registry.slice(colon + 1);
    }
    if (host.length === 0) return `registry "${registry}" has no host name.`;
    if (host.includes(':')) return `registry "${registry}" looks like an IPv6 address; write it in brackets, e.g. \`[::1]:5000\`.`;
    if (IPV4.test(host)) {
      if (host.split('.').some((octet) => Number(octet) > 255)) return `"${host}" is not a valid IPv4 address.`;
    } else {
      const bad = host.split('.').find((component) => !DOMAIN_COMPONENT.test(component));
      if (bad !== undefined) {
        return `registry host "${host}" is invalid: each dot-separated part must be letters, digits and inner "-"; "${bad}" is not.`;
      }
    }
  }
  if (port !== undefined) {
    if (!/^\d+$/.test(port)) return `registry port "${port}" must be a number.`;
    const value = Number(port);
    if (value < 1 || value > 65535) return `registry port ${port} is out of range (1-65535).`;
  }
  return undefined;
}

function isIpv6(address: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(address) || !address.includes(':')) return false;
  const doubleColons = address.split('::').length - 1;
  if (doubleColons > 1) return false;
  const groups = address.split(':').filter((group) => group.length > 0);
  const last = groups.at(-1) ?? '';
  const embeddedIpv4 = IPV4.test(last);
  const hexGroups = embeddedIpv4 ? groups.slice(0, -1) : groups;
  if (!hexGroups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
  const width = hexGroups.length + (embeddedIpv4 ? 2 : 0);
  return doubleColons === 1 ? width < 8 : width === 8;
}

function checkRepository(input: string, repository: string): void {
  const problem = repositoryPathProblem(repository);
  if (problem) throw invalid(input, 'repository', problem);
}

/** Explains why `path` is not a valid repository path, or answers undefined. */
export function repositoryPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'the repository name is missing.';
  for (const component of path.split('/')) {
    if (component.length === 0) return `repository "${path}" has an empty path component (a leading, trailing or double "/").`;
    if (PATH_COMPONENT.test(component)) continue;
    if (PATH_COMPONENT.test(component.toLowerCase())) {
      return `repository "${path}" must be lowercase; use "${path.toLowerCase()}".`;
    }
    return `repository path component "${component}" may contain only lowercase letters, digits and the separators ".", "_", "__" or "-", and must start and end with a letter or digit.`;
  }
  return undefined;
}

/** `registry/repository[:tag][@digest]`, always with the registry. */
export function formatImageReference(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}${referenceSuffix(reference)}`;
}

/** The short form Docker prints: `ubuntu:22.04` for `docker.io/library/ubuntu:22.04`. */
export function familiarImageReference(reference: ImageReference): string {
  const { registry, repository } = reference;
  let name = `${registry}/${repository}`;
  if (registry === DOCKER_HUB_REGISTRY) {
    const official = repository.startsWith('library/') && repository.split('/').length === 2;
    name = official ? repository.slice('library/'.length) : repository;
  }
  return `${name}${referenceSuffix(reference)}`;
}

function referenceSuffix(reference: ImageReference): string {
  const tag = reference.tag === undefined ? '' : `:${reference.tag}`;
  const digest = reference.digest === undefined ? '' : `@${reference.digest}`;
  return tag + digest;
}

/** `registry/repository`, the name without tag or digest. */
export function imageRepositoryName(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}`;
}

/** True when `tag` is a valid tag. */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** True when `digest` is a supported, well-formed digest such as `sha256:<64 hex>`. */
export function isValidDigest(digest: string): boolean {
  try {
    checkDigest(digest, digest);
    return true;
  } catch {
    return false;
  }
}
