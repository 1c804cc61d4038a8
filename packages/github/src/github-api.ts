import { type CallOptions, describeCredentials, type RegistryCredentials, RegistryKitError } from '@registrykit/core';

/** One version of a container package: a manifest, with the tags on it. */
export interface PackageVersion {
  readonly id: number;
  /** The manifest digest, `sha256:…`. */
  readonly digest: string;
  readonly tags: readonly string[];
  readonly createdAt: Date | undefined;
  readonly updatedAt: Date | undefined;
}

export interface GitHubPackagesClientOptions {
  /** `https://api.github.com`, or a GitHub Enterprise API (`https://HOST/api/v3`). */
  readonly apiUrl: string;
  /** The registry credentials; the token (the password) authorizes the API too. */
  readonly credentials: (options?: CallOptions) => Promise<RegistryCredentials | undefined>;
}

export interface GitHubPackagesClient {
  /** Every version of the container package `name` owned by `owner`, newest first. */
  listVersions(owner: string, name: string, options?: CallOptions): Promise<PackageVersion[]>;
  deleteVersion(owner: string, name: string, id: number, options?: CallOptions): Promise<void>;
}

/**
 * The GitHub Packages REST API for container packages (list and delete package versions), for
 * users and organizations alike: which one an owner is is asked once (`GET /users/{owner}`).
 */
export function createGitHubPackagesClient(options: GitHubPackagesClientOptions): GitHubPackagesClient {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const ownerPaths = new Map<string, Promise<string>>();

  async function token(call: CallOptions): Promise<string> {
    const credentials = await options.credentials(call);
    if (credentials?.type === 'basic') return credentials.password;
    if (credentials?.type === 'bearer') return credentials.token;
    throw new RegistryKitError(
      'AUTHENTICATION_FAILED',
      credentials
        ? `The GitHub Packages API needs a token, not ${describeCredentials(credentials)}: set GITHUB_TOKEN or bind a docker connector with a personal access token.`
        : 'The GitHub Packages API needs a token: set GITHUB_TOKEN (in a workflow, with `packages: write`), bind a docker connector with a personal access token, or run `docker login ghcr.io`.',
      { details: { api: apiUrl } },
    );
  }

  async function request(method: string, path: string, action: string, call: CallOptions): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${await token(call)}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
        signal: call.signal ?? null,
      });
    } catch (error) {
      if (RegistryKitError.isInstance(error)) throw error;
      if ((error as Error).name === 'AbortError') throw new RegistryKitError('ABORTED', `Aborted ${action}.`, { cause: error });
      throw new RegistryKitError('REGISTRY_ERROR', `Cannot reach the GitHub API at ${apiUrl} while ${action}: ${(error as Error).message}.`, { cause: error, details: { api: apiUrl } });
    }
    if (!response.ok) throw await apiFailure(response, action, apiUrl);
    return response;
  }

  /** `orgs/<owner>` or `users/<owner>`. */
  function ownerPath(owner: string, call: CallOptions): Promise<string> {
    let found = ownerPaths.get(owner);
    if (!found) {
      found = request('GET', `/users/${owner}`, `looking up the GitHub owner "${owner}"`, call).then(async (response) => {
        const { type } = (await response.json()) as { type?: string };
        return `${type === 'Organization' ? 'orgs' : 'users'}/${owner}`;
      });
      found.catch(() => ownerPaths.delete(owner));
      ownerPaths.set(owner, found);
    }
    return found;
  }

  return {
    async listVersions(owner, name, call = {}) {
      const base = `/${await ownerPath(owner, call)}/packages/container/${encodeURIComponent(name)}/versions`;
      const versions: PackageVersion[] = [];
      let path: string | undefined = `${base}?per_page=100`;
      while (path !== undefined) {
        const response = await request('GET', path, `listing the versions of the package ${owner}/${name}`, call);
        versions.push(...((await response.json()) as RawVersion[]).map(toVersion));
        path = nextPage(response.headers.get('link'), apiUrl);
      }
      return versions;
    },
    async deleteVersion(owner, name, id, call = {}) {
      const path = `/${await ownerPath(owner, call)}/packages/container/${encodeURIComponent(name)}/versions/${id}`;
      await request('DELETE', path, `deleting version ${id} of the package ${owner}/${name}`, call);
    },
  };
}

interface RawVersion {
  readonly id: number;
  readonly name: string;
  readonly created_at?: string;
  readonly updated_at?: string;
  readonly metadata?: { readonly container?: { readonly tags?: readonly string[] } };
}

function toVersion(raw: RawVersion): PackageVersion {
  return {
    id: raw.id,
    digest: raw.name,
    tags: [...(raw.metadata?.container?.tags ?? [])],
    createdAt: raw.created_at ? new Date(raw.created_at) : undefined,
    updatedAt: raw.updated_at ? new Date(raw.updated_at) : undefined,
  };
}

// `Link: <https://api.github.com/…&page=2>; rel="next"`, followed only on the API's own origin.
function nextPage(link: string | null, apiUrl: string): string | undefined {
  const next = link?.split(',').find((part) => /rel="next"/.test(part));
  const target = next ? /<([^>]+)>/.exec(next)?.[1] : undefined;
  if (!target) return undefined;
  const url = new URL(target, apiUrl);
  const base = new URL(apiUrl);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return undefined;
  return `${url.pathname.slice(base.pathname.replace(/\/$/, '').length)}${url.search}`;
}

async function apiFailure(response: Response, action: string, apiUrl: string): Promise<RegistryKitError> {
  const body = (await response.json().catch(() => ({}))) as { message?: unknown };
  const said = typeof body.message === 'string' ? ` (${body.message})` : '';
  const details = { api: apiUrl, status: response.status };
  const remaining = response.headers.get('x-ratelimit-remaining');
  if (response.status === 429 || (response.status === 403 && (remaining === '0' || response.headers.has('retry-after')))) {
    const resetHeader = Number(response.headers.get('x-ratelimit-reset'));
    const retryAfter = Number(response.headers.get('retry-after'));
    const resetAt = Number.isFinite(resetHeader) && resetHeader > 0 ? new Date(resetHeader * 1000) : Number.isFinite(retryAfter) && retryAfter > 0 ? new Date(Date.now() + retryAfter * 1000) : undefined;
    const limit = response.headers.get('x-ratelimit-limit');
    return new RegistryKitError(
      'RATE_LIMITED',
      `GitHub's API rate limit${limit ? ` (${limit} requests per hour)` : ''} was reached while ${action}${resetAt ? `; it resets at ${resetAt.toISOString()}` : ''}. Wait, then retry.`,
      { details: { ...details, limit: limit === null ? undefined : Number(limit), resetAt: resetAt?.toISOString() } },
    );
  }
  switch (response.status) {
    case 401:
      return new RegistryKitError(
        'AUTHENTICATION_FAILED',
        `GitHub refused the token while ${action}${said}: a workflow's GITHUB_TOKEN lasts for its job only; a personal access token may have expired or been revoked.`,
        { details },
      );
    case 403:
      return new RegistryKitError(
        'PERMISSION_DENIED',
        `GitHub denied ${action}${said}: the token needs read:packages to list and delete:packages to delete (a workflow's GITHUB_TOKEN needs admin access to the package).`,
        { details },
      );
    case 404:
      return new RegistryKitError('NOT_FOUND', `GitHub found nothing while ${action}${said}: check the owner and package name, and that the token may see the package.`, { details });
    default:
      return new RegistryKitError('REGISTRY_ERROR', `The GitHub API answered HTTP ${response.status} while ${action}${said}.`, { details });
  }
}
