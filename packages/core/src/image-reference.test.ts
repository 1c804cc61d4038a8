import { describe, expect, it } from 'vitest';
import { RegistryKitError } from './errors.js';
import {
  canonicalRegistryHost,
  familiarImageReference,
  formatImageReference,
  isValidDigest,
  isValidTag,
  parseImageReference,
} from './image-reference.js';

const SHA256 = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);
const SHA512 = 'f'.repeat(128);
const LONG_TAG = `v${'1'.repeat(127)}`;

// [input, normalized full reference, registry, repository, tag, digest]
type ValidRow = [string, string, string, string, (string | undefined)?, (string | undefined)?];
const valid: ValidRow[] = [
  ['ubuntu', 'docker.io/library/ubuntu', 'docker.io', 'library/ubuntu'],
  ['ubuntu:22.04', 'docker.io/library/ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04'],
  ['library/ubuntu', 'docker.io/library/ubuntu', 'docker.io', 'library/ubuntu'],
  ['docker.io/ubuntu', 'docker.io/library/ubuntu', 'docker.io', 'library/ubuntu'],
  ['index.docker.io/ubuntu:latest', 'docker.io/library/ubuntu:latest', 'docker.io', 'library/ubuntu', 'latest'],
  ['docker.io/library/ubuntu:22.04', 'docker.io/library/ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04'],
  ['registry-1.docker.io/myuser/app', 'registry-1.docker.io/myuser/app', 'registry-1.docker.io', 'myuser/app'],
  ['myuser/app', 'docker.io/myuser/app', 'docker.io', 'myuser/app'],
  ['myuser/app:v1.2.3', 'docker.io/myuser/app:v1.2.3', 'docker.io', 'myuser/app', 'v1.2.3'],
  ['a/b/c', 'docker.io/a/b/c', 'docker.io', 'a/b/c'],
  ['my-app/a__b.c-d_e', 'docker.io/my-app/a__b.c-d_e', 'docker.io', 'my-app/a__b.c-d_e'],
  ['a--b/c', 'docker.io/a--b/c', 'docker.io', 'a--b/c'],
  ['localhost/app', 'localhost/app', 'localhost', 'app'],
  ['localhost/a/b', 'localhost/a/b', 'localhost', 'a/b'],
  ['localhost:5000/app:1', 'localhost:5000/app:1', 'localhost:5000', 'app', '1'],
  ['127.0.0.1:5000/team/app', '127.0.0.1:5000/team/app', '127.0.0.1:5000', 'team/app'],
  ['0.0.0.0:1/x', '0.0.0.0:1/x', '0.0.0.0:1', 'x'],
  ['1.2.3.4/app', '1.2.3.4/app', '1.2.3.4', 'app'],
  ['[::1]:5000/app:tag', '[::1]:5000/app:tag', '[::1]:5000', 'app', 'tag'],
  ['[2001:db8::1]/app', '[2001:db8::1]/app', '[2001:db8::1]', 'app'],
  ['[::ffff:192.168.0.1]:443/app', '[::ffff:192.168.0.1]:443/app', '[::ffff:192.168.0.1]:443', 'app'],
  ['registry.example.com/a/b/c/d:tag', 'registry.example.com/a/b/c/d:tag', 'registry.example.com', 'a/b/c/d', 'tag'],
  ['REGISTRY.example.com/app', 'REGISTRY.example.com/app', 'REGISTRY.example.com', 'app'],
  ['Foo/bar', 'Foo/bar', 'Foo', 'bar'],
  ['xn--bcher-kva.example/app', 'xn--bcher-kva.example/app', 'xn--bcher-kva.example', 'app'],
  ['gcr.io/my-project/image:tag', 'gcr.io/my-project/image:tag', 'gcr.io', 'my-project/image', 'tag'],
  ['us-central1-docker.pkg.dev/proj/repo/img', 'us-central1-docker.pkg.dev/proj/repo/img', 'us-central1-docker.pkg.dev', 'proj/repo/img'],
  ['123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1', '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1', '123456789012.dkr.ecr.us-east-1.amazonaws.com', 'app', '1'],
  ['ghcr.io/owner/app:sha-abc', 'ghcr.io/owner/app:sha-abc', 'ghcr.io', 'owner/app', 'sha-abc'],
  ['myregistry.azurecr.io/ns/app:2024.01', 'myregistry.azurecr.io/ns/app:2024.01', 'myregistry.azurecr.io', 'ns/app', '2024.01'],
  ['localhost:5000/app:Tag_1.0-rc', 'localhost:5000/app:Tag_1.0-rc', 'localhost:5000', 'app', 'Tag_1.0-rc'],
  ['host:5000', 'docker.io/library/host:5000', 'docker.io', 'library/host', '5000'],
  [`app:${LONG_TAG}`, `docker.io/library/app:${LONG_TAG}`, 'docker.io', 'library/app', LONG_TAG],
  [`app@sha256:${SHA256}`, `docker.io/library/app@sha256:${SHA256}`, 'docker.io', 'library/app', undefined, `sha256:${SHA256}`],
  [`app:1@sha256:${SHA256}`, `docker.io/library/app:1@sha256:${SHA256}`, 'docker.io', 'library/app', '1', `sha256:${SHA256}`],
  [`example.com:443/foo/bar@sha512:${SHA512}`, `example.com:443/foo/bar@sha512:${SHA512}`, 'example.com:443', 'foo/bar', undefined, `sha512:${SHA512}`],
  [`localhost:5000/app:1@sha256:${SHA256}`, `localhost:5000/app:1@sha256:${SHA256}`, 'localhost:5000', 'app', '1', `sha256:${SHA256}`],
  ['a0/b1_c2', 'docker.io/a0/b1_c2', 'docker.io', 'a0/b1_c2'],
];

// [input, the part named as wrong, a phrase the message must contain]
const invalid: Array<[string, string, string]> = [
  ['', 'reference', 'empty'],
  ['app with space', 'reference', 'whitespace'],
  ['http://example.com/app', 'reference', 'no scheme'],
  ['https://registry.example.com/app:1', 'reference', 'remove "https://"'],
  ['UBUNTU', 'repository', 'must be lowercase'],
  ['myuser/App', 'repository', 'use "myuser/app"'],
  ['example.com/App/x', 'repository', 'must be lowercase'],
  ['ubuntu:', 'tag', 'empty'],
  ['ubuntu:-tag', 'tag', 'must not start with'],
  ['ubuntu:.tag', 'tag', 'must not start with'],
  ['ubuntu:tag!', 'tag', 'may contain only'],
  [`ubuntu:${LONG_TAG}x`, 'tag', 'limit is 128'],
  ['ubuntu@sha256:abc', 'digest', '64 hexadecimal characters'],
  [`ubuntu@sha256:${SHA256.toUpperCase()}`, 'digest', 'lowercase hexadecimal'],
  [`ubuntu@md5:${SHA256}`, 'digest', 'not supported'],
  ['ubuntu@sha256', 'digest', 'no algorithm'],
  ['ubuntu@', 'digest', 'no algorithm'],
  [`ubuntu@-sha:${SHA256}`, 'digest', 'malformed'],
  ['localhost:5000/app@sha256:xyz', 'digest', 'lowercase hexadecimal'],
  ['-app', 'repository', 'start and end with a letter or digit'],
  ['app-', 'repository', 'start and end with a letter or digit'],
  ['a___b', 'repository', 'separators'],
  ['example.com/a..b', 'repository', 'separators'],
  ['a//b', 'repository', 'empty path component'],
  ['localhost:5000/', 'repository', 'missing'],
  ['localhost:5000/app/', 'repository', 'empty path component'],
  ['ubuntu:tag:more', 'repository', 'may contain only'],
  ['exa_mple.com/app', 'registry', '"exa_mple" is not'],
  ['-example.com/app', 'registry', '"-example" is not'],
  ['example.com:port/app', 'registry', 'must be a number'],
  ['example.com:99999/app', 'registry', 'out of range'],
  ['example.com:0/app', 'registry', 'out of range'],
  ['300.1.1.1/app', 'registry', 'not a valid IPv4'],
  ['[::1/app', 'registry', 'never closes'],
  ['[zz::1]:5000/app', 'registry', 'not a valid IPv6'],
  ['[::1]x/app', 'registry', 'text after the IPv6'],
  ['::1:5000/app', 'registry', 'in brackets'],
  [`${'a'.repeat(256)}`, 'repository', 'limit is 255'],
  [SHA256, 'repository', 'image ID'],
  [':tag', 'repository', 'missing'],
];

describe('parseImageReference', () => {
  it('has a table of at least 60 references', () => {
    expect(valid.length + invalid.length).toBeGreaterThanOrEqual(60);
  });

  it.each<ValidRow>(valid)('parses %j as %j', (input, normalized, registry, repository, tag, digest) => {
    const reference = parseImageReference(input);
    expect(reference).toEqual({ registry, repository, tag, digest });
    expect(formatImageReference(reference)).toBe(normalized);
    // Normalizing is idempotent.
    expect(parseImageReference(normalized)).toEqual(reference);
  });

  it.each(invalid)('refuses %j, naming the %s', (input, part, phrase) => {
    let caught: unknown;
    try {
      parseImageReference(input);
    } catch (error) {
      caught = error;
    }
    expect(RegistryKitError.isInstance(caught)).toBe(true);
    const error = caught as RegistryKitError;
    expect(error.code).toBe('INVALID_REFERENCE');
    expect(error.details['part']).toBe(part);
    expect(error.message).toContain(phrase);
    expect(error.message).toContain(`"${input}"`);
  });
});

describe('familiarImageReference', () => {
  it.each([
    ['docker.io/library/ubuntu:22.04', 'ubuntu:22.04'],
    ['docker.io/myuser/app', 'myuser/app'],
    ['docker.io/library/a/b', 'library/a/b'],
    ['localhost:5000/app:1', 'localhost:5000/app:1'],
    [`ghcr.io/o/app@sha256:${SHA256}`, `ghcr.io/o/app@sha256:${SHA256}`],
  ])('shortens %s to %s', (input, familiar) => {
    expect(familiarImageReference(parseImageReference(input))).toBe(familiar);
  });
});

describe('tags, digests and hosts', () => {
  it('checks tags', () => {
    expect(isValidTag('v1.0_rc-1')).toBe(true);
    expect(isValidTag('_x')).toBe(true);
    expect(isValidTag('.x')).toBe(false);
    expect(isValidTag('a:b')).toBe(false);
    expect(isValidTag('')).toBe(false);
  });

  it('checks digests', () => {
    expect(isValidDigest(`sha256:${SHA256}`)).toBe(true);
    expect(isValidDigest(`sha512:${SHA512}`)).toBe(true);
    expect(isValidDigest(`sha256:${SHA256.slice(1)}`)).toBe(false);
    expect(isValidDigest(SHA256)).toBe(false);
  });

  it('folds every Docker Hub alias for comparisons', () => {
    for (const host of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) expect(canonicalRegistryHost(host)).toBe('docker.io');
    expect(canonicalRegistryHost('ghcr.io')).toBe('ghcr.io');
  });
});
