import { describe, expect, it } from 'vitest';
import { encodeDockerAuthConfig, toDockerAuthConfig } from './docker-auth.js';

describe('X-Registry-Auth', () => {
  it('builds AuthConfigs with Docker Hub v1 address and bare hosts elsewhere', () => {
    expect(toDockerAuthConfig({ type: 'basic', username: 'u', password: 'p' }, 'docker.io')).toEqual({
      username: 'u',
      password: 'p',
      serveraddress: 'https://index.docker.io/v1/',
    });
    expect(toDockerAuthConfig({ type: 'identity-token', token: 't' }, 'acr.example.io')).toEqual({ identitytoken: 't', serveraddress: 'acr.example.io' });
    expect(toDockerAuthConfig({ type: 'bearer', token: 'b' }, 'localhost:5000')).toEqual({ registrytoken: 'b', serveraddress: 'localhost:5000' });
    expect(toDockerAuthConfig(undefined, 'localhost:5000')).toEqual({});
  });

  it('encodes as padded base64url, which Docker decodes back to the same JSON', () => {
    const config = { username: 'ü>?~', password: 'p?>~', serveraddress: 'localhost:5000' };
    const header = encodeDockerAuthConfig(config);
    expect(header).toMatch(/^[A-Za-z0-9_-]+=*$/);
    expect(header.length % 4).toBe(0);
    expect(JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'))).toEqual(config);
  });
});
