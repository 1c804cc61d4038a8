import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { RegistryKitError } from '@registrykit/core';
import { testCertificateAuthority } from '@registrykit/test-harness';
import { createTestCertificateAuthority, loopbackAddress, mapHostname, startRegistry } from '@registrykit/testing';
import { describe, expect, it } from 'vitest';
import { createOciClient } from './oci-client.js';
import { resolveRegistryEndpoint } from './registry-endpoint.js';
import { pushSmallImage } from './test-support/small-image.js';

describe('resolveRegistryEndpoint', () => {
  it('uses plain HTTP for loopback and listed hosts, HTTPS otherwise, and an override first', () => {
    const url = (registry: string, options = {}) => resolveRegistryEndpoint(registry, options).href;
    expect(url('localhost:5000')).toBe('http://localhost:5000/');
    expect(url('127.0.0.1:5000')).toBe('http://127.0.0.1:5000/');
    expect(url('[::1]:5000')).toBe('http://[::1]:5000/');
    expect(url('localhost:5000', { plainHttpLoopback: false })).toBe('https://localhost:5000/');
    expect(url('registry.example.com')).toBe('https://registry.example.com/');
    expect(url('registry.internal:5000', { plainHttpRegistries: ['registry.internal:5000'] })).toBe('http://registry.internal:5000/');
    expect(url('gcr.io', { endpoints: { 'gcr.io': 'https://127.0.0.1:8443' } })).toBe('https://127.0.0.1:8443/');
    expect(url('docker.io')).toBe('https://registry-1.docker.io/');
    expect(url('index.docker.io')).toBe('https://registry-1.docker.io/');
  });

  it('refuses an override that is not a bare http(s) base URL, naming the field', () => {
    expect(() => resolveRegistryEndpoint('gcr.io', { endpoints: { 'gcr.io': 'gcr.local' } })).toThrow(/endpoints\["gcr.io"\]/);
    expect(() => resolveRegistryEndpoint('gcr.io', { endpoints: { 'gcr.io': 'https://user:pw@gcr.local/v2' } })).toThrow(/without a path, credentials or query/);
    try {
      resolveRegistryEndpoint('gcr.io', { endpoints: { 'gcr.io': 'https://user:secret-pw@gcr.local/' } });
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-pw');
    }
  });
});

describe('TLS', () => {
  it('reaches an HTTPS registry under a real host name with the run CA, and a private CA through `ca`', async () => {
    const name = `oci-${randomBytes(4).toString('hex')}.registrykit.test`;
    const address = loopbackAddress();
    const unmap = await mapHostname(name, address);
    const runCa = await testCertificateAuthority();
    const privateCa = await createTestCertificateAuthority();
    try {
      await using trusted = await startRegistry({ address, tls: await runCa.issue([name]) });
      const client = createOciClient();
      const host = `${name}:${trusted.port}`;
      try {
        const image = await pushSmallImage(client, { registry: host, repository: 'team/app', tag: 'v1' }, undefined);
        expect(await client.getManifestDigest({ registry: host, repository: 'team/app', tag: 'v1' }, { credentials: undefined })).toBe(image.digest);
      } finally {
        client.close();
      }

      await using privately = await startRegistry({ address, tls: await privateCa.issue([name]) });
      const privateHost = `${name}:${privately.port}`;
      const untrusting = createOciClient({ retry: { maxAttempts: 1 } });
      const trusting = createOciClient({ ca: await readFile(privateCa.certificatePath, 'utf8') });
      try {
        const failure = await untrusting.checkCredentials(privateHost, { credentials: undefined }).catch((error: unknown) => error);
        expect(RegistryKitError.hasCode(failure, 'REGISTRY_ERROR')).toBe(true);
        expect((failure as Error).message).toMatch(/not trusted.*`ca`/);
        await expect(trusting.checkCredentials(privateHost, { credentials: undefined })).resolves.toBeUndefined();
        // Giving `ca` keeps the default trust (and NODE_EXTRA_CA_CERTS) too.
        await expect(trusting.checkCredentials(host, { credentials: undefined })).resolves.toBeUndefined();
      } finally {
        untrusting.close();
        trusting.close();
      }
    } finally {
      await unmap();
      await privateCa.remove();
      await runCa.remove();
    }
  });
});
