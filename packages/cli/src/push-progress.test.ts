import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output } from './output.js';
import { createPushProgress, renderBar } from './push-progress.js';

function output(isTTY: boolean, env: NodeJS.ProcessEnv = {}) {
  let stderr = '';
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 100 });
  stream.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const out = new Output({ stdout: new PassThrough(), stderr: stream }, env);
  return { out, text: () => stderr };
}

describe('push progress', () => {
  it('renders bytes and layers done as one bar line, fitted to the terminal', () => {
    const { out } = output(false);
    const line = renderBar(out, 'localhost:5000/team/app:1', [
      { status: 'pushed', current: 0, total: 2_000_000 },
      { status: 'uploading', current: 1_000_000, total: 2_000_000 },
      { status: 'exists', current: 0, total: undefined },
    ], 100);
    expect(line).toBe(`Pushing localhost:5000/team/app:1 [${'█'.repeat(18)}${'░'.repeat(6)}]  75% 3.0/4.0 MB, 2/3 layers`);
    const narrow = renderBar(out, `localhost:5000/${'very-long-name/'.repeat(6)}app:1`, [], 70);
    expect(narrow.length).toBeLessThanOrEqual(70);
    expect(narrow).toContain('…');
  });

  it('prints one plain line per layer status change when stderr is not a terminal', () => {
    const { out, text } = output(false);
    const progress = createPushProgress(out, 'img', false);
    progress.update({ type: 'message', message: 'The push refers to repository [x]' });
    progress.update({ type: 'layer', layer: 'abc', status: 'preparing' });
    progress.update({ type: 'layer', layer: 'abc', status: 'uploading', current: 1, total: 10 });
    progress.update({ type: 'layer', layer: 'abc', status: 'uploading', current: 5, total: 10 });
    progress.update({ type: 'layer', layer: 'abc', status: 'pushed' });
    progress.finish();
    expect(text()).toBe('The push refers to repository [x]\nabc: preparing\nabc: uploading\nabc: pushed\n');
  });

  it('redraws the bar in place on a terminal and clears it at the end', () => {
    const { out, text } = output(true, { NO_COLOR: '1' });
    const progress = createPushProgress(out, 'img', true);
    progress.update({ type: 'layer', layer: 'abc', status: 'uploading', current: 5, total: 10 });
    progress.update({ type: 'layer', layer: 'abc', status: 'pushed' });
    progress.finish();
    expect(text()).toMatch(/^\r\u001b\[KPushing img \[█*░*\]\s+50% 0\.0\/0\.0 MB, 0\/1 layers\r\u001b\[KPushing img \[█{24}\] 100% .* 1\/1 layers\r\u001b\[K$/);
  });
});
