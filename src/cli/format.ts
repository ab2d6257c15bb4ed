/** Small text helpers for the command's human output. */

import { printable } from '../plan/describe.js';

/** Sizes as the library's describePlan writes them (powers of 1000: `1.5 KB`), so that both agree. */
export { formatBytes } from '../plan/describe.js';

const SGR = /\u001b\[[0-9;]*m/g;

/**
 * Text for the terminal: control characters escaped (`\x1b`, `\n`, ...) as describePlan
 * does, so that a folder name or a prompt cannot clear the screen, set the title or forge
 * a line. The command's own colours (SGR sequences) are kept; with `keepNewlines`, so are
 * line breaks (for multi-line output the command itself joined).
 */
export function safeText(text: string, keepNewlines = false): string {
  const escapeControls = (t: string) => (keepNewlines ? t.split('\n').map(printable).join('\n') : printable(t));
  let out = '';
  let last = 0;
  for (const m of text.matchAll(SGR)) {
    out += escapeControls(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeControls(text.slice(last));
}

/** How long ago, short: `just now`, `5m`, `3h`, `2d`, `7w`, `2y`. */
export function formatAge(thenMs: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (s < 60) return 'just now';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ago`;
  const d = Math.floor(h / 24);
  if (d < 60) return `${d}d ago`;
  const mo = Math.floor(d / 30);
  if (mo < 24) return `${mo}mo ago`;
  return `${Math.floor(d / 365)}y ago`;
}

/** `850 ms`, `42s`, `1m05s`, `2h03m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** Visible width of a string (ANSI colour codes do not count). */
export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/** Cuts to `width` visible characters with an ellipsis; colours are dropped when cutting. */
export function truncate(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  const plain = [...text.replace(ANSI, '')];
  return `${plain.slice(0, Math.max(0, width - 1)).join('')}…`;
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Longest width before cutting. */
  max?: number;
}

/** Lays rows out in aligned columns separated by two spaces; the last column is not padded. */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[], indent = ''): string[] {
  const cells = rows.map((row) =>
    columns.map((col, i) => truncate(safeText(row[i] ?? ''), col.max ?? Number.POSITIVE_INFINITY)),
  );
  const widths = columns.map((col, i) =>
    Math.max(visibleLength(col.header), ...cells.map((r) => visibleLength(r[i] ?? ''))),
  );
  const pad = (text: string, i: number) => {
    if (i === columns.length - 1 && columns[i]?.align !== 'right') return text;
    const fill = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(text)));
    return columns[i]?.align === 'right' ? fill + text : text + fill;
  };
  const line = (r: readonly string[]) => `${indent}${r.map((cell, i) => pad(cell, i)).join('  ')}`.trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)];
}

/** `1 session`, `2 sessions`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
