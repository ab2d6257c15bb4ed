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

/**
 * East Asian Wide and Fullwidth ranges (Unicode 15, as the terminal draws them): CJK,
 * Hangul, kana, fullwidth forms, and the emoji-era pictographs blocks.
 */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x18d08],
  [0x1aff0, 0x1b2fb],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f251],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
];

function isWide(cp: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to] = WIDE[mid] as readonly [number, number];
    if (cp < from) hi = mid - 1;
    else if (cp > to) lo = mid + 1;
    else return true;
  }
  return false;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Columns one grapheme takes in a terminal: 0, 1 or 2 (an emoji sequence is 2). */
function graphemeWidth(g: string): number {
  const cp = g.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (g.includes('\ufe0f') || isWide(cp)) return 2;
  if (ZERO_WIDTH.test(String.fromCodePoint(cp))) return 0;
  return 1;
}

/**
 * Columns a string takes in a terminal: wide characters (CJK, emoji) count 2, combining
 * marks 0, colour codes nothing. The small part of `string-width` a table needs.
 */
export function visibleLength(text: string): number {
  let width = 0;
  for (const { segment } of segmenter.segment(text.replace(ANSI, ''))) width += graphemeWidth(segment);
  return width;
}

/** Cuts to `width` columns with an ellipsis; colours are dropped when cutting. */
export function truncate(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text.replace(ANSI, ''))) {
    const w = graphemeWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/**
 * Sizes as Claude Code's `/resume` picker shows them: bytes below 1 KiB, then KiB, MiB,
 * GiB with one decimal, `.0` dropped: `900 bytes`, `1KB`, `167.9KB`, `1.5MB`
 * (checked with the real picker, see docs/cli.md).
 */
export function formatPickerSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes / 1024;
  for (const unit of ['KB', 'MB', 'GB']) {
    if (value < 1024 || unit === 'GB') return `${value.toFixed(1).replace(/\.0$/, '')}${unit}`;
    value /= 1024;
  }
  return `${bytes} bytes`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HALF_YEAR_MS = (365.2425 / 2) * 86_400_000;

/**
 * When, for a listing: relative within the last day (`just now`, `5m ago`, `3h ago`),
 * then as `ls -l` does, in local time: `Dec  3 14:05` within six months, `Mar  4  2025`
 * before (or in the future).
 */
export function formatWhen(thenMs: number, nowMs: number): string {
  const age = nowMs - thenMs;
  if (age >= -60_000 && age < 86_400_000) return formatAge(thenMs, nowMs);
  const d = new Date(thenMs);
  const day = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')}`;
  if (age > 0 && age < HALF_YEAR_MS) {
    return `${day} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }
  return `${day}  ${d.getFullYear()}`;
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
