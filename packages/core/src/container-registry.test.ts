import { describe, expect, it } from 'vitest';
import { field } from './config-schema.js';
import { createContainerRegistry } from './container-registry.js';
import type { RegistryCredentials } from './credentials/registry-credentials.js';
import { defaultFlavor } from './default-flavor.js';
import { RegistryKitError } from './errors.js';
import { baseRegistryConfigSchema, defineFlavor } from './flavor.js';
import type { ImagePushRequest, ImagePusher } from './image-pusher.js';
import { registryUriProblem } from './registry-uri.js';
import type { ServiceConnector } from './service-connector.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** Records what it was asked to push; `refuse` makes the first N pushes fail authentication. */
function recordingPusher(refuse = 0): ImagePusher & { requests: ImagePushRequest[] } {
  const requests: ImagePushRequest[] = [];
  return {
    name: 'recording',
    requests,
    async push(request) {
      requests.push(request);
      if (requests.length <= refuse) throw new RegistryKitError('AUTHENTICATION_FAILED', 'refused');
      const repository = `${request.image.registry}/${request.image.repository}`;
      return { image: `${repository}:${request.image.tag}`, digest: DIGEST, reference: `${repository}@${DIGEST}` };
    },
  };
}

const noDockerConfig = { dockerCredentials: false } as const;

describe('createContainerRegistry with the default flavor', () => {
  it('validates its config: unknown keys and a scheme are refused', () => {
    expect(() => createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'localhost:5000', colour: 'red' } })).toThrow(/colour: unknown key/);
    expect(() => createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'https://localhost:5000' } })).toThrow(/without "https:\/\/"/);
    expect(() => createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'reg.example.com/Team' } })).toThrow(/use "team"/);
    expect(() => createContainerRegistry({ flavor: defaultFlavor, config: {} })).toThrow(/uri: is required/);
  });

  it('decides which image names belong to it, at path boundaries', () => {
    const registry = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'docker.io/myuser' }, ...noDockerConfig });
    expect(registry.isValidImageNameForRegistry('docker.io/myuser/app:1')).toBe(true);
    expect(registry.isValidImageNameForRegistry('myuser/app:1')).toBe(true);
    expect(registry.isValidImageNameForRegistry('index.docker.io/myuser/app')).toBe(true);
    expect(registry.isValidImageNameForRegistry('registry-1.docker.io/myuser/app')).toBe(true);
    // ZenML's startsWith check accepts this one; it is another account.
    expect(registry.isValidImageNameForRegistry('docker.io/myuserx/app')).toBe(false);
    expect(registry.isValidImageNameForRegistry('ghcr.io/myuser/app')).toBe(false);
    expect(registry.isValidImageNameForRegistry('not a reference')).toBe(false);

    const local = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'localhost:5000/' }, ...noDockerConfig });
    expect(local.uri).toBe('localhost:5000');
    expect(local.isValidImageNameForRegistry('localhost:5000/a/b:c')).toBe(true);
    expect(local.isValidImageNameForRegistry('localhost:5001/a')).toBe(false);
  });

  it('is local for any loopback host, not only localhost:NNNN', () => {
    for (const uri of ['localhost:5000', '127.0.0.1:5000/team', '[::1]:5000', 'localhost']) {
      expect(createContainerRegistry({ flavor: defaultFlavor, config: { uri }, ...noDockerConfig }).isLocal).toBe(true);
    }
    expect(createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'registry.example.com' }, ...noDockerConfig }).isLocal).toBe(false);
  });

  it('requires authentication when credentials are configured', () => {
    expect(createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'localhost:5000' }, ...noDockerConfig }).requiresAuthentication).toBe(false);
    const withCredentials = createContainerRegistry({
      flavor: defaultFlavor,
      config: { uri: 'localhost:5000' },
      credentials: { type: 'basic', username: 'u', password: 'p' },
    });
    expect(withCredentials.requiresAuthentication).toBe(true);
  });

  it('names images <uri>/<repository>:<tag>, with defaultRepository as the fallback', () => {
    const registry = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'localhost:5000/team', defaultRepository: 'pipelines' }, ...noDockerConfig });
    expect(registry.imageName({ tag: 'v1' })).toBe('localhost:5000/team/pipelines:v1');
    expect(registry.imageName({ repository: 'trainer' })).toBe('localhost:5000/team/trainer:latest');
    expect(() => registry.imageName({ tag: 'Experiment: One' })).toThrow(/Invalid tag/);
    const bare = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'localhost:5000' }, ...noDockerConfig });
    expect(() => bare.imageName({ tag: 'v1' })).toThrow(/set "defaultRepository"/);
  });

  it('refuses to push an image of another registry, naming both', async () => {
    const pusher = recordingPusher();
    const registry = createContainerRegistry({ flavor: defaultFlavor, name: 'local', config: { uri: 'localhost:5000/team' }, pusher, ...noDockerConfig });
    const error = await registry.pushImage('localhost:5000/other/app:1').catch((caught: unknown) => caught);
    expect(RegistryKitError.hasCode(error, 'IMAGE_NOT_IN_REGISTRY')).toBe(true);
    expect((error as Error).message).toBe(
      'Image "localhost:5000/other/app:1" does not belong to container registry "local" (localhost:5000/team): its name must start with "localhost:5000/team/".',
    );
    expect(pusher.requests).toHaveLength(0);
  });

  it('pushes with the default tag and returns the immutable reference', async () => {
    const pusher = recordingPusher();
    const registry = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'localhost:5000' }, pusher, ...noDockerConfig });
    const result = await registry.pushImage('localhost:5000/app', { source: 'app:dev' });
    expect(result.reference).toBe(`localhost:5000/app@${DIGEST}`);
    expect(pusher.requests[0]).toMatchObject({ image: { registry: 'localhost:5000', repository: 'app', tag: 'latest' }, source: 'app:dev', credentials: undefined });
  });

  it('refuses to push without a pusher, or to a digest', async () => {
    const registry = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'localhost:5000' }, ...noDockerConfig });
    await expect(registry.pushImage('localhost:5000/app:1')).rejects.toThrow(/has no image pusher/);
    await expect(registry.pushImage(`localhost:5000/app@${DIGEST}`, { pusher: recordingPusher() })).rejects.toThrow(/needs a tag, not a digest/);
  });
});

describe('a flavor with its own behaviour', () => {
  const calls: string[] = [];
  let issued = 0;
  const tokenFlavor = defineFlavor({
    specificationVersion: 'v1',
    id: 'token-registry',
    displayName: 'Token registry',
    description: 'A registry whose flavor issues short-lived tokens.',
    configSchema: {
      ...baseRegistryConfigSchema({ uriDescription: 'The host.', uriExample: 'tokens.example.com', checkUri: registryUriProblem }),
      createRepository: field.boolean({ description: 'Create repositories.', default: false }),
    },
    create: (config) => ({
      requiresAuthentication: true,
      async prepareImagePush(image) {
        calls.push(`prepare ${image.repository} create=${config.createRepository}`);
      },
      async getCredentials(): Promise<RegistryCredentials> {
        issued += 1;
        calls.push(`credentials ${issued}`);
        return { type: 'basic', username: 'AWS', password: `token-${issued}`, expiresAt: new Date(Date.now() + 12 * 3_600_000) };
      },
      invalidateCredentials() {
        calls.push('invalidate');
      },
    }),
  });

  it('prepares before pushing, caches credentials, and refreshes them once when refused', async () => {
    const pusher = recordingPusher(1);
    const registry = createContainerRegistry({ flavor: tokenFlavor, config: { uri: 'tokens.example.com' }, pusher, ...noDockerConfig });
    expect(registry.requiresAuthentication).toBe(true);
    await registry.pushImage('tokens.example.com/app:1');
    expect(calls).toEqual(['prepare app create=false', 'credentials 1', 'invalidate', 'credentials 2']);
    expect(pusher.requests.map((request) => (request.credentials as { password: string }).password)).toEqual(['token-1', 'token-2']);
    await registry.pushImage('tokens.example.com/app:2');
    expect(calls.filter((call) => call.startsWith('credentials'))).toHaveLength(2);
  });

  it('refuses to prepare a push of an image of another registry, as pushImage does', async () => {
    const registry = createContainerRegistry({ flavor: tokenFlavor, config: { uri: 'tokens.example.com/team' }, ...noDockerConfig });
    const before = calls.length;
    await expect(registry.prepareImagePush('ghcr.io/other/app:1')).rejects.toMatchObject({ code: 'IMAGE_NOT_IN_REGISTRY' });
    await expect(registry.prepareImagePush('tokens.example.com/teamx/app:1')).rejects.toMatchObject({ code: 'IMAGE_NOT_IN_REGISTRY' });
    expect(calls.slice(before)).toEqual([]);
    await registry.prepareImagePush('tokens.example.com/team/app:1');
    expect(calls.slice(before)).toEqual(['prepare team/app create=false']);
  });

  it('prefers explicit credentials to the flavor and does not retry fixed ones', async () => {
    const pusher = recordingPusher(5);
    const registry = createContainerRegistry({
      flavor: tokenFlavor,
      config: { uri: 'tokens.example.com' },
      pusher,
      credentials: { type: 'basic', username: 'me', password: 'fixed' },
      ...noDockerConfig,
    });
    expect(await registry.resolveCredentials()).toMatchObject({ source: 'explicit' });
    await expect(registry.pushImage('tokens.example.com/app:1')).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expect(pusher.requests).toHaveLength(1);
  });

  it('asks a connector to forget refused credentials, so it mints fresh ones', async () => {
    let minted = 0;
    let current: string | undefined;
    const connector: ServiceConnector = {
      type: 'docker',
      authMethod: 'token',
      async getRegistryCredentials() {
        current ??= `minted-${++minted}`;
        return { type: 'basic', username: 'oauth2accesstoken', password: current };
      },
      invalidateCredentials() {
        current = undefined;
      },
      verify: async () => ({ resources: [] }),
    };
    const pusher = recordingPusher(1);
    const registry = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'tokens.example.com' }, pusher, connector, ...noDockerConfig });
    await registry.pushImage('tokens.example.com/app:1');
    expect(pusher.requests.map((request) => (request.credentials as { password: string }).password)).toEqual(['minted-1', 'minted-2']);
  });

  it("passes the call's signal to the connector minting credentials", async () => {
    const signals: (AbortSignal | undefined)[] = [];
    const connector: ServiceConnector = {
      type: 'docker',
      authMethod: 'token',
      async getRegistryCredentials(_host, options) {
        signals.push(options?.signal);
        return { type: 'basic', username: 'oauth2accesstoken', password: 'minted' };
      },
      verify: async () => ({ resources: [] }),
    };
    const registry = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'tokens.example.com' }, pusher: recordingPusher(), connector, ...noDockerConfig });
    const controller = new AbortController();
    await registry.pushImage('tokens.example.com/app:1', { signal: controller.signal });
    expect(signals).toEqual([controller.signal]);
  });

  it("gives native capabilities the component's credentials, wherever they come from", async () => {
    const apiFlavor = defineFlavor({
      specificationVersion: 'v1',
      id: 'api-registry',
      displayName: 'API registry',
      description: 'A registry whose own API deletes tags with the registry credentials.',
      configSchema: baseRegistryConfigSchema({ uriDescription: 'The host.', uriExample: 'api.example.com', checkUri: registryUriProblem }),
      create: (_config, context) => ({
        async deleteImage(image) {
          const credentials = await context.registryCredentials();
          return { deleted: [`${image.repository}:${image.tag} as ${credentials?.type === 'basic' ? credentials.username : 'nobody'}`], failures: [] };
        },
      }),
    });
    const registry = createContainerRegistry({
      flavor: apiFlavor,
      config: { uri: 'api.example.com' },
      dockerCredentials: { resolve: async () => ({ credentials: { type: 'basic', username: 'cfg', password: 'pw' }, source: 'auths', serverAddress: 'api.example.com' }), clear: () => undefined },
    });
    expect(await registry.deleteImage('api.example.com/app:1')).toEqual({ deleted: ['app:1 as cfg'], failures: [] });
  });

  it('falls back to the docker config', async () => {
    const registry = createContainerRegistry({
      flavor: defaultFlavor,
      config: { uri: 'localhost:5000' },
      dockerCredentials: { resolve: async () => ({ credentials: { type: 'basic', username: 'cfg', password: 'pw' }, source: 'auths', serverAddress: 'localhost:5000' }), clear: () => undefined },
    });
    expect(await registry.resolveCredentials()).toEqual({ credentials: { type: 'basic', username: 'cfg', password: 'pw' }, source: 'docker-config:auths' });
  });
});

describe('deleteImages', () => {
  const batchFlavor = defineFlavor({
    specificationVersion: 'v1',
    id: 'batch-registry',
    displayName: 'Batch registry',
    description: 'A registry that deletes in batches.',
    configSchema: baseRegistryConfigSchema({ uriDescription: 'The host.', uriExample: 'batch.example.com', checkUri: registryUriProblem }),
    create: () => ({
      async deleteImages(images) {
        return { deleted: images.map((image) => `${image.repository}:${image.tag}`), failures: [] };
      },
    }),
  });

  it('hands every image to the flavor in one call when it deletes in batches', async () => {
    const registry = createContainerRegistry({ flavor: batchFlavor, config: { uri: 'batch.example.com' }, ...noDockerConfig });
    expect(await registry.deleteImages(['batch.example.com/a:1', 'batch.example.com/b:2'])).toEqual({ deleted: ['a:1', 'b:2'], failures: [] });
  });

  it('checks every name before deleting anything', async () => {
    const registry = createContainerRegistry({ flavor: batchFlavor, config: { uri: 'batch.example.com' }, ...noDockerConfig });
    await expect(registry.deleteImages(['batch.example.com/a:1', 'other.example.com/b:2'])).rejects.toMatchObject({ code: 'IMAGE_NOT_IN_REGISTRY' });
    await expect(registry.deleteImages(['batch.example.com/a'])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('falls back to one deletion per image, reporting the missing ones as failures', async () => {
    const deletedDigests: string[] = [];
    const registry = createContainerRegistry({
      flavor: defaultFlavor,
      config: { uri: 'localhost:5000' },
      registryApi: {
        checkCredentials: async () => undefined,
        getManifestDigest: async () => undefined,
        listTags: async () => [],
        listImages: async () => [],
        async deleteImage(image) {
          if (image.tag === 'gone') throw new RegistryKitError('NOT_FOUND', 'no such tag');
          deletedDigests.push(image.tag ?? '');
          return { deleted: [`${image.repository}:${image.tag}`], failures: [] };
        },
      },
      ...noDockerConfig,
    });
    const result = await registry.deleteImages(['localhost:5000/app:1', 'localhost:5000/app:gone', 'localhost:5000/app:2']);
    expect(result.deleted).toEqual(['app:1', 'app:2']);
    expect(result.failures).toEqual([{ reference: 'localhost:5000/app:gone', code: 'NOT_FOUND', reason: 'no such tag' }]);
  });
});

describe('listRepositories', () => {
  const catalogFlavor = defineFlavor({
    specificationVersion: 'v1',
    id: 'catalog-registry',
    displayName: 'Catalog registry',
    description: 'A registry that lists its repositories.',
    configSchema: baseRegistryConfigSchema({ uriDescription: 'The host.', uriExample: 'catalog.example.com', checkUri: registryUriProblem }),
    create: () => ({ listRepositories: async () => ['team/b', 'other/c', 'team/a', 'teamx/d'] }),
  });

  it('answers full names of the repositories under the uri, sorted', async () => {
    const registry = createContainerRegistry({ flavor: catalogFlavor, config: { uri: 'catalog.example.com/team' }, ...noDockerConfig });
    expect(await registry.listRepositories()).toEqual(['catalog.example.com/team/a', 'catalog.example.com/team/b']);
  });

  it('says so when neither the flavor nor the registry client can list them', async () => {
    const registry = createContainerRegistry({ flavor: defaultFlavor, config: { uri: 'localhost:5000' }, ...noDockerConfig });
    await expect(registry.listRepositories()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});

describe('native capabilities and refused credentials', () => {
  function expiringFlavor(log: string[]) {
    let valid = false;
    return defineFlavor({
      specificationVersion: 'v1',
      id: 'expiring',
      displayName: 'Expiring',
      description: 'Native capabilities whose token lapses until it is refreshed.',
      configSchema: baseRegistryConfigSchema({ uriDescription: 'The host.', uriExample: 'expiring.example.com', checkUri: registryUriProblem }),
      create: () => ({
        invalidateCredentials() {
          log.push('invalidate');
          valid = true;
        },
        async getImageDigest() {
          log.push(valid ? 'digest with a fresh token' : 'digest refused');
          if (!valid) throw new RegistryKitError('AUTHENTICATION_FAILED', 'token expired');
          return DIGEST;
        },
      }),
    });
  }

  it('forgets the refused credentials and runs the capability once more', async () => {
    const log: string[] = [];
    const registry = createContainerRegistry({ flavor: expiringFlavor(log), config: { uri: 'expiring.example.com' }, ...noDockerConfig });
    expect(await registry.getImageDigest('expiring.example.com/app:1')).toBe(DIGEST);
    expect(log).toEqual(['digest refused', 'invalidate', 'digest with a fresh token']);
  });

  it('does not retry when fixed credentials were given in code', async () => {
    const log: string[] = [];
    const registry = createContainerRegistry({
      flavor: expiringFlavor(log),
      config: { uri: 'expiring.example.com' },
      credentials: { type: 'basic', username: 'me', password: 'fixed' },
      ...noDockerConfig,
    });
    await expect(registry.getImageDigest('expiring.example.com/app:1')).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expect(log).toEqual(['digest refused']);
  });
});
