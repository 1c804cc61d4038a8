import { type HostedRegistryFixture, startHostedRegistry, type TestCertificateAuthority } from '@registrykit/testing';
import { GOOGLE_REGISTRY_USERNAME } from '../gcp-auth.js';
import type { GoogleTokenServer } from './google-token-server.js';

/**
 * A Google registry host (`gcr.io`, `<location>-docker.pkg.dev`) served by a real Distribution
 * registry whose token realm `https://<host>/v2/token` accepts `oauth2accesstoken` with access
 * tokens the Google token server issued and has not revoked, as Google's registries do.
 */
export function startGoogleRegistry(options: { readonly hostname: string; readonly ca: TestCertificateAuthority; readonly google: GoogleTokenServer }): Promise<HostedRegistryFixture> {
  return startHostedRegistry({
    hostname: options.hostname,
    ca: options.ca,
    realmPath: '/v2/token',
    issuer: { authenticate: (user, password) => user === GOOGLE_REGISTRY_USERNAME && options.google.isValid(password) },
  });
}
