import type { HostedRegistryFixture } from '@registrykit/testing';

const ACCEPT = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');
const ARCHITECTURES = ['amd64', 'arm64', 'ppc64le', 's390x'];

/**
 * Writes an OCI image index under `tag` whose platform images are the given manifests (pushed
 * already), straight to the registry behind the front, as `docker buildx` would push one.
 * Answers the index digest.
 */
export async function putImageIndex(hosted: HostedRegistryFixture, repository: string, tag: string, children: readonly string[]): Promise<string> {
  const token = hosted.issuer.signToken({ access: [{ type: 'repository', name: repository, actions: ['pull', 'push'] }] });
  const headers = { authorization: `Bearer ${token}` };
  const manifests = await Promise.all(
    children.map(async (digest, index) => {
      const head = await fetch(`${hosted.registry.url}/v2/${repository}/manifests/${digest}`, { method: 'HEAD', headers: { ...headers, accept: ACCEPT } });
      if (head.status !== 200) throw new Error(`no manifest ${digest} in ${repository}: ${head.status}`);
      return {
        mediaType: head.headers.get('content-type'),
        digest,
        size: Number(head.headers.get('content-length')),
        platform: { architecture: ARCHITECTURES[index % ARCHITECTURES.length], os: 'linux' },
      };
    }),
  );
  const mediaType = 'application/vnd.oci.image.index.v1+json';
  const put = await fetch(`${hosted.registry.url}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': mediaType },
    body: JSON.stringify({ schemaVersion: 2, mediaType, manifests }),
  });
  if (put.status !== 201) throw new Error(`putting the index failed: ${put.status} ${await put.text()}`);
  return put.headers.get('docker-content-digest') ?? '';
}
