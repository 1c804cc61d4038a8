export { createOciClient, type OciClient, type OciClientOptions, type PushBlobRequest } from './oci-client.js';
export { bufferBlob, fileBlob, type BlobSource } from './blob-source.js';
export type { BlobPushStatus, UploadMode } from './blob-upload.js';
export type { FetchedManifest, ManifestHead } from './manifest-requests.js';
export { MANIFEST_ACCEPT, MEDIA_TYPES, parseManifest, sha256Digest, type Descriptor, type ManifestBytes, type ParsedManifest } from './manifests.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
export type { TokenGrant } from './token-request.js';
export { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.js';
