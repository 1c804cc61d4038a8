import { runFlavorConformance } from '@registrykit/testing';
import { describe, expect, it } from 'vitest';
import * as entry from './index.js';

// The published conformance kit, offline, as a third party runs it; pushes end to end are in gcp-registry.test.ts.
runFlavorConformance(
  { describe, it, expect },
  {
    flavor: entry.gcpFlavor,
    entry,
    validConfigs: [{ uri: 'europe-west4-docker.pkg.dev/my-project/images' }, { uri: 'eu.gcr.io/my-project/team', defaultRepository: 'app' }],
    invalidConfigs: [
      { config: { uri: 'us-docker.pkg.dev/my-project' }, field: 'uri', message: 'names no repository' },
      { config: { uri: 'us-python.pkg.dev/my-project/libs' }, field: 'uri', message: 'not Docker images' },
      { config: { uri: 'gcr.io/my-project', tokenEndpoint: 'http://plain' }, field: 'tokenEndpoint' },
    ],
    // Tags, listing and deletion go through the registry API.
    capabilities: { listTags: true, listImages: true, deleteImage: true },
  },
);
