import type { TestCertificateAuthority } from '@registrykit/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    dockerHost: string;
    testCa: { certificatePath: string; keyPath: string };
  }
}

/** The DOCKER_HOST of the run's Docker engine; only in packages configured with `dockerEngine: true`. */
export function testDockerHost(): string;

/**
 * The run's certificate authority, which every Node TLS client in the run already trusts
 * (NODE_EXTRA_CA_CERTS). Issue server certificates with `issue([hostname])`; trust it in the
 * Docker engine with `trustInDockerEngine(host, ca.certificatePem)`.
 */
export function testCertificateAuthority(): Promise<TestCertificateAuthority>;
