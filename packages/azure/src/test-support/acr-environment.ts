import { testCertificateAuthority } from '@registrykit/test-harness';
import { loopbackAddress, mapHostname, trustInDockerEngine, waitForEngineToResolve } from '@registrykit/testing';
import { type FakeAcr, randomName, startFakeAcr } from './fake-acr.js';
import { type FakeEntra, startFakeEntra } from './fake-entra.js';

/** Mapped in /etc/hosts by the one test file that starts a government-cloud environment. */
const GOVERNMENT_AUTHORITY = 'login.microsoftonline.us';

export interface AcrEnvironment {
  /** `<random name>.azurecr.io`, unique per test file. */
  readonly host: string;
  /** The loopback address the front listens on; its certificate names it too (for endpoint overrides). */
  readonly address: string;
  readonly acr: FakeAcr;
  readonly entra: FakeEntra;
  readonly caPem: string;
  stop(): Promise<void>;
}

/**
 * An ACR of our own under a random `<name>.azurecr.io` on port 443 of a loopback address, with
 * TLS from the run's CA (which Node already trusts), and a local Entra ID authority. With
 * `dockerHost`, the Docker engine trusts and resolves the host too.
 */
export async function startAcrEnvironment(options: { readonly dockerHost?: string | undefined; readonly cloud?: 'public' | 'government' } = {}): Promise<AcrEnvironment> {
  const government = options.cloud === 'government';
  const host = `${randomName('rk')}.${government ? 'azurecr.us' : 'azurecr.io'}`;
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const ca = await testCertificateAuthority();
    cleanups.push(() => ca.remove());
    // The US Government cloud's authority is one MSAL knows, so its real name is served, as the
    // default credential chain reaches it (AZURE_AUTHORITY_HOST) without instance discovery.
    const entra = government
      ? await startFakeEntra({ tls: await ca.issue([GOVERNMENT_AUTHORITY]), address: loopbackAddress(), port: 443, authorityHost: `https://${GOVERNMENT_AUTHORITY}` })
      : await startFakeEntra({ tls: await ca.issue(['127.0.0.1']) });
    cleanups.push(() => entra.stop());
    if (government) cleanups.push(await mapHostname(GOVERNMENT_AUTHORITY, new URL(entra.address).hostname));
    const address = loopbackAddress();
    const acr = await startFakeAcr({ host, tls: await ca.issue([host, address]), address, entra });
    cleanups.push(() => acr.stop());
    cleanups.push(await mapHostname(host, address));
    if (options.dockerHost) {
      cleanups.push(await trustInDockerEngine(host, ca.certificatePem));
      await waitForEngineToResolve(options.dockerHost, host);
    }
    return { host, address, acr, entra, caPem: ca.certificatePem, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
