import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerodeOptions } from './docker-client.js';

describe('reading a Docker host as the docker CLI reads DOCKER_HOST', () => {
  it('maps sockets, pipes, ssh and plain tcp', async () => {
    expect(await dockerodeOptions('unix:///run/user/1000/docker.sock', {})).toEqual({ socketPath: '/run/user/1000/docker.sock' });
    expect(await dockerodeOptions('npipe:////./pipe/docker_engine', {})).toEqual({ socketPath: '//./pipe/docker_engine' });
    expect(await dockerodeOptions('ssh://deploy@build.example.com:2222', {})).toEqual({ protocol: 'ssh', host: 'build.example.com', port: 2222, username: 'deploy' });
    expect(await dockerodeOptions('tcp://10.0.0.5:2375', {})).toEqual({ host: '10.0.0.5', port: 2375, protocol: 'http' });
  });

  it('uses TLS with the client certificate for DOCKER_TLS_VERIFY=1 or port 2376', async () => {
    const certPath = await mkdtemp(join(tmpdir(), 'rk-docker-certs-'));
    try {
      for (const name of ['ca', 'cert', 'key']) await writeFile(join(certPath, `${name}.pem`), `${name} pem`);
      const verified = await dockerodeOptions('tcp://docker.example.com:2375', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath });
      expect(verified).toMatchObject({ host: 'docker.example.com', port: 2375, protocol: 'https' });
      expect([verified.ca, verified.cert, verified.key].map(String)).toEqual(['ca pem', 'cert pem', 'key pem']);
      expect(await dockerodeOptions('tcp://docker.example.com:2376', {})).toEqual({ host: 'docker.example.com', port: 2376, protocol: 'https' });
      await expect(dockerodeOptions('tcp://docker.example.com:2376', { DOCKER_CERT_PATH: join(certPath, 'missing') })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: { field: 'DOCKER_CERT_PATH' },
      });
    } finally {
      await rm(certPath, { recursive: true, force: true });
    }
  });

  it('refuses other schemes, saying which work', async () => {
    await expect(dockerodeOptions('ftp://docker.example.com', {})).rejects.toThrow(/use unix:\/\/, npipe:\/\/, tcp:\/\/, http\(s\):\/\/ or ssh:\/\//);
  });
});
