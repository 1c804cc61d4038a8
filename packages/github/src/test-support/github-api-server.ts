import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FrontServerFixture, type HostedRegistryFixture, readStoredManifests, startFrontServer, type TestCertificateAuthority } from '@registrykit/testing';

/** A token the fake API and registry accept: whose it is and what it may do. */
export interface GitHubToken {
  readonly login: string;
  /** e.g. `read:packages`, `delete:packages`. */
  readonly scopes: readonly string[];
}

export interface GitHubApiServer {
  /** The API base URL, e.g. `https://api.github.com` or `https://HOST/api/v3`. */
  readonly url: string;
  readonly front: FrontServerFixture;
  /** The next `count` requests answer 403 with an exhausted primary rate limit. */
  throttle(count: number): void;
  stop(): Promise<void>;
}

export interface StartGitHubApiOptions {
  readonly ca: TestCertificateAuthority;
  readonly hostname: string;
  /** `/api/v3` for GitHub Enterprise Server; default none. */
  readonly pathPrefix?: string;
  /** The registry whose storage the packages are. */
  readonly registry: HostedRegistryFixture;
  readonly owners: Readonly<Record<string, 'User' | 'Organization'>>;
  readonly tokens: Readonly<Record<string, GitHubToken>>;
  /** The largest page of versions, to exercise pagination. Default 100. */
  readonly maxPageSize?: number;
}

/**
 * The GitHub Packages REST API for container packages, over what a real registry stores: owners
 * (`GET /users/{owner}`), package versions of users and organizations with their tags and `Link`
 * pagination, and version deletion (which deletes the manifest, and so its tags, in the registry,
 * as GHCR does). Version ids stay stable per digest.
 */
export async function startGitHubApi(options: StartGitHubApiOptions): Promise<GitHubApiServer> {
  const prefix = options.pathPrefix ?? '';
  const base = `https://${options.hostname}${prefix}`;
  const ids = new Map<string, number>();
  let throttled = 0;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const url = new URL(request.url ?? '/', `https://${options.hostname}`);
    const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'x-ratelimit-limit': '5000', ...headers });
      response.end(body === undefined ? undefined : JSON.stringify(body));
      return true;
    };
    if (!url.pathname.startsWith(`${prefix}/`)) return reply(404, { message: 'Not Found' });
    const path = url.pathname.slice(prefix.length);
    if (throttled > 0) {
      throttled -= 1;
      return reply(403, { message: 'API rate limit exceeded for user.' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1800) });
    }
    const token = options.tokens[request.headers.authorization?.replace(/^(Bearer|token) /, '') ?? ''];
    if (!token) return reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });

    const user = /^\/users\/([^/]+)$/.exec(path);
    if (user && request.method === 'GET') {
      const type = options.owners[user[1] ?? ''];
      return type ? reply(200, { login: user[1], type }) : reply(404, { message: 'Not Found' });
    }
    const versions = /^\/(users|orgs)\/([^/]+)\/packages\/container\/([^/]+)\/versions(?:\/(\d+))?$/.exec(path);
    if (!versions) return reply(404, { message: 'Not Found' });
    const [, kind = '', owner = '', encodedName = '', id] = versions;
    const name = decodeURIComponent(encodedName);
    if ((kind === 'orgs') !== (options.owners[owner] === 'Organization')) return reply(404, { message: 'Not Found' });
    const manifests = await readStoredManifests(options.registry.registry.storageDir, `${owner}/${name}`);
    if (manifests.length === 0) return reply(404, { message: 'Package not found.' });
    if (!token.scopes.includes('read:packages')) return reply(403, { message: 'You need at least read:packages scope to list packages.' });
    for (const manifest of manifests) if (!ids.has(manifest.digest)) ids.set(manifest.digest, ids.size + 1000);

    if (id === undefined && request.method === 'GET') {
      const all = [...manifests].reverse().map((manifest) => ({
        id: ids.get(manifest.digest),
        name: manifest.digest,
        url: `${base}${path}/${ids.get(manifest.digest)}`,
        created_at: manifest.storedAt.toISOString(),
        updated_at: manifest.storedAt.toISOString(),
        metadata: { package_type: 'container', container: { tags: manifest.tags } },
      }));
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), options.maxPageSize ?? 100);
      const page = Number(url.searchParams.get('page') ?? 1);
      const more = page * perPage < all.length;
      const link = more ? { link: `<${base}${path}?per_page=${perPage}&page=${page + 1}>; rel="next"` } : {};
      return reply(200, all.slice((page - 1) * perPage, page * perPage), link);
    }
    if (id !== undefined && request.method === 'DELETE') {
      if (!token.scopes.includes('delete:packages')) return reply(403, { message: 'You need delete:packages scope to delete package versions.' });
      const target = manifests.find((manifest) => ids.get(manifest.digest) === Number(id));
      if (!target) return reply(404, { message: 'Package version not found.' });
      if (manifests.length === 1) return reply(400, { message: 'You cannot delete the last tagged version of a package. You must delete the package instead.' });
      // Through the registry itself (behind GHCR's front, which refuses DELETE): the manifest and its tags go.
      const registryToken = options.registry.issuer.signToken({ access: [{ type: 'repository', name: `${owner}/${name}`, actions: ['delete', 'pull'] }] });
      const deletion = await fetch(`${options.registry.registry.url}/v2/${owner}/${name}/manifests/${target.digest}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${registryToken}` },
      });
      return deletion.status === 202 ? reply(204) : reply(500, { message: `registry answered ${deletion.status}` });
    }
    return reply(404, { message: 'Not Found' });
  }

  const front = await startFrontServer({ hostname: options.hostname, ca: options.ca, handle });
  return {
    url: base,
    front,
    throttle(count) {
      throttled = count;
    },
    stop: () => front.stop(),
  };
}
