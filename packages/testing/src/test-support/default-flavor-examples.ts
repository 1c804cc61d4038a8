import { basicCredentials, type ContainerRegistryFlavor, defaultFlavor } from '@registrykit/core';
import type { FlavorConformanceOptions, LiveConformanceOptions } from '../conformance/conformance-options.js';
import type { TestOciLayout } from '../oci-layouts.js';
import { createTestOciLayout } from '../oci-layouts.js';
import { startRegistry } from '../registry-server.js';
import { skopeoPusher, skopeoRegistryApi } from './skopeo-parts.js';

/** The default flavor's examples, which the fixtures built on it share. */
export function defaultFlavorOptions(flavor: ContainerRegistryFlavor = defaultFlavor): FlavorConformanceOptions {
  return {
    flavor,
    validConfigs: [{ uri: 'registry.example.com/team' }, { uri: 'localhost:5000', defaultRepository: 'pipelines' }, { uri: 'docker.io/myuser' }],
    invalidConfigs: [
      { config: { uri: 'https://registry.example.com/team' }, field: 'uri', message: 'without "https://"' },
      { config: { uri: 'registry.example.com/team:1' }, field: 'uri', message: 'has a tag or digest' },
      { config: { uri: 'registry.example.com', defaultRepository: 'Team/App' }, field: 'defaultRepository' },
    ],
    images: { belonging: ['registry.example.com/team/app/worker:2'], foreign: ['registry.example.com/teams/app:1', 'ghcr.io/team/app:1'] },
    capabilities: { listTags: true, listImages: true, deleteImage: true },
  };
}

/** A Distribution registry with a password, reached with skopeo, that images come to as OCI layouts. */
export function skopeoLiveRegistry(): LiveConformanceOptions {
  return {
    async start() {
      const registry = await startRegistry({ auth: { type: 'htpasswd', users: { conformance: 'kit-password-3' } } });
      const layouts: TestOciLayout[] = [];
      return {
        config: { uri: `${registry.host}/conformance`, defaultRepository: 'app' },
        pusher: skopeoPusher(),
        registryApi: skopeoRegistryApi(),
        credentials: basicCredentials('conformance', 'kit-password-3'),
        async createImage() {
          const layout = await createTestOciLayout();
          layouts.push(layout);
          return layout.source;
        },
        async stop() {
          await Promise.all([registry.stop(), ...layouts.map((layout) => layout.remove())]);
        },
      };
    },
  };
}
