import { runFlavorConformance } from '@registrykit/testing';
import { describe, expect, it } from 'vitest';
import * as entry from './index.js';

// The published conformance kit, offline, as a third party runs it; pushes end to end are in github-registry.test.ts.
runFlavorConformance(
  { describe, it, expect },
  {
    flavor: entry.githubFlavor,
    entry,
    validConfigs: [{ uri: 'ghcr.io/octo-org', defaultRepository: 'pipelines' }, { uri: 'containers.acme.ghe.com/platform/team' }],
    invalidConfigs: [
      { config: { uri: 'ghcr.io/Octo-Org' }, field: 'uri', message: 'use "ghcr.io/octo-org"' },
      { config: { uri: 'ghcr.io' }, field: 'uri', message: 'names no owner' },
      { config: { uri: 'ghcr.io/octo-org', apiUrl: 'api.github.com' }, field: 'apiUrl' },
    ],
    // Tags through the registry API; listing and deletion through the GitHub Packages API.
    capabilities: { listTags: true, listImages: true, deleteImage: true },
  },
);
