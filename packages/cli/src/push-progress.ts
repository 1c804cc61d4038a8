import type { LayerStatus, PushProgressEvent } from '@registrykit/core';
import type { Output } from './output.js';

export interface PushProgress {
  readonly update: (event: PushProgressEvent) => void;
  /** Clears the bar (on a terminal); call once the push settled. */
  finish(): void;
}

interface LayerState {
  status: LayerStatus;
  current: number;
  total: number | undefined;
}

const DONE: ReadonlySet<LayerStatus> = new Set(['pushed', 'exists', 'mounted']);
const REDRAW_MS = 80;

/**
 * Shows a push: on a terminal one bar redrawn in place (bytes and layers done), otherwise one plain
 * line per layer status change, so logs stay readable. Both go to stderr; the result goes to stdout.
 */
export function createPushProgress(out: Output, image: string, interactive: boolean): PushProgress {
  const layers = new Map<string, LayerState>();
  if (!interactive) {
    return {
      update(event) {
        if (event.type === 'message') return out.note(event.message);
        const previous = layers.get(event.layer)?.status;
        layers.set(event.layer, { status: event.status, current: 0, total: undefined });
        if (previous !== event.status) out.note(`${event.layer}: ${event.status}`);
      },
      finish() {},
    };
  }
  let lastDraw = 0;
  let drawn = false;
  const draw = () => {
    lastDraw = Date.now();
    drawn = true;
    out.writeError(`\r\u001b[K${renderBar(out, image, [...layers.values()], out.streams.stderr.columns ?? 80)}`);
  };
  return {
    update(event) {
      if (event.type === 'message') return;
      const state = layers.get(event.layer) ?? { status: event.status, current: 0, total: undefined };
      state.status = event.status;
      if (event.total !== undefined && event.total > 0) state.total = event.total;
      if (event.current !== undefined) state.current = event.current;
      layers.set(event.layer, state);
      if (Date.now() - lastDraw >= REDRAW_MS || DONE.has(event.status)) draw();
    },
    finish() {
      if (drawn) out.writeError('\r\u001b[K');
    },
  };
}

/** One line: `Pushing <image> [████░░░░] 42% 12.1/28.9 MB, 2/5 layers`, cut to the terminal width. */
export function renderBar(out: Output, image: string, layers: readonly LayerState[], width: number): string {
  let done = 0;
  let total = 0;
  for (const layer of layers) {
    if (layer.total === undefined) continue;
    total += layer.total;
    done += DONE.has(layer.status) ? layer.total : Math.min(layer.current, layer.total);
  }
  const finished = layers.filter((layer) => DONE.has(layer.status)).length;
  const fraction = total > 0 ? done / total : layers.length > 0 ? finished / layers.length : 0;
  const size = 24;
  const filled = Math.round(fraction * size);
  const bar = out.errorStyle.green('█'.repeat(filled)) + out.errorStyle.dim('░'.repeat(size - filled));
  const bytes = total > 0 ? ` ${megabytes(done)}/${megabytes(total)} MB,` : '';
  const text = `[${bar}] ${String(Math.floor(fraction * 100)).padStart(3)}%${bytes} ${finished}/${layers.length} layers`;
  const room = Math.max(10, width - 1 - (text.length - (bar.length - size)) - 'Pushing  '.length);
  return `Pushing ${image.length > room ? `…${image.slice(image.length - room + 1)}` : image} ${text}`;
}

function megabytes(bytes: number): string {
  return (bytes / 1_000_000).toFixed(1);
}
