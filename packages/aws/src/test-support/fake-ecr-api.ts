import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readStoredRepository, type RegistryFixture, removeStoredTag } from '@registrykit/testing';
import { checkSigV4, readBody } from './sigv4.js';

// A local Amazon ECR API speaking its JSON 1.1 protocol (POST /, X-Amz-Target
// AmazonEC2ContainerRegistry_V20150921.<Operation>, application/x-amz-json-1.1, SigV4), for the
// operations the aws flavor uses. Images are what the real Distribution registry behind it
// holds: DescribeImages reads it and BatchDeleteImage acts on it.

export interface AccessKey {
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  /** Which operations the key may call; default all. */
  readonly allow?: ((operation: string) => boolean) | undefined;
}

export interface EcrCall {
  readonly operation: string;
  readonly accessKeyId: string | undefined;
  readonly repository: string | undefined;
  /** The error type answered, if any. */
  readonly error: string | undefined;
}

interface Repository {
  readonly createdAt: Date;
  readonly imageTagMutability: string;
  readonly scanOnPush: boolean;
}

export interface FakeEcrApi {
  /** The `endpoint` to give the SDK, `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  readonly accountId: string;
  readonly region: string;
  readonly registryHost: string;
  readonly calls: readonly EcrCall[];
  readonly repositories: ReadonlyMap<string, Repository>;
  addAccessKey(accessKeyId: string, key: AccessKey): void;
  /** Creates a repository directly, as the console would. */
  createRepository(name: string): void;
  /** Answers at most `count` results per page of the paginated operations, whatever was asked. */
  setPageLimit(count: number): void;
  /** Lifetime of tokens issued from now on. Default 12 h, as ECR. */
  setTokenLifetime(seconds: number): void;
  /** Makes every token issued so far expired, as if 12 hours had passed. */
  expireIssuedTokens(): void;
  /** What the registry makes of a password from GetAuthorizationToken. */
  tokenStatus(password: string): 'valid' | 'expired' | 'unknown';
  stop(): Promise<void>;
}

class EcrError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

interface Manifest {
  readonly mediaType: string;
  readonly text: string;
  readonly config?: { mediaType?: string; size?: number };
  readonly layers?: { size?: number }[];
  readonly manifests?: { digest: string }[];
}

interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

export async function startFakeEcrApi(options: { readonly accountId: string; readonly region: string; readonly registryHost: string; readonly registry: RegistryFixture }): Promise<FakeEcrApi> {
  const { accountId, region, registryHost, registry } = options;
  const keys = new Map<string, AccessKey>();
  const repositories = new Map<string, Repository>();
  const tokens = new Map<string, { expiresAt: number }>();
  const calls: EcrCall[] = [];
  let tokenLifetimeSeconds = 12 * 3600;
  let pageLimit = Number.POSITIVE_INFINITY;

  const repositoryJson = (name: string, repository: Repository) => ({
    repositoryArn: `arn:aws:ecr:${region}:${accountId}:repository/${name}`,
    registryId: accountId,
    repositoryName: name,
    repositoryUri: `${registryHost}/${name}`,
    createdAt: repository.createdAt.getTime() / 1000,
    imageTagMutability: repository.imageTagMutability,
    imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
  });

  function requireRepository(name: unknown): string {
    if (typeof name !== 'string' || !repositories.has(name)) {
      throw new EcrError('RepositoryNotFoundException', `The repository with name '${String(name)}' does not exist in the registry with id '${accountId}'`);
    }
    return name;
  }

  async function manifest(repository: string, digest: string): Promise<Manifest> {
    const response = await fetch(`${registry.url}/v2/${repository}/manifests/${digest}`, { headers: { accept: ACCEPT } });
    const text = await response.text();
    if (!response.ok) throw new Error(`registry answered ${response.status} for ${repository}@${digest}`);
    const parsed = JSON.parse(text) as Omit<Manifest, 'text'>;
    return { ...parsed, mediaType: parsed.mediaType ?? response.headers.get('content-type') ?? '', text };
  }

  /** The repository's images as ECR sees them: every stored manifest, with its tags. */
  async function images(repository: string) {
    const stored = await readStoredRepository(registry.storageDir, repository);
    const tagsOf = (digest: string) => [...stored.tags].filter(([, tagged]) => tagged === digest).map(([tag]) => tag).sort();
    return Promise.all(
      stored.manifests.map(async (entry) => {
        const body = await manifest(repository, entry.digest);
        return { digest: entry.digest, pushedAt: entry.storedAt, tags: tagsOf(entry.digest), manifest: body };
      }),
    ).then((all) => ({ all, tags: stored.tags }));
  }

  function sizeOf(image: { manifest: Manifest }, all: { digest: string; manifest: Manifest }[]): number {
    const own = (m: Manifest) => (m.layers ?? []).reduce((sum, layer) => sum + (layer.size ?? 0), 0);
    if (!INDEX_TYPES.has(image.manifest.mediaType)) return own(image.manifest);
    return (image.manifest.manifests ?? []).reduce((sum, child) => sum + own(all.find((other) => other.digest === child.digest)?.manifest ?? { mediaType: '', text: '' }), 0);
  }

  function page<T>(items: T[], input: { maxResults?: number; nextToken?: string }): { items: T[]; nextToken?: string } {
    const max = input.maxResults ?? 100;
    if (max < 1 || max > 1000) throw new EcrError('InvalidParameterException', "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000");
    const start = Number(input.nextToken ?? 0);
    // ECR may answer fewer results than asked, with a nextToken: clients must follow it.
    const end = start + Math.min(max, pageLimit);
    return end < items.length ? { items: items.slice(start, end), nextToken: String(end) } : { items: items.slice(start) };
  }

  function byTagStatus<T extends { tags: string[] }>(items: T[], filter: { tagStatus?: string } | undefined): T[] {
    if (filter?.tagStatus === 'TAGGED') return items.filter((item) => item.tags.length > 0);
    if (filter?.tagStatus === 'UNTAGGED') return items.filter((item) => item.tags.length === 0);
    return items;
  }

  const operations: Record<string, (input: Record<string, any>) => Promise<object>> = {
    async GetAuthorizationToken(input) {
      const ids: string[] = input['registryIds'] ?? [accountId];
      if (ids.some((id) => id !== accountId)) throw new EcrError('InvalidParameterException', `Invalid parameter at 'registryIds': registry ${ids.join(',')} is not accessible`);
      const password = `ecr-${randomBytes(24).toString('base64url')}`;
      const expiresAt = Date.now() + tokenLifetimeSeconds * 1000;
      tokens.set(password, { expiresAt });
      return {
        authorizationData: [
          { authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'), expiresAt: expiresAt / 1000, proxyEndpoint: `https://${registryHost}` },
        ],
      };
    },
    async DescribeRepositories(input) {
      const names: string[] | undefined = input['repositoryNames'];
      if (names) {
        for (const name of names) requireRepository(name);
        return { repositories: names.map((name) => repositoryJson(name, repositories.get(name)!)) };
      }
      const { items, nextToken } = page([...repositories], input);
      return { repositories: items.map(([name, repository]) => repositoryJson(name, repository)), ...(nextToken ? { nextToken } : {}) };
    },
    async CreateRepository(input) {
      const name = String(input['repositoryName']);
      if (repositories.has(name)) throw new EcrError('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${accountId}'`);
      const repository = {
        createdAt: new Date(),
        imageTagMutability: input['imageTagMutability'] ?? 'MUTABLE',
        scanOnPush: input['imageScanningConfiguration']?.scanOnPush === true,
      };
      repositories.set(name, repository);
      return { repository: repositoryJson(name, repository) };
    },
    async DescribeImages(input) {
      const repository = requireRepository(input['repositoryName']);
      const { all, tags } = await images(repository);
      let selected = all;
      const ids: ImageId[] | undefined = input['imageIds'];
      if (ids) {
        selected = ids.map((id) => {
          const digest = id.imageDigest ?? (id.imageTag ? tags.get(id.imageTag) : undefined);
          const found = all.find((image) => image.digest === digest);
          if (!found) {
            throw new EcrError(
              'ImageNotFoundException',
              `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repository}' in the registry with id '${accountId}'`,
            );
          }
          return found;
        });
      } else {
        selected = byTagStatus(all, input['filter']);
      }
      const { items, nextToken } = page(selected, input);
      return {
        imageDetails: items.map((image) => ({
          registryId: accountId,
          repositoryName: repository,
          imageDigest: image.digest,
          ...(image.tags.length > 0 ? { imageTags: image.tags } : {}),
          imageSizeInBytes: sizeOf(image, all),
          imagePushedAt: image.pushedAt.getTime() / 1000,
          imageManifestMediaType: image.manifest.mediaType,
          ...(image.manifest.config?.mediaType ? { artifactMediaType: image.manifest.config.mediaType } : {}),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    async ListImages(input) {
      const repository = requireRepository(input['repositoryName']);
      const { all } = await images(repository);
      const ids = byTagStatus(all, input['filter']).flatMap((image) =>
        image.tags.length === 0 ? [{ imageDigest: image.digest }] : image.tags.map((imageTag) => ({ imageDigest: image.digest, imageTag })),
      );
      const { items, nextToken } = page(ids, input);
      return { imageIds: items, ...(nextToken ? { nextToken } : {}) };
    },
    async BatchGetImage(input) {
      const repository = requireRepository(input['repositoryName']);
      const { all, tags } = await images(repository);
      const found: object[] = [];
      const failures: object[] = [];
      for (const id of (input['imageIds'] ?? []) as ImageId[]) {
        const digest = id.imageDigest ?? (id.imageTag ? tags.get(id.imageTag) : undefined);
        const image = all.find((candidate) => candidate.digest === digest);
        if (!image) failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
        else found.push({ registryId: accountId, repositoryName: repository, imageId: { imageDigest: image.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) }, imageManifest: image.manifest.text, imageManifestMediaType: image.manifest.mediaType });
      }
      return { images: found, failures };
    },
    async BatchDeleteImage(input) {
      const repository = requireRepository(input['repositoryName']);
      const ids: ImageId[] = input['imageIds'] ?? [];
      if (ids.length < 1 || ids.length > 100) {
        throw new EcrError('InvalidParameterException', `1 validation error detected: Value at 'imageIds' failed to satisfy constraint: Member must have length less than or equal to 100`);
      }
      const deleted: ImageId[] = [];
      const failures: object[] = [];
      // One id at a time, in order, like ECR: deleting an index first frees its children.
      for (const id of ids) {
        const { all, tags } = await images(repository);
        const digest = id.imageDigest ?? (id.imageTag ? tags.get(id.imageTag) : undefined);
        const image = all.find((candidate) => candidate.digest === digest);
        if (!image || !digest) {
          failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
          continue;
        }
        const parents = all.filter((other) => (other.manifest.manifests ?? []).some((child) => child.digest === digest)).map((other) => other.digest);
        if (id.imageTag && !id.imageDigest) {
          await removeStoredTag(registry.storageDir, repository, id.imageTag);
          // The last tag takes the image with it, unless an index still needs it.
          if (image.tags.length === 1 && parents.length === 0) await deleteManifest(repository, digest);
          deleted.push({ imageDigest: digest, imageTag: id.imageTag });
          continue;
        }
        if (parents.length > 0) {
          failures.push({ imageId: id, failureCode: 'ImageReferencedByManifestList', failureReason: `Requested image referenced by manifest list: [${parents.join(', ')}]` });
          continue;
        }
        await deleteManifest(repository, digest);
        deleted.push({ imageDigest: digest });
      }
      return { imageIds: deleted, failures };
    },
  };

  async function deleteManifest(repository: string, digest: string): Promise<void> {
    const response = await fetch(`${registry.url}/v2/${repository}/manifests/${digest}`, { method: 'DELETE' });
    if (response.status !== 202) throw new Error(`registry answered ${response.status} to deleting ${repository}@${digest}`);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, any>) : {};
    const answer = (status: number, payload: object, error?: string, accessKeyId?: string) => {
      calls.push({ operation, accessKeyId, repository: input['repositoryName'], error });
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomBytes(8).toString('hex') });
      response.end(JSON.stringify(payload));
    };
    const signature = checkSigV4({ method: request.method ?? 'POST', url: request.url ?? '/', headers: request.headers, body }, (id) => keys.get(id)?.secretAccessKey);
    if (!signature.ok) return answer(signature.errorType === 'InvalidSignatureException' ? 403 : 400, { __type: signature.errorType, message: signature.message }, signature.errorType);
    const key = keys.get(signature.accessKeyId)!;
    const fail = (type: string, message: string) => answer(400, { __type: type, message }, type, signature.accessKeyId);
    if (key.sessionToken !== undefined && request.headers['x-amz-security-token'] !== key.sessionToken) {
      return fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (signature.service !== 'ecr' || signature.region !== region) return fail('InvalidSignatureException', `Credential should be scoped to a valid region and service ecr, not '${signature.region}/${signature.service}'.`);
    const run = operations[operation];
    if (!run) return fail('UnknownOperationException', `Unknown operation ${target}`);
    if (key.allow && !key.allow(operation)) {
      return fail(
        'AccessDeniedException',
        `User: arn:aws:iam::${accountId}:user/${signature.accessKeyId} is not authorized to perform: ecr:${operation} on resource: arn:aws:ecr:${region}:${accountId}:repository/${input['repositoryName'] ?? '*'} because no identity-based policy allows the ecr:${operation} action`,
      );
    }
    try {
      answer(200, await run(input), undefined, signature.accessKeyId);
    } catch (error) {
      if (error instanceof EcrError) return fail(error.type, error.message);
      throw error;
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: 'ServerException', message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accountId,
    region,
    registryHost,
    calls,
    repositories,
    addAccessKey: (accessKeyId, key) => void keys.set(accessKeyId, key),
    createRepository(name) {
      repositories.set(name, { createdAt: new Date(), imageTagMutability: 'MUTABLE', scanOnPush: false });
    },
    setPageLimit(count) {
      pageLimit = count;
    },
    setTokenLifetime(seconds) {
      tokenLifetimeSeconds = seconds;
    },
    expireIssuedTokens() {
      for (const token of tokens.values()) token.expiresAt = 0;
    },
    tokenStatus(password) {
      const token = tokens.get(password);
      if (!token) return 'unknown';
      return token.expiresAt > Date.now() ? 'valid' : 'expired';
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
