import { createDockerPusher } from '@registrykit/docker';
import { createOciClient } from '@registrykit/oci';
import { testDockerHost } from '@registrykit/test-harness';
import { buildTestImage, runFlavorConformance } from '@registrykit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as entry from './index.js';
import { startHarborEnvironment } from './test-support/harbor-environment.js';

// The conformance kit of @registrykit/testing: offline checks of the contract, the config and
// the component, then live ones against a Harbor on loopback (a real registry and the Harbor API
// server), pushing through the real Docker engine.
runFlavorConformance(
  { describe, it, expect, beforeAll, afterAll },
  {
    flavor: entry.harborFlavor,
    entry,
    validConfigs: [
      { uri: 'harbor.example.com/library' },
      { uri: 'harbor.example.com:8443/ml-team/pipelines', apiUrl: 'https://harbor-api.example.com:8443/', createProject: true, defaultRepository: 'trainer' },
    ],
    invalidConfigs: [
      { config: { uri: 'harbor.example.com' }, field: 'uri', message: 'names no Harbor project' },
      { config: { uri: 'harbor.example.com/ML_Team' }, field: 'uri' },
      { config: { uri: 'https://harbor.example.com/library' }, field: 'uri', message: 'has a scheme' },
      { config: { uri: 'harbor.example.com/library', apiUrl: 'harbor.example.com' }, field: 'apiUrl', message: 'is not an http(s) URL' },
      { config: { uri: 'harbor.example.com/library', createProject: 'yes' }, field: 'createProject' },
    ],
    images: { belonging: ['harbor.example.com/library/team/app:1'], foreign: ['harbor.example.com/libraryx/app:1', 'harbor.example.com:8443/library/app:1'] },
    // Repositories natively (Harbor's catalog is for administrators); the rest through the registry API.
    capabilities: { listTags: true, listImages: true, deleteImage: true, listRepositories: true },
    live: {
      async start() {
        const harbor = await startHarborEnvironment();
        const dockerHost = testDockerHost();
        const registryApi = createOciClient();
        return {
          config: harbor.config('library', { defaultRepository: 'conformance' }),
          pusher: createDockerPusher({ dockerHost }),
          registryApi,
          credentials: harbor.credentials,
          createImage: async (image) => {
            await buildTestImage({ dockerHost, tag: image, runStep: false });
            return undefined;
          },
          stop: async () => {
            registryApi.close();
            await harbor.stop();
          },
        };
      },
    },
  },
);
