import { runFlavorConformance } from '@registrykit/testing';
import { describe, expect, it } from 'vitest';
import * as entry from './index.js';

// The published conformance kit, offline, as a third party runs it; pushes end to end are in azure-registry.test.ts.
runFlavorConformance(
  { describe, it, expect },
  {
    flavor: entry.azureFlavor,
    entry,
    validConfigs: [{ uri: 'myregistry.azurecr.io' }, { uri: 'myregistry.azurecr.cn/team', defaultRepository: 'app' }],
    invalidConfigs: [
      { config: { uri: 'MyRegistry.azurecr.io' }, field: 'uri', message: 'must be lowercase: "myregistry.azurecr.io"' },
      { config: { uri: 'myregistry.example.com' }, field: 'uri', message: 'expected <name>.azurecr.io' },
      { config: { uri: 'myregistry.azurecr.io', endpoint: 'http://myregistry.azurecr.io' }, field: 'endpoint' },
    ],
    capabilities: { listTags: true, listImages: true, deleteImage: true, listRepositories: true },
  },
);
