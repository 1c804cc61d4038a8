import type { RegistryCredentials } from './credentials/registry-credentials.js';
import type { ImageReference } from './image-reference.js';

export type LayerStatus = 'preparing' | 'waiting' | 'uploading' | 'pushed' | 'exists' | 'mounted';

/** What a push reports while it runs. */
export type PushProgressEvent =
  | {
      readonly type: 'layer';
      /** The layer's short id or digest. */
      readonly layer: string;
      readonly status: LayerStatus;
      /** Bytes done and in all, when the engine reports them (not every registry makes them reliable). */
      readonly current?: number | undefined;
      readonly total?: number | undefined;
    }
  | { readonly type: 'message'; readonly message: string };

export interface ImagePushRequest {
  /** Where the image goes: a full reference with a tag. */
  readonly image: ImageReference;
  /** Credentials for the target registry, or undefined for anonymous access. */
  readonly credentials: RegistryCredentials | undefined;
  /** A local image to tag as `image` before pushing; without it `image` itself must exist locally. */
  readonly source?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((event: PushProgressEvent) => void) | undefined;
}

export interface PushResult {
  /** The name pushed, `registry/repository:tag`. */
  readonly image: string;
  /** The manifest digest the registry stored, `sha256:…`. */
  readonly digest: string;
  /** The immutable reference to hand to an orchestrator: `registry/repository@sha256:…`. */
  readonly reference: string;
  /** The manifest size in bytes, when known. */
  readonly size?: number | undefined;
}

/**
 * Moves an image into a registry. Engines implement it: the Docker engine in
 * `@registrykit/docker`, a daemonless push in `@registrykit/oci`.
 */
export interface ImagePusher {
  /** A short name for messages, e.g. `docker-engine`. */
  readonly name: string;
  /** Resolves once the registry holds the manifest; rejects with a RegistryKitError otherwise. */
  push(request: ImagePushRequest): Promise<PushResult>;
}
