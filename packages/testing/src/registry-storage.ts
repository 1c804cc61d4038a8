import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A manifest a Distribution registry stores in a repository, read from its filesystem storage. */
export interface StoredManifest {
  readonly digest: string;
  readonly mediaType: string | undefined;
  /** The tags pointing at it. */
  readonly tags: readonly string[];
  /** When it was first stored. */
  readonly storedAt: Date;
  /** For an index or manifest list: its children's digests. */
  readonly childDigests: readonly string[];
  /** Config plus layers, in bytes; for an index, summed over the children stored here. */
  readonly sizeBytes: number;
}

const V2 = join('docker', 'registry', 'v2');

/**
 * Every manifest of `repository` in a registry's storage directory (`startRegistry().storageDir`),
 * tagged or not, the way a vendor API (GitHub Packages, the Docker Hub API) lists what its
 * registry holds. Test servers that stand in for those APIs read it; a missing repository is empty.
 */
export async function readStoredManifests(storageDir: string, repository: string): Promise<StoredManifest[]> {
  const manifestsDir = join(storageDir, V2, 'repositories', repository, '_manifests');
  const revisions = await entries(join(manifestsDir, 'revisions', 'sha256'));
  const tagsByDigest = new Map<string, string[]>();
  for (const tag of await entries(join(manifestsDir, 'tags'))) {
    const digest = await readFile(join(manifestsDir, 'tags', tag, 'current', 'link'), 'utf8').catch(() => undefined);
    if (digest !== undefined) tagsByDigest.set(digest, [...(tagsByDigest.get(digest) ?? []), tag].sort());
  }
  const manifests: StoredManifest[] = [];
  for (const hex of revisions) {
    const digest = `sha256:${hex}`;
    const link = join(manifestsDir, 'revisions', 'sha256', hex, 'link');
    const storedAt = await stat(link).then((info) => info.mtime, () => undefined);
    if (!storedAt) continue;
    const body = await readBlobJson(storageDir, digest);
    const childDigests = (body.manifests ?? []).map((child) => child.digest);
    const sizeBytes = childDigests.length > 0 ? await childrenSize(storageDir, childDigests) : manifestSize(body);
    manifests.push({ digest, mediaType: body.mediaType, tags: tagsByDigest.get(digest) ?? [], storedAt, childDigests, sizeBytes });
  }
  return manifests.sort((a, b) => a.storedAt.getTime() - b.storedAt.getTime() || a.digest.localeCompare(b.digest));
}

/**
 * Removes a tag from a repository's storage, as registries with a tag-deletion API do; the
 * manifest stays. Distribution 2.8 has no tag deletion of its own. Answers false when there was no such tag.
 */
export async function removeStoredTag(storageDir: string, repository: string, tag: string): Promise<boolean> {
  const dir = join(storageDir, V2, 'repositories', repository, '_manifests', 'tags', tag);
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

async function readBlobJson(storageDir: string, digest: string): Promise<ManifestBody> {
  const hex = digest.slice('sha256:'.length);
  const text = await readFile(join(storageDir, V2, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'), 'utf8').catch(() => '{}');
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
  return readdir(dir).catch(() => []);
}
