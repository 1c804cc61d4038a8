import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RegistryKitError } from '@registrykit/core';
import { expect } from 'vitest';
import { sha256Digest } from '../manifests.js';

const run = promisify(execFile);

/** The RegistryKitError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function failureOf(promise: Promise<unknown>): Promise<RegistryKitError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!RegistryKitError.isInstance(error)) throw new Error(`expected a RegistryKitError, got ${String(error)}`);
  return error;
}

/** Copies `image` out of its (plain HTTP) registry with skopeo into an OCI layout and checks the manifest and every blob digest. */
export async function expectCopiedBack(image: string, manifestDigest: string, blobDigests: readonly string[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rk-oci-copy-'));
  try {
    await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${image}`, `oci:${dir}:back`]);
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    expect(index.manifests[0]?.digest).toBe(manifestDigest);
    for (const digest of blobDigests) {
      expect(sha256Digest(await readFile(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length))))).toBe(digest);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
