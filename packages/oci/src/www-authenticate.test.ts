import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate, preferredChallenge } from './www-authenticate.js';

describe('parseWwwAuthenticate', () => {
  it('reads a Bearer challenge with realm, service and scope', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/ubuntu:pull' } },
    ]);
  });

  it('reads several challenges in one header and across headers, and prefers Bearer', () => {
    const challenges = parseWwwAuthenticate(['Basic realm="codeberg", Bearer realm="https://codeberg.org/v2/token",service="container_registry"', 'Negotiate abc==']);
    expect(challenges.map((challenge) => challenge.scheme)).toEqual(['basic', 'bearer', 'negotiate']);
    expect(challenges[2]?.params).toEqual({ token68: 'abc==' });
    expect(preferredChallenge(challenges)?.params['realm']).toBe('https://codeberg.org/v2/token');
  });

  it('reads an insufficient_scope error with several scopes, quoted commas, escapes and unquoted values', () => {
    const [challenge] = parseWwwAuthenticate(
      'Bearer realm="https://ghcr.io/token", service=ghcr.io, scope="repository:a/b:pull,push repository:c/d:pull", error="insufficient_scope", note="say \\"hi\\""',
    );
    expect(challenge).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull,push repository:c/d:pull', error: 'insufficient_scope', note: 'say "hi"' },
    });
  });

  it('reads ECR-style Basic, a bare scheme, and nothing', () => {
    expect(parseWwwAuthenticate('Basic realm="https://1.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"')).toEqual([
      { scheme: 'basic', params: { realm: 'https://1.dkr.ecr.us-east-1.amazonaws.com/', service: 'ecr.amazonaws.com' } },
    ]);
    expect(parseWwwAuthenticate('Basic')).toEqual([{ scheme: 'basic', params: {} }]);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
    expect(preferredChallenge(parseWwwAuthenticate('Negotiate'))).toBeUndefined();
  });
});
