import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { startDockerEngine } from './docker-engine.js';
import { buildTestImage } from './test-images.js';

const run = promisify(execFile);

it('starts a private engine that builds images with RUN steps, and removes it on stop', async () => {
  const engine = await startDockerEngine();
  try {
    const { id } = await buildTestImage({ dockerHost: engine.dockerHost, tag: 'rk-fixture-test:1' });
    expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
    const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', 'rk-fixture-test:1'], {
      env: { ...process.env, DOCKER_HOST: engine.dockerHost },
    });
    expect(stdout.trim()).toBe(id);
  } finally {
    await engine.stop();
  }
  expect(existsSync(engine.socketPath)).toBe(false);
});
