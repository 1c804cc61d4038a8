import { basicCredentials, type BasicCredentials } from '@registrykit/core';
import { type RegistryFixture, startRegistry } from '@registrykit/testing';
import { type HarborApiServer, startHarborApiServer } from './harbor-api-server.js';

export interface HarborEnvironment {
  readonly registry: RegistryFixture;
  readonly api: HarborApiServer;
  /** A Harbor user with a password, accepted by the registry and the API. */
  readonly credentials: BasicCredentials;
  /** The flavor's config for a project of this Harbor: uri `<registry host>/<project>` and the API's url. */
  config(project: string, extra?: Readonly<Record<string, unknown>>): Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * A Harbor on loopback: a real Distribution registry with htpasswd users for the images, and the
 * Harbor API server next to it, with the project `library`. `creators` limits who may create
 * projects.
 */
export async function startHarborEnvironment(options: { readonly creators?: readonly string[] } = {}): Promise<HarborEnvironment> {
  const users = { 'harbor-dev': 'Harbor-dev-pw-1', 'robot$ci': 'Robot-ci-pw-2' };
  const registry = await startRegistry({ auth: { type: 'htpasswd', users } });
  const api = await startHarborApiServer({ users, projects: ['library'], storageDir: registry.storageDir, ...(options.creators ? { creators: options.creators } : {}) });
  return {
    registry,
    api,
    credentials: basicCredentials('harbor-dev', users['harbor-dev']),
    config: (project, extra = {}) => ({ uri: `${registry.host}/${project}`, apiUrl: api.url, ...extra }),
    stop: async () => {
      await Promise.all([api.stop(), registry.stop()]);
    },
  };
}
