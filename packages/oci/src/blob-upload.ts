import { RegistryKitError } from '@registrykit/core';
import type { BlobSource } from './blob-source.js';
import type { HttpResponse } from './http-transport.js';
import { type RegistryCall, type RegistryHttp, type RegistryRequest, repositoryScope } from './registry-http.js';
import { responseFailure } from './registry-errors.js';
import { isRetryableError, isRetryableStatus, parseRetryAfter, retryDelay, sleep } from './retry.js';

/**
 * How a blob's bytes go up: one `PUT ?digest=` with the whole body (`monolithic`, the default:
 * two requests per blob); one streamed `PATCH` then `PUT` (`streamed`); or `PATCH`es of
 * `chunkSize` bytes with `Content-Range`, then `PUT` (`chunked`, for registries or proxies
 * that limit request bodies). Whatever the mode, an interrupted upload resumes in chunks from
 * the offset the registry reports, or starts a new session when the registry lost the old one.
 */
export type UploadMode = 'monolithic' | 'streamed' | 'chunked';

/** What pushing a blob did: nothing (it was there), a cross-repository mount, or an upload. */
export type BlobPushStatus = 'exists' | 'mounted' | 'uploaded';

export interface PushBlobOptions {
  readonly mode: UploadMode;
  readonly chunkSize: number;
  /** Repositories on the same registry that may hold the blob already; it is mounted from the first that does. */
  readonly mountFrom?: readonly string[] | undefined;
  /** The caller already knows the blob is missing (skips the HEAD). */
  readonly knownMissing?: boolean | undefined;
  /** Bytes sent so far of the blob's size. */
  readonly onProgress?: ((sent: number) => void) | undefined;
}

/** True when the repository holds the blob (HEAD 200); false on 404. */
export async function blobExists(http: RegistryHttp, call: RegistryCall, repository: string, digest: string, scopes = [repositoryScope(repository, 'pull')]): Promise<boolean> {
  const request: RegistryRequest = { method: 'HEAD', target: `/v2/${repository}/blobs/${digest}`, scopes, action: `checking for blob ${digest} in ${call.registry}/${repository}` };
  const response = await http.expect(call, request, [200, 404]);
  await response.discard();
  return response.status === 200;
}

/** Makes the blob present in the repository: HEAD, then a mount, then an upload (resumed on interruption). */
export async function pushBlob(http: RegistryHttp, call: RegistryCall, repository: string, blob: BlobSource, options: PushBlobOptions): Promise<BlobPushStatus> {
  const push = [repositoryScope(repository, 'pull,push')];
  const action = `uploading blob ${blob.digest} to ${call.registry}/${repository}`;
  if (!options.knownMissing && (await blobExists(http, call, repository, blob.digest, push))) return 'exists';
  let session: URL | undefined;
  for (const from of options.mountFrom ?? []) {
    if (from === repository) continue;
    const target = `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(from)}`;
    const response = await http.send(call, { method: 'POST', target, scopes: [...push, repositoryScope(from, 'pull')], action: `mounting blob ${blob.digest} from ${from}` });
    const location = response.header('location');
    await response.discard();
    if (response.status === 201) return 'mounted';
    // 202: the registry declined the mount but opened an upload session; use it rather than leave it dangling.
    if (response.status === 202 && location !== undefined) {
      session = new URL(location, response.url);
      break;
    }
    // Anything else (an old registry, no access to `from`): upload normally.
  }

  const upload = new BlobUpload(http, call, repository, blob, options, action);
  await upload.run(session);
  return 'uploaded';
}

/** A failed upload step; `recoverable` says whether resuming or restarting may help. */
class UploadStepError extends Error {
  constructor(
    readonly failure: RegistryKitError,
    readonly recoverable: boolean,
    readonly retryAfterMs: number | undefined,
  ) {
    super(failure.message);
  }
}

// Codes with which a registry says the session or its bytes are unusable: start over.
const RESTART_CODES = new Set(['BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'SIZE_INVALID', 'RANGE_INVALID']);

class BlobUpload {
  #chunkSize: number;

  constructor(
    private readonly http: RegistryHttp,
    private readonly call: RegistryCall,
    private readonly repository: string,
    private readonly blob: BlobSource,
    private readonly options: PushBlobOptions,
    private readonly action: string,
  ) {
    this.#chunkSize = options.chunkSize;
  }

  async run(initialSession: URL | undefined): Promise<void> {
    let session = initialSession;
    let offset = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        session ??= await this.#start();
        if (offset === 0 && this.options.mode === 'monolithic') {
          await this.#step('PUT', commitUrl(session, this.blob.digest), 0, this.blob.size, false, [201]);
          return;
        }
        if (offset === 0 && this.options.mode === 'streamed') {
          session = locationOf(await this.#step('PATCH', session, 0, this.blob.size, false, [202, 201]), session);
        } else {
          while (offset < this.blob.size) {
            const end = Math.min(this.blob.size, offset + this.#chunkSize);
            const response = await this.#step('PATCH', session, offset, end, true, [202, 201]);
            session = locationOf(response, session);
            offset = rangeEnd(response.header('range')) ?? end;
          }
        }
        await this.#step('PUT', commitUrl(session, this.blob.digest), 0, 0, false, [201]);
        return;
      } catch (error) {
        if (!(error instanceof UploadStepError)) throw error;
        if (!error.recoverable || attempt >= this.http.policy.maxAttempts || this.call.signal?.aborted) throw error.failure;
        await sleep(retryDelay(this.http.policy, attempt, error.retryAfterMs), this.call.signal);
        // The answer to a commit can be lost after the registry stored the blob.
        if (await blobExists(this.http, this.call, this.repository, this.blob.digest, [repositoryScope(this.repository, 'pull,push')])) return;
        const status = session ? await this.#status(session) : undefined;
        session = status?.session;
        offset = status?.offset ?? 0;
      }
    }
  }

  /** POST: a new upload session. */
  async #start(): Promise<URL> {
    const response = await this.#send({ method: 'POST', target: `/v2/${this.repository}/blobs/uploads/` }, [202]);
    const minimum = Number(response.header('oci-chunk-min-length'));
    if (Number.isInteger(minimum) && minimum > this.#chunkSize) this.#chunkSize = minimum;
    return locationOf(response, undefined);
  }

  /** Sends bytes `start`..`end` (none for a commit) to `url`. */
  #step(method: 'PUT' | 'PATCH', url: URL, start: number, end: number, withRange: boolean, expected: readonly number[]): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (withRange) headers['content-range'] = `${start}-${end - 1}`;
    const body = end > start ? { length: end - start, open: () => this.blob.open(start, end) } : undefined;
    return this.#send({ method, target: url, headers, body, onBodyProgress: (sent) => this.options.onProgress?.(start + sent) }, expected);
  }

  /** The registry's view of an interrupted session (GET → 204 with `Range`), or undefined when it lost it. */
  async #status(session: URL): Promise<{ session: URL; offset: number } | undefined> {
    try {
      const response = await this.#send({ method: 'GET', target: session }, [204]);
      return { session: locationOf(response, session), offset: rangeEnd(response.header('range')) ?? 0 };
    } catch (error) {
      if (error instanceof UploadStepError) return undefined;
      throw error;
    }
  }

  async #send(request: Pick<RegistryRequest, 'method' | 'target' | 'headers' | 'body' | 'onBodyProgress'>, expected: readonly number[]): Promise<HttpResponse> {
    const full: RegistryRequest = { ...request, scopes: [repositoryScope(this.repository, 'pull,push')], action: this.action, retry: false, followRedirects: false };
    let response: HttpResponse;
    try {
      response = await this.http.send(this.call, full);
    } catch (error) {
      const cause = RegistryKitError.isInstance(error) ? error.cause : error;
      if (RegistryKitError.isInstance(error) && error.code !== 'REGISTRY_ERROR') throw error;
      throw new UploadStepError(error as RegistryKitError, isRetryableError(cause), undefined);
    }
    if (expected.includes(response.status)) {
      await response.discard();
      return response;
    }
    const retryAfter = parseRetryAfter(response.header('retry-after'));
    const failure = await responseFailure(response, this.http.context(this.call, this.action));
    const codes = (failure.details['errors'] as string[] | undefined) ?? [];
    const recoverable =
      (isRetryableStatus(response.status) && (retryAfter === undefined || retryAfter <= this.http.policy.maxRetryAfterMs)) ||
      response.status === 416 ||
      codes.some((code) => RESTART_CODES.has(code));
    throw new UploadStepError(failure, recoverable, retryAfter);
  }
}

function locationOf(response: HttpResponse, fallback: URL | undefined): URL {
  const location = response.header('location');
  if (location !== undefined) return new URL(location, response.url);
  if (fallback) return fallback;
  throw new RegistryKitError('REGISTRY_ERROR', `The registry opened an upload session at ${response.url.host} without a Location header.`);
}

function commitUrl(session: URL, digest: string): URL {
  const url = new URL(session);
  url.searchParams.set('digest', digest);
  return url;
}

/**
 * `Range: 0-N` → N + 1, the next offset. Distribution says `0-0` both for nothing and for one
 * byte received, so `0-0` counts as nothing: resending one byte is harmless, skipping one is not.
 */
function rangeEnd(range: string | undefined): number | undefined {
  const match = /^(?:bytes=)?(\d+)-(-?\d+)$/.exec(range?.trim() ?? '');
  if (!match) return undefined;
  const last = Number(match[2]);
  return last <= 0 ? 0 : last + 1;
}
