import { describe, expect, it } from 'vitest';
import { RegistryKitError } from './errors.js';
import { isLoopbackHost, parseRegistryUri, registryUriProblem } from './registry-uri.js';

describe('parseRegistryUri', () => {
  it.each([
    ['localhost:5000', 'localhost:5000', ''],
    ['localhost:5000/', 'localhost:5000', ''],
    ['registry.example.com/team/sub//', 'registry.example.com', 'team/sub'],
    ['index.docker.io/myuser', 'docker.io', 'myuser'],
    ['registry-1.docker.io/myuser', 'docker.io', 'myuser'],
    ['[::1]:5000/x', '[::1]:5000', 'x'],
  ])('splits %s into host %s and namespace %j', (uri, host, namespace) => {
    expect(parseRegistryUri(uri)).toMatchObject({ host, namespace });
  });

  it.each([
    ['https://registry.example.com/team', 'without "https://", e.g. "registry.example.com/team"'],
    ['registry.example.com/Team', 'use "team"'],
    ['myuser', 'For Docker Hub use "docker.io/myuser"'],
    ['registry.example.com/app:1', 'a registry uri names a registry'],
    ['registry_x.com/team', 'is invalid'],
    ['localhost:99999', 'out of range'],
  ])('refuses %s with a hint', (uri, hint) => {
    expect(registryUriProblem(uri)).toContain(hint);
    let caught: unknown;
    try {
      parseRegistryUri(uri);
    } catch (error) {
      caught = error;
    }
    expect(RegistryKitError.hasCode(caught, 'INVALID_CONFIG')).toBe(true);
    expect((caught as RegistryKitError).details['field']).toBe('uri');
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost:5000', true],
    ['localhost', true],
    ['localhost:80', true],
    ['registry.localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['[::1]:5000', true],
    ['10.0.0.1:5000', false],
    ['localhost.example.com', false],
    ['docker.io', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
