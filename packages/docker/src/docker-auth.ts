import { dockerServerAddress, type RegistryCredentials } from '@registrykit/core';

/** The Engine API's AuthConfig, sent base64url-encoded in `X-Registry-Auth`. */
export interface DockerAuthConfig {
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly registrytoken?: string;
  readonly serveraddress?: string;
}

/**
 * The AuthConfig for pushing to `registryHost`. Docker Hub's server address is its v1 URL, as
 * the docker CLI sends it; other registries use the bare host. Anonymous access sends `{}`,
 * because Docker 20.10 refuses a push without the header.
 */
export function toDockerAuthConfig(credentials: RegistryCredentials | undefined, registryHost: string): DockerAuthConfig {
  if (!credentials) return {};
  const serveraddress = dockerServerAddress(registryHost);
  switch (credentials.type) {
    case 'basic':
      return { username: credentials.username, password: credentials.password, serveraddress };
    case 'identity-token':
      return { identitytoken: credentials.token, serveraddress };
    case 'bearer':
      return { registrytoken: credentials.token, serveraddress };
  }
}

/**
 * The `X-Registry-Auth` header value: base64url of the JSON AuthConfig, with padding. Docker's
 * decoder needs the padding, and on a decode error it silently falls back to anonymous access.
 */
export function encodeDockerAuthConfig(config: DockerAuthConfig): string {
  return Buffer.from(JSON.stringify(config)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}
