import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

// Distribution's filesystem layout (storage driver "filesystem"). Its HTTP API cannot list
// untagged manifests nor delete a single tag (2.8 answers UNSUPPORTED), which test servers
// standing in for vendor APIs (ECR's DescribeImages, GitHub Packages, the Docker Hub API, ACR's
// tag deletion) need: they read and edit the storage here.

/** A manifest a Distribution registry stores in a repository, read from its filesystem storage. */
export interface StoredManifest {
  readonly digest: string;
  readonly mediaType: string | undefined;
  /** The tags pointing at it. */
  readonly tags: readonly string[];
  /** When it was stored (the revision link's modification time). */
  readonly storedAt: Date;
  /** For an index or manifest list: its children's digests. */
  readonly childDigests: readonly string[];
  /** Config plus layers, in bytes; for an index, summed over the children stored here. */
  readonly sizeBytes: number;
}

export interface StoredRepository {
  /** Every manifest the repository holds, tagged or not, oldest first. */
  readonly manifests: readonly StoredManifest[];
  /** Tag → manifest digest. */
  readonly tags: ReadonlyMap<string, string>;
}

const V2 = join('docker', 'registry', 'v2');
const manifestsDir = (storageDir: string, repository: string) => join(storageDir, V2, 'repositories', repository, '_manifests');

/** What a registry's storage (`startRegistry().storageDir`) holds for one repository; empty when it holds nothing. */
export async function readStoredRepository(storageDir: string, repository: string): Promise<StoredRepository> {
  const dir = manifestsDir(storageDir, repository);
  const tags = new Map<string, string>();
  for (const tag of await entries(join(dir, 'tags'))) {
    const link = await readLink(join(dir, 'tags', tag, 'current', 'link'));
    if (link) tags.set(tag, link.digest);
  }
  const manifests: StoredManifest[] = [];
  for (const algorithm of await entries(join(dir, 'revisions'))) {
    for (const hex of await entries(join(dir, 'revisions', algorithm))) {
      // A deleted manifest keeps its directory but loses its link.
      const link = await readLink(join(dir, 'revisions', algorithm, hex, 'link'));
      if (!link) continue;
      const body = await readBlobJson(storageDir, link.digest);
      const childDigests = (body.manifests ?? []).map((child) => child.digest);
      const sizeBytes = childDigests.length > 0 ? await childrenSize(storageDir, childDigests) : manifestSize(body);
      const manifestTags = [...tags].filter(([, digest]) => digest === link.digest).map(([tag]) => tag).sort();
      manifests.push({ digest: link.digest, mediaType: body.mediaType, tags: manifestTags, storedAt: link.storedAt, childDigests, sizeBytes });
    }
  }
  manifests.sort((a, b) => a.storedAt.getTime() - b.storedAt.getTime() || a.digest.localeCompare(b.digest));
  return { manifests, tags };
}

/**
 * Every manifest of `repository`, tagged or not, the way a vendor API (GitHub Packages, the
 * Docker Hub API) lists what its registry holds; a missing repository is empty.
 */
export async function readStoredManifests(storageDir: string, repository: string): Promise<StoredManifest[]> {
  return [...(await readStoredRepository(storageDir, repository)).manifests];
}

/** The paths of every repository the registry stores, e.g. `team/app`, sorted. */
export async function listStoredRepositories(storageDir: string): Promise<string[]> {
  const root = join(storageDir, V2, 'repositories');
  const found: string[] = [];
  async function walk(path: string): Promise<void> {
    const children = await entries(join(root, path));
    if (children.includes('_manifests')) found.push(path);
    for (const child of children) if (!child.startsWith('_')) await walk(path === '' ? child : `${path}/${child}`);
  }
  await walk('');
  return found.sort();
}

/**
 * Removes a tag from a repository's storage, as registries with a tag-deletion API do; the
 * manifest stays. Answers false when there was no such tag.
 */
export async function removeStoredTag(storageDir: string, repository: string, tag: string): Promise<boolean> {
  const dir = join(manifestsDir(storageDir, repository), 'tags', tag);
  const existed = await stat(dir).then(() => true, () => false);
  await rm(dir, { recursive: true, force: true });
  return existed;
}

interface ManifestBody {
  readonly mediaType?: string;
  readonly config?: { readonly size?: number };
  readonly layers?: readonly { readonly size?: number }[];
  readonly manifests?: readonly { readonly digest: string }[];
}

async function readLink(path: string): Promise<{ digest: string; storedAt: Date } | undefined> {
  try {
    const [digest, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { digest: digest.trim(), storedAt: info.mtime };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function readBlobJson(storageDir: string, digest: string): Promise<ManifestBody> {
  const [algorithm, hex = ''] = digest.split(':');
  const text = await readFile(join(storageDir, V2, 'blobs', algorithm ?? 'sha256', hex.slice(0, 2), hex, 'data'), 'utf8').catch(() => '{}');
  try {
    return JSON.parse(text) as ManifestBody;
  } catch {
    return {};
  }
}

function manifestSize(body: ManifestBody): number {
  return (body.config?.size ?? 0) + (body.layers ?? []).reduce((sum, layer) => sum + (layer.size ?? 0), 0);
}

async function childrenSize(storageDir: string, digests: readonly string[]): Promise<number> {
  let total = 0;
  for (const digest of digests) total += manifestSize(await readBlobJson(storageDir, digest));
  return total;
}

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });
}
