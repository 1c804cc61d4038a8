import { rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificateAuthority, startDockerEngine } from '@registrykit/testing';

/**
 * The services a whole test run shares, started once and described through environment
 * variables that child processes (vitest's forked workers, turbo's tasks) inherit:
 * - a test certificate authority: REGISTRYKIT_TEST_CA_CERT / _KEY, and NODE_EXTRA_CA_CERTS so
 *   every Node TLS client (fetch, https, cloud SDKs) trusts it — Node reads that variable only
 *   at start-up, which is why it is set here, before any worker exists;
 * - optionally a Docker engine: REGISTRYKIT_TEST_DOCKER_HOST.
 * Variables already set (by an outer wrapper) are reused. Returns a function that stops what
 * this call started.
 */
export async function startRunServices({ dockerEngine }) {
  const stops = [];
  if (!process.env.REGISTRYKIT_TEST_CA_CERT) {
    const ca = await createTestCertificateAuthority();
    stops.push(() => ca.remove());
    process.env.REGISTRYKIT_TEST_CA_CERT = ca.certificatePath;
    process.env.REGISTRYKIT_TEST_CA_KEY = ca.keyPath;
    // Keep any CA bundle the user already relies on.
    const bundle = join(tmpdir(), `rk-ca-bundle-${process.pid}.pem`);
    const existing = process.env.NODE_EXTRA_CA_CERTS ? readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8') : '';
    await writeFile(bundle, `${existing}\n${ca.certificatePem}`);
    stops.push(() => rm(bundle, { force: true }));
    process.env.NODE_EXTRA_CA_CERTS = bundle;
  }
  if (dockerEngine && !process.env.REGISTRYKIT_TEST_DOCKER_HOST) {
    // The engine trusts the run's CA for every registry, Docker Hub's included (see trustedCaCertificates).
    const engine = await startDockerEngine({ trustedCaCertificates: readFileSync(process.env.REGISTRYKIT_TEST_CA_CERT, 'utf8') });
    stops.push(() => engine.stop());
    process.env.REGISTRYKIT_TEST_DOCKER_HOST = engine.dockerHost;
  }
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
