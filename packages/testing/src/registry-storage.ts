import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

// Distribution's filesystem layout (storage driver "filesystem"). Its HTTP API cannot list
// untagged manifests nor delete a single tag (2.8 answers UNSUPPORTED), which fakes of cloud
// registry APIs (ECR's DescribeImages, ACR's tag deletion) need; they read and edit it here.

export interface StoredManifest {
  readonly digest: string;
  /** When the registry stored it (the revision link's modification time). */
  readonly storedAt: Date;
}

export interface StoredRepository {
  /** Every manifest the repository holds, tagged or not. */
  readonly manifests: readonly StoredManifest[];
  /** Tag → manifest digest. */
  readonly tags: ReadonlyMap<string, string>;
}

const repositoryDir = (storageDir: string, repository: string) => join(storageDir, 'docker/registry/v2/repositories', repository, '_manifests');

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
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

/** What a registry's storage holds for one repository; empty when it holds nothing. */
export async function readStoredRepository(storageDir: string, repository: string): Promise<StoredRepository> {
  const dir = repositoryDir(storageDir, repository);
  const manifests: StoredManifest[] = [];
  for (const algorithm of await entries(join(dir, 'revisions'))) {
    for (const hex of await entries(join(dir, 'revisions', algorithm))) {
      // A deleted manifest keeps its directory but loses its link.
      const link = await readLink(join(dir, 'revisions', algorithm, hex, 'link'));
      if (link) manifests.push(link);
    }
  }
  const tags = new Map<string, string>();
  for (const tag of await entries(join(dir, 'tags'))) {
    const link = await readLink(join(dir, 'tags', tag, 'current', 'link'));
    if (link) tags.set(tag, link.digest);
  }
  return { manifests: manifests.sort((a, b) => a.storedAt.getTime() - b.storedAt.getTime()), tags };
}

/** The paths of every repository the registry stores, e.g. `team/app`, sorted. */
export async function listStoredRepositories(storageDir: string): Promise<string[]> {
  const root = join(storageDir, 'docker/registry/v2/repositories');
  const found: string[] = [];
  async function walk(path: string): Promise<void> {
    const children = await entries(join(root, path));
    if (children.includes('_manifests')) found.push(path);
    for (const child of children) if (!child.startsWith('_')) await walk(path === '' ? child : `${path}/${child}`);
  }
  await walk('');
  return found.sort();
}

/** Removes one tag and leaves the manifest, as cloud registries' untag operations do. */
export async function removeStoredTag(storageDir: string, repository: string, tag: string): Promise<void> {
  await rm(join(repositoryDir(storageDir, repository), 'tags', tag), { recursive: true, force: true });
}
