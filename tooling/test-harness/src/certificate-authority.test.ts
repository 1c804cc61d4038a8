import { readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { testCertificateAuthority } from '../index.js';

it('gives the run a CA that fetch trusts without being told', async () => {
  const ca = await testCertificateAuthority();
  const certificate = await ca.issue(['127.0.0.1', 'localhost']);
  const server = createServer({ cert: await readFile(certificate.certificatePath), key: await readFile(certificate.keyPath) }, (_request, response) => {
    response.end('trusted');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`https://localhost:${port}/`);
    expect(await response.text()).toBe('trusted');
  } finally {
    server.close();
    await ca.remove();
  }
});
