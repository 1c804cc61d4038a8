import { runFlavorConformance } from '@registrykit/testing';
import { describe, expect, it } from 'vitest';
import * as entry from './index.js';

// The published conformance kit, offline, as a third party runs it; pushes end to end are in aws-registry.test.ts.
const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

runFlavorConformance(
  { describe, it, expect },
  {
    flavor: entry.awsFlavor,
    entry,
    validConfigs: [{ uri: HOST, defaultRepository: 'team/app' }, { uri: '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', createRepository: true }],
    invalidConfigs: [
      { config: { uri: `${HOST}/team/app` }, field: 'uri', message: 'put "team/app" in defaultRepository' },
      { config: { uri: 'public.ecr.aws' }, field: 'uri', message: 'ECR Public' },
      { config: { uri: HOST, imageTagMutability: 'SOMETIMES' }, field: 'imageTagMutability' },
    ],
    capabilities: { listTags: true, listImages: true, deleteImage: true, listRepositories: true },
  },
);
