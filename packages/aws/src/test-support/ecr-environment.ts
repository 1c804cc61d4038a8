import { randomInt } from 'node:crypto';
import { testCertificateAuthority } from '@registrykit/test-harness';
import { loopbackAddress, mapHostname, type RegistryFixture, startRegistry, trustInDockerEngine, waitForEngineToResolve } from '@registrykit/testing';
import { startEcrRegistryProxy, type EcrRegistryProxy } from './ecr-registry-proxy.js';
import { type FakeEcrApi, startFakeEcrApi } from './fake-ecr-api.js';

export interface EcrEnvironment {
  /** `<12 random digits>.dkr.ecr.<region>.amazonaws.com`, unique per test file. */
  readonly host: string;
  readonly region: string;
  readonly accountId: string;
  readonly ecr: FakeEcrApi;
  readonly registry: RegistryFixture;
  /** Set when started with `registryTraffic`. */
  readonly proxy: EcrRegistryProxy | undefined;
  readonly caPem: string;
  stop(): Promise<void>;
}

/**
 * An ECR of our own: the fake ECR API over a real Distribution registry and, with
 * `registryTraffic`, that registry served as ECR serves it, under a random ECR host name on port
 * 443 of a loopback address with TLS from the run's CA, trusted by (and resolved by) the Docker engine.
 */
export async function startEcrEnvironment(options: { readonly region?: string; readonly registryTraffic?: { readonly dockerHost: string } } = {}): Promise<EcrEnvironment> {
  const region = options.region ?? 'eu-west-1';
  const accountId = Array.from({ length: 12 }, () => randomInt(0, 10)).join('');
  const host = `${accountId}.dkr.ecr.${region}.amazonaws.com`;
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const registry = await startRegistry();
    cleanups.push(() => registry.stop());
    const ecr = await startFakeEcrApi({ accountId, region, registryHost: host, registry });
    cleanups.push(() => ecr.stop());
    const ca = await testCertificateAuthority();
    cleanups.push(() => ca.remove());
    let proxy: EcrRegistryProxy | undefined;
    if (options.registryTraffic) {
      const address = loopbackAddress();
      proxy = await startEcrRegistryProxy({ ecr, registry, tls: await ca.issue([host]), address });
      cleanups.push(() => proxy!.stop());
      cleanups.push(await mapHostname(host, address));
      cleanups.push(await trustInDockerEngine(host, ca.certificatePem));
      await waitForEngineToResolve(options.registryTraffic.dockerHost, host);
    }
    return { host, region, accountId, ecr, registry, proxy, caPem: ca.certificatePem, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
