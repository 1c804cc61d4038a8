import { chmod, cp, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeBuildChecksum } from './build-checksum.js';
import { planDockerBuild } from './build-plan.js';
import type { DockerSettings } from './docker-settings.js';

let workDir: string;
let original: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rk-checksum-'));
  original = join(workDir, 'checkout-a');
  await mkdir(join(original, 'src'), { recursive: true });
  await writeFile(join(original, 'src', 'main.py'), 'print("hello")\n');
  await writeFile(join(original, 'run.sh'), '#!/bin/sh\nexec python src/main.py\n');
  await chmod(join(original, 'run.sh'), 0o755);
  await writeFile(join(original, '.dockerignore'), '*.log\n');
  await writeFile(join(original, 'debug.log'), 'noise\n');
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const SETTINGS: DockerSettings = { parentImage: '127.0.0.1:5000/base:1', buildContextRoot: '.', environment: { MODE: 'prod' } };
const BASE = { image: '127.0.0.1:5000/base:1', identity: `sha256:${'a'.repeat(64)}` };

/** The checksum of `directory` built with `settings`, as the builder computes it. */
async function checksumOf(directory: string, settings: DockerSettings = SETTINGS, overrides: { platform?: string; identity?: string } = {}): Promise<string> {
  const plan = await planDockerBuild(settings, { root: directory });
  const baseImages = plan.baseImages.map((image) => ({ image, identity: overrides.identity ?? BASE.identity }));
  const { checksum } = await computeBuildChecksum({ settings: plan.resolved.settings, dockerfile: plan.dockerfile, platform: overrides.platform ?? 'linux/amd64', baseImages, entries: plan.entries });
  return checksum;
}

let copies = 0;
async function copyOf(source: string): Promise<string> {
  const target = join(workDir, `checkout-${++copies}`);
  await cp(source, target, { recursive: true });
  return target;
}

describe('computeBuildChecksum', () => {
  it('is the same for another checkout elsewhere, with other mtimes, umask and ignored files', async () => {
    const expected = await checksumOf(original);
    expect(expected).toMatch(/^sha256:[0-9a-f]{64}$/);
    const copy = await copyOf(original);
    await utimes(join(copy, 'src', 'main.py'), new Date('2001-02-03'), new Date('2001-02-03'));
    await chmod(join(copy, 'src', 'main.py'), 0o664);
    await chmod(join(copy, 'run.sh'), 0o775);
    await writeFile(join(copy, 'debug.log'), 'other noise\n');
    expect(await checksumOf(copy)).toBe(expected);
  });

  it('ignores the name the image gets', async () => {
    expect(await checksumOf(original, { ...SETTINGS, repository: 'team/other', tag: 'v2' })).toBe(await checksumOf(original));
  });

  it('changes with one byte of a file, a file added, an execute bit or a line ending', async () => {
    const expected = await checksumOf(original);
    const changes: Array<(copy: string) => Promise<unknown>> = [
      (copy) => writeFile(join(copy, 'src', 'main.py'), 'print("hellO")\n'),
      (copy) => writeFile(join(copy, 'src', 'extra.py'), ''),
      (copy) => chmod(join(copy, 'run.sh'), 0o644),
      (copy) => writeFile(join(copy, 'src', 'main.py'), 'print("hello")\r\n'),
      (copy) => mkdir(join(copy, 'empty')),
    ];
    const seen = new Set([expected]);
    for (const change of changes) {
      const copy = await copyOf(original);
      await change(copy);
      seen.add(await checksumOf(copy));
    }
    expect(seen.size).toBe(changes.length + 1);
  });

  it('fails with BUILD_FAILED naming a file that went away before it was hashed', async () => {
    const copy = await copyOf(original);
    await writeFile(join(copy, 'src', '.main.py.swp'), 'an editor file');
    const plan = await planDockerBuild(SETTINGS, { root: copy });
    await rm(join(copy, 'src', '.main.py.swp'));
    const error = await computeBuildChecksum({ settings: plan.resolved.settings, dockerfile: plan.dockerfile, platform: 'linux/amd64', baseImages: [BASE], entries: plan.entries }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'BUILD_FAILED', details: { path: join(copy, 'src', '.main.py.swp') } });
  });

  it('changes with the settings, the platform and the base image digest', async () => {
    const expected = await checksumOf(original);
    const variants = [
      await checksumOf(original, { ...SETTINGS, environment: { MODE: 'dev' } }),
      await checksumOf(original, { ...SETTINGS, labels: { team: 'a' } }),
      await checksumOf(original, { ...SETTINGS, buildArgs: { X: '1' } }),
      await checksumOf(original, SETTINGS, { platform: 'linux/arm64' }),
      await checksumOf(original, SETTINGS, { identity: `sha256:${'b'.repeat(64)}` }),
    ];
    expect(new Set([expected, ...variants]).size).toBe(variants.length + 1);
  });
});
