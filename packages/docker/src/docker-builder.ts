import {
  type CallOptions,
  type ContainerRegistry,
  createContainerRegistry,
  defaultFlavor,
  dockerServerAddress,
  parseImageReference,
  type PushProgressEvent,
  type RegistryApi,
  RegistryKitError,
} from '@registrykit/core';
import type Dockerode from 'dockerode';
import { type BaseImageIdentity, CHECKSUM_LABEL, combineChecksum, hashContext } from './build-checksum.js';
import { contextTar } from './build-context.js';
import { type DockerBuildPlan, layoutBuildContext, planDockerfile } from './build-plan.js';
import { encodeDockerAuthConfig, toDockerAuthConfig, type DockerAuthConfig } from './docker-auth.js';
import { connectDocker, describeDockerHost, type DockerConnectionOptions } from './docker-client.js';
import { engineFailure, isAuthenticationMessage } from './docker-errors.js';
import { createDockerPusher } from './docker-pusher.js';
import { defaultHashCacheDirectory, type FileHashCache, openFileHashCache } from './file-hash-cache.js';
import type { ResolveDockerSettingsOptions } from './docker-settings.js';
import { type EngineMessage, EngineStreamError, readEngineStream } from './engine-stream.js';
import { buildImageNames } from './image-naming.js';

/** What a build reports while it runs, in the order it happens. */
export type BuildProgressEvent =
  /** The checksum of everything the image is built from. */
  | { readonly type: 'checksum'; readonly checksum: string; readonly files: number; readonly bytes: number }
  /** The registry already holds an image with this checksum: nothing is built or pushed. */
  | { readonly type: 'reused'; readonly image: string; readonly digest: string }
  /** The engine already holds an image with this checksum: it is pushed without building. */
  | { readonly type: 'cached'; readonly image: string; readonly imageId: string }
  /** The engine starts a Dockerfile step. */
  | { readonly type: 'step'; readonly step: number; readonly steps: number; readonly instruction: string }
  /** A line the engine printed while building (a step's output included). */
  | { readonly type: 'output'; readonly text: string }
  /** The engine pulls a base image. */
  | { readonly type: 'pull'; readonly message: string; readonly layer?: string | undefined }
  | { readonly type: 'built'; readonly imageId: string }
  | { readonly type: 'push'; readonly image: string; readonly event: PushProgressEvent }
  | { readonly type: 'pushed'; readonly image: string; readonly digest: string };

export interface DockerImageBuilderOptions extends DockerConnectionOptions {
  /**
   * More registries whose credentials pull base images from them. The registry built for is
   * always one; a base image under none of them is looked up with the docker config's
   * credentials for its host.
   */
  readonly registries?: readonly ContainerRegistry[] | undefined;
  /**
   * The registry API (e.g. `createOciClient()` from @registrykit/oci) used to look up the digests
   * of base images on hosts that no registry in `registries` covers, e.g. Docker Hub.
   */
  readonly registryApi?: RegistryApi | undefined;
  /** Where docker-config credentials are looked up for such hosts. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /**
   * Where the context files' hashes are remembered between builds, by size, mtime, ctime and
   * inode as git's index does, so an unchanged context is decided on without reading its files.
   * Default: `$XDG_CACHE_HOME/registrykit/file-hashes` (else `~/.cache/…`); `false` reads every file every time.
   */
  readonly hashCache?: string | false | undefined;
}

export interface BuildImageRequest extends CallOptions, ResolveDockerSettingsOptions {
  /** Where the image goes; its uri (and `defaultRepository`) name the image. */
  readonly registry: ContainerRegistry;
  /** DockerSettings, validated here. */
  readonly settings: unknown;
  /** Overrides `settings.repository`. */
  readonly repository?: string | undefined;
  /** Overrides `settings.tag`; sanitized to the tag grammar. */
  readonly tag?: string | undefined;
  /** `false` builds and pushes even when the registry already has an image with the checksum. Default true. */
  readonly reuse?: boolean | undefined;
  readonly onProgress?: ((event: BuildProgressEvent) => void) | undefined;
}

export interface BuildResult {
  /** `sha256:<hex>` of everything the image is built from; also its label and its checksum tag. */
  readonly checksum: string;
  /** `<uri>/<repository>:<tag>`. Pushed when the image was built; an earlier build's image is not retagged. */
  readonly image: string;
  /** `<uri>/<repository>:checksum-<hex>`, which the registry always holds after a build. */
  readonly checksumImage: string;
  /** The manifest digest in the registry. */
  readonly digest: string;
  /** `<uri>/<repository>@sha256:…`: what an orchestrator should pull. */
  readonly reference: string;
  /** True when the registry already held it: no build and no push happened. */
  readonly reused: boolean;
  /** The engine's image id, when this call built or found the image locally. */
  readonly imageId?: string | undefined;
  readonly dockerfile: string;
}

export interface DockerImageBuilder {
  readonly name: string;
  /**
   * Builds an image from DockerSettings through the engine and pushes it, unless the registry
   * already holds an image with the same checksum, whose digest is then returned.
   */
  build(request: BuildImageRequest): Promise<BuildResult>;
}

/** An image builder that drives a Docker engine (classic builder) through dockerode. */
export function createDockerImageBuilder(options: DockerImageBuilderOptions = {}): DockerImageBuilder {
  let client: Promise<Dockerode> | undefined;
  const dockerHost = describeDockerHost(options);
  const connect = () => (client ??= connectDocker(options));

  async function build(request: BuildImageRequest): Promise<BuildResult> {
    const notify = request.onProgress ?? (() => undefined);
    const dockerfilePlan = await planDockerfile(request.settings, request);
    const settings = dockerfilePlan.resolved.settings;
    const docker = await connect();
    const call = request.signal ? { signal: request.signal } : {};
    const registries = [request.registry, ...(options.registries ?? [])];
    // The engine and the registries are asked while the context is read and hashed.
    const lookups = Promise.all([
      settings.platform ?? enginePlatform(docker, dockerHost),
      Promise.all(dockerfilePlan.baseImages.map((image) => resolveBaseImage(docker, image, { registries, options, call, dockerHost }))),
    ]);
    lookups.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    const plan = await layoutBuildContext(dockerfilePlan);
    const hashCache = await openHashCache(plan, options);
    const contextHash = await hashContext(plan.entries, hashCache);
    await hashCache?.save();
    const [platform, bases] = await lookups;
    const checksum = combineChecksum({ settings, dockerfile: plan.dockerfile, platform, baseImages: bases, context: contextHash.digest });
    const { files, bytes } = contextHash;
    notify({ type: 'checksum', checksum, files, bytes });
    const names = buildImageNames(request.registry, { repository: request.repository ?? settings.repository, tag: request.tag ?? settings.tag, checksum });
    const result = { checksum, image: names.image, checksumImage: names.checksumImage, dockerfile: plan.dockerfile };

    if (request.reuse !== false) {
      const existing = await request.registry.getImageDigest(names.checksumImage, call);
      if (existing !== undefined) {
        notify({ type: 'reused', image: names.checksumImage, digest: existing });
        return { ...result, digest: existing, reference: `${names.repository}@${existing}`, reused: true };
      }
    }

    let imageId = await localImageWithChecksum(docker, names.checksumImage, checksum, dockerHost);
    if (imageId !== undefined) {
      notify({ type: 'cached', image: names.checksumImage, imageId });
      await docker.getImage(imageId).tag(tagOptions(names.image));
    } else {
      imageId = await runBuild(docker, plan, { request, names, checksum, platform, bases, registries, dockerHost, notify });
    }

    const pusher = createDockerPusher({ docker });
    let digest = '';
    // The checksum tag goes last: once the registry has it, a later build skips, so every
    // other tag must already be there.
    for (const image of [names.image, names.checksumImage]) {
      const pushed = await request.registry.pushImage(image, { ...call, pusher, onProgress: (event) => notify({ type: 'push', image, event }) });
      notify({ type: 'pushed', image, digest: pushed.digest });
      digest = pushed.digest;
    }
    return { ...result, digest, reference: `${names.repository}@${digest}`, reused: false, imageId };
  }

  return { name: 'docker-engine', build };
}

function openHashCache(plan: DockerBuildPlan, options: DockerImageBuilderOptions): Promise<FileHashCache> | undefined {
  const contextRoot = plan.resolved.contextRoot;
  if (options.hashCache === false || contextRoot === undefined) return undefined;
  return openFileHashCache(options.hashCache ?? defaultHashCacheDirectory(options.env), contextRoot);
}

interface BaseImage extends BaseImageIdentity {
  /** The registry it is pulled from; undefined for an image only the engine has. */
  readonly registry: ContainerRegistry | undefined;
}

interface BaseImageContext {
  readonly registries: readonly ContainerRegistry[];
  readonly options: DockerImageBuilderOptions;
  readonly call: CallOptions;
  readonly dockerHost: string;
}

/**
 * What pins a base image: an image the engine has without any repo digest was built or
 * imported locally and is identified by its image id (it is not pulled, as ZenML decides);
 * any other is looked up in its registry, whose digest then goes into the checksum.
 */
async function resolveBaseImage(docker: Dockerode, image: string, context: BaseImageContext): Promise<BaseImage> {
  const local = await inspectImage(docker, image, context.dockerHost);
  if (local && (local.RepoDigests ?? []).length === 0) return { image, identity: local.Id, registry: undefined };
  const registry = registryFor(image, context);
  const pinned = parseImageReference(image).digest;
  if (pinned !== undefined) return { image, identity: pinned, registry };
  let digest: string | undefined;
  try {
    digest = await registry.getImageDigest(image, context.call);
  } catch (error) {
    if (!RegistryKitError.hasCode(error, 'UNSUPPORTED')) throw error;
    throw new RegistryKitError(
      'UNSUPPORTED',
      `Cannot look up the digest of the base image "${image}": pass \`registryApi: createOciClient()\` (from @registrykit/oci) to createDockerImageBuilder, or a registry covering it in \`registries\`.`,
      { cause: error, details: { image } },
    );
  }
  if (digest === undefined) {
    throw new RegistryKitError('NOT_FOUND', `The base image "${image}" does not exist in ${registry.uri}: push it first, or fix "parentImage"/the Dockerfile's FROM.`, {
      details: { image, registry: registry.name },
    });
  }
  return { image, identity: digest, registry };
}

// The registry that covers the image, else one for its host that borrows the credentials of
// a registry on the same host, else falls back to the docker config.
function registryFor(image: string, context: BaseImageContext): ContainerRegistry {
  const owner = context.registries.find((registry) => registry.isValidImageNameForRegistry(image));
  if (owner) return owner;
  const host = parseImageReference(image).registry;
  const sameHost = context.registries.find((registry) => registry.host === host);
  return createContainerRegistry({
    flavor: defaultFlavor,
    name: `base images on ${host}`,
    config: { uri: host },
    registryApi: context.options.registryApi,
    credentials: sameHost ? () => sameHost.credentials() : undefined,
    env: context.options.env,
  });
}

interface RunBuildContext {
  readonly request: BuildImageRequest;
  readonly names: { readonly image: string; readonly checksumImage: string };
  readonly checksum: string;
  readonly platform: string;
  readonly bases: readonly BaseImage[];
  readonly registries: readonly ContainerRegistry[];
  readonly dockerHost: string;
  readonly notify: (event: BuildProgressEvent) => void;
}

/** Sends the context, follows the engine's stream to its end, and tags the result; answers the image id. */
async function runBuild(docker: Dockerode, plan: DockerBuildPlan, context: RunBuildContext): Promise<string> {
  const { request, names, notify } = context;
  const settings = plan.resolved.settings;
  const pulled = context.bases.filter((base) => base.registry !== undefined);
  const tracker = new BuildTracker(notify);
  const action = `building ${names.image}`;
  const credentials = await registryConfig(context);
  const hadCredentials = Object.keys(credentials).length > 0;
  const contextStream = contextTar(plan.entries);
  try {
    const stream = await docker.buildImage(contextStream, {
      version: '1',
      dockerfile: plan.dockerfilePath,
      t: names.image,
      labels: { ...settings.labels, [CHECKSUM_LABEL]: context.checksum },
      buildargs: { ...settings.buildArgs },
      ...(settings.platform ? { platform: settings.platform } : {}),
      ...(settings.target ? { target: settings.target } : {}),
      // Registry images are pulled, so a stale local copy of a re-pushed tag is never built
      // on; a Dockerfile that also uses engine-only images cannot pull, and uses local copies.
      pull: pulled.length > 0 && pulled.length === context.bases.length,
      rm: true,
      forcerm: true,
      registryconfig: { base64: encodeDockerAuthConfig(credentials) } as unknown as Dockerode.RegistryConfig,
      ...(request.signal ? { abortSignal: request.signal } : {}),
    });
    await readEngineStream(stream, (message) => tracker.handle(message));
  } catch (error) {
    // dockerode stops reading the context when the request fails, but leaves it open.
    contextStream.destroy();
    throw buildFailure(error, { tracker, action, image: names.image, hadCredentials, dockerHost: context.dockerHost, registryHost: request.registry.host, signal: request.signal });
  }
  const imageId = tracker.imageId ?? (await docker.getImage(names.image).inspect()).Id;
  notify({ type: 'built', imageId });
  await docker.getImage(imageId).tag(tagOptions(names.checksumImage));
  return imageId;
}

/**
 * `X-Registry-Config`: the credentials of every registry a base image is pulled from, and of
 * the registry built for, keyed by server address. The engine decodes it as base64url and
 * ignores it silently when it cannot, so it is encoded like `X-Registry-Auth`.
 */
async function registryConfig(context: RunBuildContext): Promise<Record<string, DockerAuthConfig>> {
  const config: Record<string, DockerAuthConfig> = {};
  const sources = [context.request.registry, ...context.bases.flatMap((base) => (base.registry ? [base.registry] : []))];
  for (const registry of sources) {
    const key = dockerServerAddress(registry.host);
    if (config[key]) continue;
    const credentials = await registry.credentials();
    if (credentials) config[key] = toDockerAuthConfig(credentials, registry.host);
  }
  return config;
}

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;
const OUTPUT_KEPT = 60;
const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;
// The builder's own bookkeeping lines, left out of a failed step's output.
const BOOKKEEPING = /^ ---> |^Removing intermediate container /;

/** Turns the classic builder's stream into events, remembering the current step and its output. */
class BuildTracker {
  step: { step: number; steps: number; instruction: string } | undefined;
  output: string[] = [];
  imageId: string | undefined;
  private partial = '';

  constructor(private readonly notify: (event: BuildProgressEvent) => void) {}

  handle(message: EngineMessage): void {
    if (typeof message.aux?.['ID'] === 'string') this.imageId = message.aux['ID'];
    if (message.stream !== undefined) {
      const lines = (this.partial + message.stream).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) this.line(line.replace(/\r$/, ''));
    } else if (message.status !== undefined) {
      this.notify({ type: 'pull', message: message.status, layer: message.id });
    }
  }

  private line(raw: string): void {
    // The engine paints a step's stderr red with ANSI escapes.
    const text = raw.replace(ANSI_ESCAPE, '');
    const step = STEP.exec(text);
    if (step) {
      this.step = { step: Number(step[1]), steps: Number(step[2]), instruction: step[3]! };
      this.output = [];
      this.notify({ type: 'step', ...this.step });
      return;
    }
    this.output.push(text);
    if (this.output.length > OUTPUT_KEPT) this.output.shift();
    this.notify({ type: 'output', text });
  }
}

function buildFailure(
  error: unknown,
  context: { tracker: BuildTracker; action: string; image: string; hadCredentials: boolean; dockerHost: string; registryHost: string; signal: AbortSignal | undefined },
): RegistryKitError {
  const { tracker } = context;
  if (!(error instanceof EngineStreamError)) {
    const { action, registryHost, hadCredentials, dockerHost, signal } = context;
    return engineFailure(error, { action, registryHost, hadCredentials, dockerHost, signal, failureCode: 'BUILD_FAILED' });
  }
  const step = tracker.step;
  const atStep = step ? ` at step ${step.step}/${step.steps} (${step.instruction})` : '';
  const pulling = step === undefined || /^(FROM|COPY --from)/i.test(step.instruction);
  if (pulling && isAuthenticationMessage(error.message)) {
    return new RegistryKitError(
      'AUTHENTICATION_FAILED',
      `Building ${context.image} failed${atStep}: a registry refused to let the engine pull a base image: ${error.message}. ` +
        'Give the registry that holds it credentials (a connector, credentials, or `docker login`), and pass it in `registries` when it is not the one built for.',
      { cause: error, details: { step: step?.step, instruction: step?.instruction } },
    );
  }
  const output = tracker.output.filter((line) => line.trim().length > 0 && !BOOKKEEPING.test(line));
  const shown = output.length > 0 ? `\nOutput of the step:\n${output.map((line) => `  ${line}`).join('\n')}` : '';
  return new RegistryKitError('BUILD_FAILED', `Building ${context.image} failed${atStep}: ${error.message}${shown}`, {
    cause: error,
    details: { step: step?.step, steps: step?.steps, instruction: step?.instruction, output: output.join('\n') },
  });
}

async function enginePlatform(docker: Dockerode, dockerHost: string): Promise<string> {
  try {
    const version = await docker.version();
    return `${version.Os}/${version.Arch}`;
  } catch (error) {
    throw engineFailure(error, { action: 'asking the engine for its platform', registryHost: '', hadCredentials: false, dockerHost, failureCode: 'BUILD_FAILED' });
  }
}

async function inspectImage(docker: Dockerode, image: string, dockerHost: string): Promise<Dockerode.ImageInspectInfo | undefined> {
  try {
    return await docker.getImage(image).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw engineFailure(error, { action: `inspecting ${image}`, registryHost: '', hadCredentials: false, dockerHost, failureCode: 'BUILD_FAILED' });
  }
}

async function localImageWithChecksum(docker: Dockerode, image: string, checksum: string, dockerHost: string): Promise<string | undefined> {
  const info = await inspectImage(docker, image, dockerHost);
  return info?.Config?.Labels?.[CHECKSUM_LABEL] === checksum ? info.Id : undefined;
}

function tagOptions(image: string): { repo: string; tag: string } {
  const reference = parseImageReference(image);
  return { repo: `${reference.registry}/${reference.repository}`, tag: reference.tag! };
}
