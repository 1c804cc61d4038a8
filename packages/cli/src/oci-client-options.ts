import type { OciClientOptions } from '@registrykit/oci';

/**
 * How the CLI's registry API client reaches registries. Loopback registries use plain HTTP, as
 * docker treats them; REGISTRYKIT_PLAIN_HTTP_REGISTRIES (comma-separated hosts) adds other
 * insecure ones. Private CAs are trusted through NODE_EXTRA_CA_CERTS.
 */
export function ociClientOptions(env: NodeJS.ProcessEnv): OciClientOptions {
  const plainHttpRegistries = (env['REGISTRYKIT_PLAIN_HTTP_REGISTRIES'] ?? '')
    .split(',')
    .map((host) => host.trim())
    .filter((host) => host.length > 0);
  return { plainHttpRegistries };
}
