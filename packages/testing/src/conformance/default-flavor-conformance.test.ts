import { defaultFlavor } from '@registrykit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFlavorOptions, skopeoLiveRegistry } from '../test-support/default-flavor-examples.js';
import { runFlavorConformance } from './flavor-conformance.js';

// The kit as a flavor's package runs it: core's default flavor passes every check, live ones
// included (a real registry with a password; skopeo pushes and reads).
runFlavorConformance({ describe, it, expect, beforeAll, afterAll }, { ...defaultFlavorOptions(defaultFlavor), entry: { flavor: defaultFlavor }, live: skopeoLiveRegistry() });
