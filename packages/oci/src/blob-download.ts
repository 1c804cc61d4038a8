import { createHash } from 'node:crypto';
import { pipeline, type Readable, Transform } from 'node:stream';
import { RegistryKitError } from '@registrykit/core';
import { type RegistryCall, type RegistryHttp, repositoryScope } from './registry-http.js';

/**
 * Streams a blob (following redirects to object storage, without credentials) and checks its
 * digest as it goes: the stream fails at its end when the bytes do not match.
 */
export async function fetchBlob(http: RegistryHttp, call: RegistryCall, repository: string, digest: string): Promise<Readable> {
  const action = `downloading blob ${digest} from ${call.registry}/${repository}`;
  // Before the request: a refusal after it would leave the answer unread, holding the host's connection slot.
  const verifier = digestVerifier(digest, action);
  const response = await http.expect(call, { method: 'GET', target: `/v2/${repository}/blobs/${digest}`, scopes: [repositoryScope(repository, 'pull')], action }, [200]);
  pipeline(response.body, verifier, () => {
    // Errors reach the reader through `verifier`; pipeline only needs a callback.
  });
  return verifier;
}

export function digestVerifier(digest: string, action: string): Transform {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  if (!['sha256', 'sha384', 'sha512'].includes(algorithm)) {
    throw new RegistryKitError('INVALID_ARGUMENT', `Cannot verify digest "${digest}": use sha256, sha384 or sha512.`, { details: { digest } });
  }
  const hash = createHash(algorithm);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const actual = `${algorithm}:${hash.digest('hex')}`;
      if (actual === digest) return callback();
      callback(new RegistryKitError('REGISTRY_ERROR', `Digest mismatch ${action}: the bytes received hash to ${actual}. The registry or its storage served corrupt data.`, { details: { expected: digest, actual } }));
    },
  });
}
