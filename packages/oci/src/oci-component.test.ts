import { basicCredentials, createContainerRegistry, defaultFlavor, type RegistryCredentials } from '@registrykit/core';
import { createTestOciLayout, skopeoInspect, startRegistry, startTokenIssuer } from '@registrykit/testing';
import { describe, expect, it } from 'vitest';
import { MEDIA_TYPES } from './manifests.js';
import { createOciClient } from './oci-client.js';
import { createOciPusher } from './oci-pusher.js';

const PASSWORD = 'component-test-password';

describe('the container registry component with the OCI pusher and client', () => {
  it('pushes without a daemon, then looks up, lists and deletes through the registry API', async () => {
    await using issuer = await startTokenIssuer({ users: { alice: PASSWORD } });
    await using registry = await startRegistry({ auth: issuer.registryAuth });
    const layout = await createTestOciLayout({ tag: 'v1', layers: 2, layerBytes: 500_000 });
    const pusher = createOciPusher();
    const registryApi = createOciClient();
    try {
      const component = createContainerRegistry({
        flavor: defaultFlavor,
        config: { uri: `${registry.host}/team`, defaultRepository: 'app' },
        pusher,
        registryApi,
        credentials: basicCredentials('alice', PASSWORD),
        dockerCredentials: false,
      });
      const image = component.imageName({ tag: 'v1' });
      const pushed = await component.pushImage(image, { source: layout.source });
      // One token for the whole push: lookups ask with the push scope too.
      expect(issuer.requests.map((request) => request.scopes)).toEqual([['repository:team/app:pull,push']]);
      expect(pushed).toMatchObject({ image, digest: layout.manifestDigest, reference: `${registry.host}/team/app@${layout.manifestDigest}` });
      await component.pushImage(component.imageName({ tag: 'v2' }), { source: layout.source });
      const other = await createTestOciLayout({ dir: layout.dir, tag: 'other' });
      await component.pushImage(component.imageName({ tag: 'other' }), { source: other.source });
      expect((await skopeoInspect(image, { credentials: { username: 'alice', password: PASSWORD } })).Digest).toBe(layout.manifestDigest);

      expect(await component.getImageDigest(image)).toBe(layout.manifestDigest);
      expect(await component.imageExists(image)).toBe(true);
      expect(await component.imageExists(component.imageName({ tag: 'missing' }))).toBe(false);
      expect(await component.imageExists(`${registry.host}/team/app@${layout.manifestDigest}`)).toBe(true);
      const repository = `${registry.host}/team/app`;
      expect(await component.listRepositories()).toEqual([repository]);
      expect((await component.listTags(repository)).sort()).toEqual(['other', 'v1', 'v2']);
      const images = await component.listImages(repository);
      expect(images.map((entry) => ({ digest: entry.digest, tags: entry.tags, mediaType: entry.mediaType })).sort((a, b) => a.tags.length - b.tags.length)).toEqual([
        { digest: other.manifestDigest, tags: ['other'], mediaType: MEDIA_TYPES.ociManifest },
        { digest: layout.manifestDigest, tags: ['v1', 'v2'], mediaType: MEDIA_TYPES.ociManifest },
      ]);

      expect(await component.deleteImage(component.imageName({ tag: 'v2' }))).toEqual({ deleted: [component.imageName({ tag: 'v2' })], failures: [] });
      expect((await component.listTags(repository)).sort()).toEqual(['other', 'v1']);
      const byDigest = `${repository}@${other.manifestDigest}`;
      expect(await component.deleteImage(byDigest)).toEqual({ deleted: [byDigest], failures: [] });
      expect(await component.listTags(repository)).toEqual(['v1']);
    } finally {
      pusher.client.close();
      registryApi.close();
      await layout.remove();
    }
  });

  it('refreshes refused credentials once through the component and pushes', async () => {
    await using registry = await startRegistry({ auth: { type: 'htpasswd', users: { ci: PASSWORD } } });
    const layout = await createTestOciLayout({ tag: 'v1' });
    const pusher = createOciPusher();
    try {
      // A provider whose first credentials have lapsed, like an expired ECR token.
      const handedOut: RegistryCredentials[] = [basicCredentials('ci', 'lapsed-token'), basicCredentials('ci', PASSWORD)];
      let calls = 0;
      const component = createContainerRegistry({
        flavor: defaultFlavor,
        config: { uri: registry.host },
        pusher,
        credentials: async () => handedOut[Math.min(calls++, 1)],
        dockerCredentials: false,
      });
      const result = await component.pushImage(`${registry.host}/ci/app:v1`, { source: layout.source });
      expect(result.digest).toBe(layout.manifestDigest);
      expect(calls).toBe(2);
    } finally {
      pusher.client.close();
      await layout.remove();
    }
  });
});
