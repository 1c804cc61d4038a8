import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listStoredRepositories, readRequestBody } from '@registrykit/testing';

export interface HarborApiRequest {
  readonly method: string;
  /** The path and query, e.g. `/api/v2.0/projects?project_name=library`. */
  readonly path: string;
  /** The authenticated user, if any. */
  readonly user: string | undefined;
  readonly status: number;
}

export interface HarborApiServer {
  /** `http://127.0.0.1:PORT`, the flavor's `apiUrl`. */
  readonly url: string;
  /** The projects Harbor has; add and remove freely. */
  readonly projects: Set<string>;
  readonly requests: HarborApiRequest[];
  stop(): Promise<void>;
}

export interface StartHarborApiServerOptions {
  /** Users and their passwords, the same as the registry's. */
  readonly users: Readonly<Record<string, string>>;
  readonly projects?: readonly string[];
  /** Users allowed to create projects. Default: every user (Harbor's "everyone" setting). */
  readonly creators?: readonly string[];
  /** The storage directory of the registry this Harbor fronts: its repositories are listed from there. */
  readonly storageDir: string;
}

const PROJECT_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * The part of Harbor's REST API (v2.0) the harbor flavor uses, on loopback: project lookup
 * (`HEAD /projects?project_name=`), creation (`POST /projects`) and repository listing
 * (`GET /projects/{name}/repositories`, paginated), with Basic authentication and Harbor's error
 * bodies. The registry itself is a real Distribution registry next to it.
 */
export async function startHarborApiServer(options: StartHarborApiServerOptions): Promise<HarborApiServer> {
  const projects = new Set(options.projects ?? []);
  const requests: HarborApiRequest[] = [];

  function authenticate(request: IncomingMessage): string | undefined {
    const match = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
    if (!match?.[1]) return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    return colon > 0 && options.users[user] === decoded.slice(colon + 1) ? user : undefined;
  }

  async function handle(request: IncomingMessage, response: ServerResponse, url: URL, user: string | undefined): Promise<number> {
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
      response.end(body === undefined || request.method === 'HEAD' ? undefined : JSON.stringify(body));
      return status;
    };
    const error = (status: number, code: string, message: string) => send(status, { errors: [{ code, message }] });
    if (!user) {
      response.setHeader('www-authenticate', 'Basic realm="harbor"');
      return error(401, 'UNAUTHORIZED', 'unauthorized');
    }
    if (url.pathname === '/api/v2.0/projects' && request.method === 'HEAD') {
      return send(projects.has(url.searchParams.get('project_name') ?? '') ? 200 : 404);
    }
    if (url.pathname === '/api/v2.0/projects' && request.method === 'POST') {
      const body = JSON.parse(await readRequestBody(request)) as { project_name?: unknown };
      const name = body.project_name;
      if (typeof name !== 'string' || !PROJECT_NAME.test(name)) return error(400, 'BAD_REQUEST', `invalid project name ${JSON.stringify(name)}`);
      if (options.creators && !options.creators.includes(user)) return error(403, 'FORBIDDEN', 'only system admin can create project');
      if (projects.has(name)) return error(409, 'CONFLICT', `The project named ${name} already exists`);
      projects.add(name);
      return send(201, undefined, { location: `/api/v2.0/projects/${projects.size}` });
    }
    const listing = /^\/api\/v2\.0\/projects\/([^/]+)\/repositories$/.exec(url.pathname);
    if (listing?.[1] && request.method === 'GET') {
      const project = decodeURIComponent(listing[1]);
      if (!projects.has(project)) return error(404, 'NOT_FOUND', `project ${project} not found`);
      const page = Number(url.searchParams.get('page') ?? '1');
      const size = Number(url.searchParams.get('page_size') ?? '10');
      const names = (await listStoredRepositories(options.storageDir)).filter((name) => name.startsWith(`${project}/`));
      return send(200, names.slice((page - 1) * size, page * size).map((name, index) => ({ id: index + 1, name })), { 'x-total-count': String(names.length) });
    }
    return error(404, 'NOT_FOUND', `no route ${request.method} ${url.pathname}`);
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://harbor');
    const user = authenticate(request);
    handle(request, response, url, user).then(
      (status) => requests.push({ method: request.method ?? '', path: `${url.pathname}${url.search}`, user, status }),
      (error: unknown) => {
        response.writeHead(500).end(String(error));
        requests.push({ method: request.method ?? '', path: `${url.pathname}${url.search}`, user, status: 500 });
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    projects,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
