import { runFlavorConformance } from '@registrykit/testing';
import { describe, expect, it } from 'vitest';
import * as entry from './index.js';

// The published conformance kit, offline, as a third party runs it; pushes end to end are in dockerhub-registry.test.ts.
runFlavorConformance(
  { describe, it, expect },
  {
    flavor: entry.dockerhubFlavor,
    entry,
    validConfigs: [{ uri: 'docker.io/myorg', defaultRepository: 'pipelines' }, { uri: 'myorg' }],
    invalidConfigs: [
      { config: { uri: 'docker.io/myorg/team' }, field: 'uri', message: 'Docker Hub repositories are `<namespace>/<name>`' },
      { config: { uri: 'ghcr.io/octocat' }, field: 'uri', message: 'use the github flavor' },
      { config: { uri: 'myorg', defaultRepository: 'team/pipelines' }, field: 'defaultRepository' },
    ],
    images: { foreign: ['docker.io/myorgs/app:1', 'myorg-other/app:1'] },
    capabilities: { listTags: true, listImages: true, deleteImage: true },
  },
);
