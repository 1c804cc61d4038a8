import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  formatImageReference,
  type ImagePusher,
  imageRepositoryName,
  type ImageSummary,
  type RegistryApi,
  type RegistryCredentials,
  RegistryKitError,
} from '@registrykit/core';

// The parts a component is given, made of skopeo, for the kit's own live checks: this package
// cannot use @registrykit/docker or @registrykit/oci (they test with it), and skopeo is a
// registry client that owes nothing to registrykit.

const run = promisify(execFile);

function credentialFlags(credentials: RegistryCredentials | undefined, flag: string): string[] {
  if (credentials === undefined) return [];
  if (credentials.type === 'basic') return [flag, `${credentials.username}:${credentials.password}`];
  if (credentials.type === 'bearer') return [flag.replace('creds', 'registry-token'), credentials.token];
  throw new RegistryKitError('UNSUPPORTED', 'skopeo takes a username and password or a bearer token, not an identity token.');
}

async function skopeo(args: readonly string[]): Promise<Buffer> {
  try {
    const { stdout } = await run('skopeo', args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
    throw new RegistryKitError('REGISTRY_ERROR', `skopeo ${args[0]} failed: ${stderr.trim()}`, { cause: error });
  }
}

const missing = (error: unknown) => RegistryKitError.isInstance(error) && /manifest unknown|name unknown|not found/i.test(error.message);

/** Pushes with `skopeo copy <source> docker://<image>`, e.g. from `createTestOciLayout().source`. */
export function skopeoPusher(): ImagePusher {
  return {
    name: 'skopeo',
    async push({ image, credentials, source }) {
      if (!source) throw new RegistryKitError('INVALID_ARGUMENT', 'The skopeo pusher copies from a source such as oci:<dir>:<tag>.');
      const work = await mkdtemp(join(tmpdir(), 'rk-skopeo-push-'));
      try {
        const target = formatImageReference(image);
        const digestFile = join(work, 'digest');
        await skopeo(['copy', '--dest-tls-verify=false', ...credentialFlags(credentials, '--dest-creds'), '--digestfile', digestFile, source, `docker://${target}`]);
        const digest = (await readFile(digestFile, 'utf8')).trim();
        return { image: target, digest, reference: `${imageRepositoryName(image)}@${digest}` };
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}

/** The registry API through skopeo: digests (`inspect --raw`), tags (`list-tags`), deletion (`delete`). */
export function skopeoRegistryApi(): RegistryApi {
  const api: RegistryApi = {
    async checkCredentials(registryHost, { credentials }) {
      const work = await mkdtemp(join(tmpdir(), 'rk-skopeo-login-'));
      try {
        const login = credentials?.type === 'basic' ? ['--username', credentials.username, '--password', credentials.password] : [];
        await skopeo(['login', '--tls-verify=false', '--authfile', join(work, 'auth.json'), ...login, registryHost]);
      } catch (error) {
        throw new RegistryKitError('AUTHENTICATION_FAILED', `${registryHost} refused the credentials.`, { cause: error });
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
    async getManifestDigest(image, { credentials }) {
      try {
        const manifest = await skopeo(['inspect', '--raw', '--tls-verify=false', ...credentialFlags(credentials, '--creds'), `docker://${formatImageReference(image)}`]);
        return `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },
    async listTags(repository, { credentials }) {
      try {
        const listing = await skopeo(['list-tags', '--tls-verify=false', ...credentialFlags(credentials, '--creds'), `docker://${imageRepositoryName(repository)}`]);
        return (JSON.parse(listing.toString('utf8')) as { Tags: string[] }).Tags;
      } catch (error) {
        if (missing(error)) return [];
        throw error;
      }
    },
    async listImages(repository, request) {
      const images = new Map<string, string[]>();
      for (const tag of await api.listTags(repository, request)) {
        const digest = await api.getManifestDigest({ ...repository, tag }, request);
        if (digest) images.set(digest, [...(images.get(digest) ?? []), tag]);
      }
      return [...images].map(([digest, tags]): ImageSummary => ({ digest, tags }));
    },
    async deleteImage(image, { credentials }) {
      const reference = formatImageReference(image);
      await skopeo(['delete', '--tls-verify=false', ...credentialFlags(credentials, '--creds'), `docker://${reference}`]);
      return { deleted: [reference], failures: [] };
    },
  };
  return api;
}
