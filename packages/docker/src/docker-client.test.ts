import { describe, expect, it } from 'vitest';
import { connectDocker } from './docker-client.js';

/** Where dockerode will connect: its modem's socket path, or protocol, host and port. */
async function target(dockerHost: string): Promise<Record<string, unknown>> {
  const { modem } = (await connectDocker({ dockerHost })) as unknown as { modem: Record<string, unknown> };
  return { socketPath: modem['socketPath'], protocol: modem['protocol'], host: modem['host'], port: modem['port'] };
}

describe('connectDocker', () => {
  it('reads unix, npipe, tcp and https hosts as the docker CLI does', async () => {
    expect(await target('unix:///var/run/docker.sock')).toMatchObject({ socketPath: '/var/run/docker.sock' });
    expect(await target('unix:///tmp/my%20engine/docker.sock')).toMatchObject({ socketPath: '/tmp/my engine/docker.sock' });
    // Docker Desktop's DOCKER_HOST on Windows: the pipe is `//./pipe/<name>`; URL parsing drops the `.`.
    expect(await target('npipe:////./pipe/docker_engine')).toMatchObject({ socketPath: '//./pipe/docker_engine' });
    expect(await target('tcp://10.0.0.5:2375')).toMatchObject({ protocol: 'http', host: '10.0.0.5', port: 2375 });
    expect(await target('https://engine.example.com')).toMatchObject({ protocol: 'https', host: 'engine.example.com', port: 2376 });
  });

  it('refuses a host it cannot reach an engine through, naming it', async () => {
    await expect(connectDocker({ dockerHost: 'ftp://engine' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('ftp://engine') });
    await expect(connectDocker({ dockerHost: 'not a url' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
