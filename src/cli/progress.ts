import type { Context } from './context.js';
import { formatBytes, formatDuration } from './format.js';

/** What the executor reports as it goes (bytes and operations done of their totals). */
export interface ProgressEvent {
  opsDone: number;
  opsTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface ProgressBar {
  update(event: ProgressEvent): void;
  done(): void;
}

const NOOP: ProgressBar = { update() {}, done() {} };

/** The bar shows up only after this long, so that quick applies print nothing. */
const SHOW_AFTER_MS = 500;
const REDRAW_EVERY_MS = 100;

/**
 * A one-line progress bar on stderr with bytes and an ETA, drawn only on a terminal and
 * only once an apply has run long enough to need it. Forty lines; not worth a dependency.
 */
export function progressBar(ctx: Context, label: string, clock: () => number = Date.now): ProgressBar {
  const stream = ctx.io.stderr;
  if (stream.isTTY !== true || ctx.json) return NOOP;
  const started = clock();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(e) {
      const now = clock();
      if (now - started < SHOW_AFTER_MS || now - lastDraw < REDRAW_EVERY_MS) return;
      lastDraw = now;
      drawn = true;
      stream.write(`\r${renderProgress(e, now - started, stream.columns ?? 80, label)}\u001b[K`);
    },
    done() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}

/** One line: `label [#####-----]  42%  12 MB/30 MB  op 120/300  ETA 8s`. */
export function renderProgress(e: ProgressEvent, elapsedMs: number, columns: number, label: string): string {
  const total = e.bytesTotal > 0 ? e.bytesTotal : e.opsTotal;
  const done = e.bytesTotal > 0 ? e.bytesDone : e.opsDone;
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const eta = ratio > 0 && ratio < 1 ? formatDuration((elapsedMs / ratio) * (1 - ratio)) : '-';
  const tail =
    ` ${String(Math.floor(ratio * 100)).padStart(3)}%  ${formatBytes(e.bytesDone)}/${formatBytes(e.bytesTotal)}` +
    `  op ${e.opsDone}/${e.opsTotal}  ETA ${eta}`;
  const width = Math.max(10, Math.min(30, columns - label.length - tail.length - 4));
  const filled = Math.round(ratio * width);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${tail}`;
}
