import { randomBytes } from 'node:crypto';
import { type ContainerRegistry, createContainerRegistry, parseImageReference, type PushResult } from '@registrykit/core';
import { skopeoInspect, type SkopeoOptions } from '../skopeo.js';
import type { AnyFlavor } from './components.js';
import type { ConformanceTestApi, FlavorCapabilities, LiveConformanceOptions, LiveConformanceTarget } from './conformance-options.js';
import { describeError, expectNoProblems, outcome } from './error-reports.js';

interface PushedImage {
  readonly image: string;
  readonly tag: string;
  /** `<uri>/<repository>`, as listTags and listImages take it. */
  readonly repository: string;
  readonly result: PushResult;
}

/** A running registry's component, and pushes of fresh images through it. */
class LiveSession {
  private firstPush: Promise<PushedImage> | undefined;

  constructor(
    readonly target: LiveConformanceTarget,
    readonly registry: ContainerRegistry,
  ) {}

  get repository(): string {
    return `${this.registry.uri}/${this.target.repository ?? this.registry.defaultRepository ?? 'conformance'}`;
  }

  /** One image pushed for every check that only reads. */
  pushedImage(): Promise<PushedImage> {
    return (this.firstPush ??= this.push('conformance'));
  }

  async push(prefix: string): Promise<PushedImage> {
    const tag = `${prefix}-${randomBytes(4).toString('hex')}`;
    const image = `${this.repository}:${tag}`;
    const source = await this.target.createImage(image);
    const result = await this.registry.pushImage(image, { source });
    return { image, tag, repository: this.repository, result };
  }

  async skopeoOptions(): Promise<SkopeoOptions> {
    if (this.target.skopeo) return this.target.skopeo;
    const credentials = await this.registry.credentials();
    return credentials?.type === 'basic' ? { credentials: { username: credentials.username, password: credentials.password } } : {};
  }
}

/** Runs `check` on the pushed image, or reports why there is none. */
async function withPushedImage(session: LiveSession, check: (pushed: PushedImage) => Promise<string[]>): Promise<string[]> {
  const pushed = await outcome(() => session.pushedImage());
  if (pushed.threw) return [`pushing a fresh image to ${session.repository} failed: ${describeError(pushed.error)}`];
  return check(pushed.value);
}

/** Registers the checks against a running registry: a push end to end, then every declared capability. */
export function registerLiveChecks(api: ConformanceTestApi, flavor: AnyFlavor, live: LiveConformanceOptions, capabilities: FlavorCapabilities): void {
  const { beforeAll, afterAll } = api;
  if (!beforeAll || !afterAll) {
    throw new TypeError('runFlavorConformance: live checks need `beforeAll` and `afterAll` among the test functions, to start and stop the registry.');
  }
  let started: LiveSession | undefined;
  const current = (): LiveSession => {
    if (!started) throw new Error('The live target did not start; see the error of live.start().');
    return started;
  };
  const check = (name: string, run: (session: LiveSession) => Promise<string[]>) =>
    api.it(name, async () => {
      expectNoProblems(api.expect, `${flavor.id}: ${name}`, await run(current()));
    });

  api.describe('against a running registry', () => {
    beforeAll(async () => {
      const target = await live.start();
      const registry = createContainerRegistry({
        flavor,
        config: target.config,
        name: `conformance-${flavor.id}`,
        pusher: target.pusher,
        registryApi: target.registryApi,
        connector: target.connector,
        credentials: target.credentials,
        dockerCredentials: false,
        env: target.env ?? {},
      });
      started = new LiveSession(target, registry);
    });
    afterAll(async () => {
      await started?.target.stop();
    });

    check('pushes an image end to end, and reads the digest skopeo sees', (session) =>
      withPushedImage(session, async ({ image, repository, result }) => {
        const problems: string[] = [];
        if (!/^sha256:[0-9a-f]{64}$/.test(result.digest)) problems.push(`pushImage("${image}") answered the digest "${result.digest}", not sha256:<64 hex>.`);
        if (result.reference !== `${repository}@${result.digest}`) problems.push(`pushImage("${image}") answered the reference "${result.reference}", not "${repository}@${result.digest}".`);
        const seen = await outcome(async () => skopeoInspect(image, await session.skopeoOptions()));
        if (seen.threw) problems.push(`skopeo cannot inspect the pushed ${image}: ${describeError(seen.error)}`);
        else if (seen.value.Digest !== result.digest) problems.push(`skopeo sees ${image} at ${seen.value.Digest}, but the push answered ${result.digest}.`);
        const missing = `${repository}:never-pushed-${randomBytes(4).toString('hex')}`;
        const lookups: [string, string | undefined][] = [
          [image, result.digest],
          [`${repository}@${result.digest}`, result.digest],
          [missing, undefined],
        ];
        for (const [name, expected] of lookups) {
          const digest = await outcome(() => session.registry.getImageDigest(name));
          if (digest.threw) problems.push(`getImageDigest("${name}") threw ${describeError(digest.error)}.`);
          else if (digest.value !== expected) problems.push(`getImageDigest("${name}") is ${String(digest.value)}, not ${String(expected)}.`);
        }
        return problems;
      }),
    );

    if (capabilities.listTags) {
      check('lists the tags of a pushed image', (session) =>
        withPushedImage(session, async ({ repository, tag }) => {
          const tags = await outcome(() => session.registry.listTags(repository));
          if (tags.threw) return [`listTags("${repository}") threw ${describeError(tags.error)}.`];
          return tags.value.includes(tag) ? [] : [`listTags("${repository}") is ${JSON.stringify(tags.value)}, without the pushed tag "${tag}".`];
        }),
      );
    }

    if (capabilities.listImages) {
      check('lists a pushed image with its digest and tag', (session) =>
        withPushedImage(session, async ({ repository, tag, result }) => {
          const images = await outcome(() => session.registry.listImages(repository));
          if (images.threw) return [`listImages("${repository}") threw ${describeError(images.error)}.`];
          const found = images.value.find((summary) => summary.digest === result.digest);
          if (!found) return [`listImages("${repository}") has no image ${result.digest}: ${JSON.stringify(images.value.map((summary) => summary.digest))}.`];
          return found.tags.includes(tag) ? [] : [`listImages("${repository}") lists ${result.digest} with the tags ${JSON.stringify(found.tags)}, without "${tag}".`];
        }),
      );
    }

    if (capabilities.listRepositories) {
      check('lists the repository of a pushed image', (session) =>
        withPushedImage(session, async ({ image }) => {
          const reference = parseImageReference(image);
          const wanted = `${session.registry.host}/${reference.repository}`;
          const repositories = await outcome(() => session.registry.listRepositories());
          if (repositories.threw) return [`listRepositories() threw ${describeError(repositories.error)}.`];
          return repositories.value.includes(wanted) ? [] : [`listRepositories() is ${JSON.stringify(repositories.value)}, without "${wanted}".`];
        }),
      );
    }

    if (capabilities.deleteImage) {
      check('deletes a pushed image by digest', async (session) => {
        const pushed = await outcome(() => session.push('conformance-delete'));
        if (pushed.threw) return [`pushing a fresh image to delete failed: ${describeError(pushed.error)}`];
        const { image, repository, result } = pushed.value;
        const byDigest = `${repository}@${result.digest}`;
        const deleted = await outcome(() => session.registry.deleteImage(byDigest));
        if (deleted.threw) return [`deleteImage("${byDigest}") threw ${describeError(deleted.error)}.`];
        const problems: string[] = [];
        if (deleted.value.failures.length > 0) problems.push(`deleteImage("${byDigest}") reported failures: ${JSON.stringify(deleted.value.failures)}.`);
        if (deleted.value.deleted.length === 0) problems.push(`deleteImage("${byDigest}") reported nothing deleted.`);
        const digest = await outcome(() => session.registry.getImageDigest(image));
        if (digest.threw || digest.value !== undefined) problems.push(`after deleteImage("${byDigest}"), getImageDigest("${image}") is ${digest.threw ? describeError(digest.error) : String(digest.value)}, not undefined.`);
        const seen = await outcome(async () => skopeoInspect(image, await session.skopeoOptions()));
        if (!seen.threw) problems.push(`after deleteImage("${byDigest}"), skopeo still finds ${image} at ${seen.value.Digest}.`);
        return problems;
      });
    }
  });
}
