import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { certificateDirectory, createTestCertificateAuthority, type TestCertificateAuthority, trustInDockerEngine } from './certificates.js';
import { startDockerEngine } from './docker-engine.js';
import { loopbackAddress, mapHostname } from './hosts-file.js';
import { startRegistry } from './registry-server.js';
import { skopeoInspect } from './skopeo.js';
import { buildTestImage } from './test-images.js';

const run = promisify(execFile);

let ca: TestCertificateAuthority;

beforeAll(async () => {
  ca = await createTestCertificateAuthority();
});

afterAll(async () => {
  await ca?.remove();
});

it('serves a registry over TLS under a mapped host name on port 443, trusted through the test CA', async () => {
  const hostname = `registry-${Date.now()}.rk-test.example`;
  const address = loopbackAddress();
  const unmap = await mapHostname(hostname, address);
  const certificate = await ca.issue([hostname]);
  const certDir = await certificateDirectory(ca.certificatePem);
  try {
    expect(await readFile('/etc/hosts', 'utf8')).toContain(`${address} ${hostname}`);
    await using registry = await startRegistry({ address, port: 443, tls: certificate });
    expect(registry.url).toBe(`https://${address}:443`);
    // skopeo, with verification on, reaches it by name through the CA.
    await expect(skopeoInspect(`${hostname}/missing/app:1`, { tlsVerify: true, certDir: certDir.path })).rejects.toThrow(/manifest unknown|not found/i);
    await expect(skopeoInspect(`${hostname}/missing/app:1`, { tlsVerify: true })).rejects.toThrow(/certificate/i);
  } finally {
    await certDir.remove();
    await unmap();
  }
  expect(await readFile('/etc/hosts', 'utf8')).not.toContain(hostname);
});

it('lets the Docker engine push to that registry by name once it trusts the CA', async () => {
  const hostname = `engine-${Date.now()}.rk-test.example`;
  const address = loopbackAddress();
  const unmap = await mapHostname(hostname, address);
  const untrust = await trustInDockerEngine(hostname, ca.certificatePem);
  const engine = await startDockerEngine();
  try {
    await using registry = await startRegistry({ address, port: 443, tls: await ca.issue([hostname]) });
    const image = `${hostname}/team/app:1`;
    await buildTestImage({ dockerHost: engine.dockerHost, tag: image, runStep: false });
    const { stdout } = await run('docker', ['push', image], { env: { ...process.env, DOCKER_HOST: engine.dockerHost } });
    expect(stdout).toMatch(/digest: sha256:[a-f0-9]{64}/);
    expect(registry.port).toBe(443);
  } finally {
    await engine.stop();
    await untrust();
    await unmap();
  }
});
