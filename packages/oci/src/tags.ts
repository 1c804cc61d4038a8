import { RegistryKitError } from '@registrykit/core';
import { type RegistryCall, type RegistryHttp, repositoryScope } from './registry-http.js';

/** ECR refuses `n` above 1000; ggcr uses 1000 too. */
export const DEFAULT_PAGE_SIZE = 1000;
const LIST_BODY_LIMIT = 32 * 1024 * 1024;
const MAX_PAGES = 100_000;

/** Every tag of a repository, following `Link: <…>; rel="next"` pages (`n`, `last`). */
export function listAllTags(http: RegistryHttp, call: RegistryCall, repository: string, pageSize: number): Promise<string[]> {
  return listPaged(http, call, {
    path: `/v2/${repository}/tags/list`,
    field: 'tags',
    scopes: [repositoryScope(repository, 'pull')],
    action: `listing the tags of ${call.registry}/${repository}`,
    pageSize,
  });
}

/** Every repository of a registry (`/v2/_catalog`), following pages. */
export function listAllRepositories(http: RegistryHttp, call: RegistryCall, pageSize: number): Promise<string[]> {
  return listPaged(http, call, { path: '/v2/_catalog', field: 'repositories', scopes: ['registry:catalog:*'], action: `listing the repositories of ${call.registry}`, pageSize });
}

interface PagedList {
  readonly path: string;
  readonly field: 'tags' | 'repositories';
  readonly scopes: readonly string[];
  readonly action: string;
  readonly pageSize: number;
}

async function listPaged(http: RegistryHttp, call: RegistryCall, list: PagedList): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();
  let next: URL | string | undefined = `${list.path}?n=${list.pageSize}`;
  for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
    const response = await http.expect(call, { method: 'GET', target: next, scopes: list.scopes, action: list.action }, [200]);
    const body = await response.buffer(LIST_BODY_LIMIT);
    let items: unknown;
    try {
      items = (JSON.parse(body.toString('utf8')) as Record<string, unknown>)[list.field];
    } catch (error) {
      throw new RegistryKitError('REGISTRY_ERROR', `${list.action}: ${call.registry} answered with something that is not JSON.`, { cause: error, details: { registry: call.registry } });
    }
    // Distribution answers `"tags": null` for a repository whose tags were all deleted.
    if (items !== null && items !== undefined && (!Array.isArray(items) || items.some((item) => typeof item !== 'string'))) {
      throw new RegistryKitError('REGISTRY_ERROR', `${list.action}: ${call.registry} answered without a list of strings in "${list.field}".`, { details: { registry: call.registry } });
    }
    found.push(...((items as string[] | null | undefined) ?? []));
    const link = nextLink(response.headerValues('link'));
    next = link === undefined ? undefined : new URL(link, response.url);
    // A registry that links back to a page already read would loop for ever.
    if (next !== undefined) {
      const key = next.href;
      if (seen.has(key)) next = undefined;
      else seen.add(key);
    }
  }
  return found;
}

/** The `rel="next"` target of `Link` headers (RFC 8288), e.g. `</v2/app/tags/list?last=b&n=2>; rel="next"`. */
export function nextLink(values: readonly string[]): string | undefined {
  for (const value of values) {
    for (const match of value.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
      const params = match[2] ?? '';
      if (/;\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?/i.test(params)) return match[1];
    }
  }
  return undefined;
}
