import { loadTestCertificateAuthority } from '@registrykit/testing';
import { inject } from 'vitest';

/** The DOCKER_HOST of the run's Docker engine; only in packages configured with `dockerEngine: true`. */
export function testDockerHost() {
  const host = inject('dockerHost');
  if (!host) throw new Error('No Docker engine for this run: configure the package with defineTestConfig({ dockerEngine: true }).');
  return host;
}

/** The run's certificate authority, which every Node TLS client in the run already trusts. */
export function testCertificateAuthority() {
  const files = inject('testCa');
  if (!files?.certificatePath) throw new Error('No test CA for this run: use defineTestConfig() from @registrykit/test-harness/vitest.');
  return loadTestCertificateAuthority(files);
}
