import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTestOciLayout } from './oci-layouts.js';

const run = promisify(execFile);

describe('createTestOciLayout', () => {
  it('writes a layout that skopeo reads, with one more image per call', async () => {
    const first = await createTestOciLayout({ tag: 'one', layers: 2, layerBytes: 3 * 1024 * 1024 + 5 });
    try {
      const second = await createTestOciLayout({ dir: first.dir, tag: 'two' });
      const inspect = async (tag: string) => JSON.parse((await run('skopeo', ['inspect', `oci:${first.dir}:${tag}`])).stdout) as { Digest: string; Layers: string[] };
      const one = await inspect('one');
      expect(one.Digest).toBe(first.manifestDigest);
      expect(one.Layers).toEqual(first.layerDigests);
      expect((await inspect('two')).Digest).toBe(second.manifestDigest);
      // umoci unpacks it: the layers are real tars, and every blob matches its digest.
      await run('umoci', ['raw', 'unpack', '--rootless', '--image', `${first.dir}:one`, `${first.dir}-rootfs`]);
      const { stdout } = await run('ls', ['-l', `${first.dir}-rootfs`]);
      expect(stdout).toMatch(/3145733 .* payload-0/);
    } finally {
      await first.remove();
      await run('rm', ['-rf', `${first.dir}-rootfs`]);
    }
  });
});
