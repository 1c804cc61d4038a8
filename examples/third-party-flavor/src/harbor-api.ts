import { type CallOptions, describeCredentials, type RegistryCredentials, RegistryKitError } from '@registrykit/core';

/** What the flavor needs of Harbor's REST API (v2.0). */
export interface HarborApi {
  projectExists(project: string, options: CallOptions): Promise<boolean>;
  /** Creates a private project; one that already exists (a concurrent push made it) is fine. */
  createProject(project: string, options: CallOptions): Promise<void>;
  /** The repository paths of a project, e.g. `library/app`. */
  listRepositories(project: string, options: CallOptions): Promise<string[]>;
}

export interface HarborApiOptions {
  /** Where the API is, e.g. `https://harbor.example.com`; requests go to `<apiUrl>/api/v2.0/…`. */
  readonly apiUrl: string;
  /** The registry's credentials: Harbor's API takes the same user or robot account. */
  readonly credentials: (options: CallOptions) => Promise<RegistryCredentials | undefined>;
}

const PAGE_SIZE = 100;

export function createHarborApi(options: HarborApiOptions): HarborApi {
  const base = `${options.apiUrl.replace(/\/+$/, '')}/api/v2.0`;

  async function authorization(call: CallOptions): Promise<Record<string, string>> {
    const credentials = await options.credentials(call);
    if (credentials === undefined) return {};
    if (credentials.type === 'basic') return { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` };
    if (credentials.type === 'bearer') return { authorization: `Bearer ${credentials.token}` };
    throw new RegistryKitError('AUTHENTICATION_FAILED', `Harbor's API takes a user or robot account (username and password), not ${describeCredentials(credentials)}.`, {
      details: { api: base },
    });
  }

  /** Sends a request; answers the response for the statuses the caller handles, throws RegistryKitErrors for the rest. */
  async function request(method: string, path: string, expected: readonly number[], call: CallOptions, body?: unknown): Promise<Response> {
    const url = `${base}${path}`;
    const action = `${method} ${url}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(await authorization(call)) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(call.signal ? { signal: call.signal } : {}),
      });
    } catch (error) {
      if (RegistryKitError.isInstance(error)) throw error;
      if (call.signal?.aborted) throw new RegistryKitError('ABORTED', `Aborted: ${action}.`, { cause: error });
      throw new RegistryKitError('REGISTRY_ERROR', `Cannot reach Harbor's API (${action}): ${(error as Error).message}. Check the host, or set apiUrl.`, {
        cause: error,
        details: { api: base },
      });
    }
    if (expected.includes(response.status)) return response;
    const reason = await harborErrorMessage(response);
    const details = { api: base, status: response.status };
    if (response.status === 401) throw new RegistryKitError('AUTHENTICATION_FAILED', `Harbor refused the credentials (${action}): ${reason} Give a Harbor user or robot account.`, { details });
    if (response.status === 403) throw new RegistryKitError('PERMISSION_DENIED', `Harbor denied ${action}: ${reason}`, { details });
    if (response.status === 429) throw new RegistryKitError('RATE_LIMITED', `Harbor throttled ${action}: ${reason}`, { details });
    throw new RegistryKitError('REGISTRY_ERROR', `Harbor answered ${response.status} to ${action}: ${reason}`, { details });
  }

  return {
    async projectExists(project, call) {
      const response = await request('HEAD', `/projects?project_name=${encodeURIComponent(project)}`, [200, 404], call);
      return response.status === 200;
    },
    async createProject(project, call) {
      await request('POST', '/projects', [201, 409], call, { project_name: project, metadata: { public: 'false' } });
    },
    async listRepositories(project, call) {
      const names: string[] = [];
      for (let page = 1; ; page++) {
        const response = await request('GET', `/projects/${encodeURIComponent(project)}/repositories?page=${page}&page_size=${PAGE_SIZE}`, [200], call);
        const repositories = (await response.json()) as { name?: unknown }[];
        names.push(...repositories.map((repository) => repository.name).filter((name): name is string => typeof name === 'string'));
        if (repositories.length < PAGE_SIZE) return names;
      }
    },
  };
}

/** Harbor's error body, `{"errors": [{"code", "message"}]}`, as one sentence. */
async function harborErrorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const errors = (JSON.parse(text) as { errors?: { message?: unknown }[] }).errors ?? [];
    const messages = errors.map((error) => error.message).filter((message): message is string => typeof message === 'string');
    if (messages.length > 0) return `${messages.join('; ')}.`;
  } catch {
    // Not Harbor's JSON: a proxy's page, or nothing.
  }
  return text.length > 0 ? `${text.slice(0, 200)}` : `HTTP ${response.status}.`;
}
