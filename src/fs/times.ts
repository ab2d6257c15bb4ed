import type { FileStat } from './types.js';

const NS_PER_S = 1_000_000_000n;

/**
 * The whole milliseconds Node reads for a time of `ns` nanoseconds (`stat.mtime.getTime()`,
 * and so `FileStat.mtimeMs`): half up from the double `sec * 1e3 + nsec / 1e6`, which at
 * today's times is 0.000122 ms coarse, so that a time up to about 122 ns below a half
 * millisecond reads as the next one.
 */
export function nodeMsOfNs(ns: bigint): number {
  return Math.round(Number(ns / NS_PER_S) * 1e3 + Number(ns % NS_PER_S) / 1e6);
}

/**
 * The microsecond to put a folder's mtime back to (utimes sets no finer), given what was
 * read of it: its own microsecond, unless Node reads that one as a different millisecond
 * than it read the folder's time (a time within about 122 ns below a half millisecond,
 * which the double rounds up: `…615.49995` reads 616, `…615.499` 615); then the next
 * microsecond (`…615.500`, read 616), which is also the nearer one. Either way the folder
 * reads the same millisecond as before to Node (and to the library's `mtimeMs`) and to a
 * reader that floors, and lies less than 1 µs from its time. A file's copy keeps its
 * source's own microsecond instead, because the executor verifies a copy at the µs.
 */
export function restoredMtimeUs(t: { mtimeMs: number; mtimeUs: number }): number {
  const own = t.mtimeUs;
  if (nodeMsOfNs(BigInt(own) * 1000n) === t.mtimeMs) return own;
  if (nodeMsOfNs(BigInt(own + 1) * 1000n) === t.mtimeMs) return own + 1;
  return own;
}

/**
 * Whether a copy holds its source's modification time, at the precision a copy's time
 * can be set: the same microsecond where both stats carry one (the real disk), else the
 * same millisecond (memfs, and filesystems wrapped without `mtimeUs`).
 */
export function sameMtime(a: Pick<FileStat, 'mtimeMs' | 'mtimeUs'>, b: Pick<FileStat, 'mtimeMs' | 'mtimeUs'>): boolean {
  if (a.mtimeUs !== undefined && b.mtimeUs !== undefined) return a.mtimeUs === b.mtimeUs;
  return a.mtimeMs === b.mtimeMs;
}

/** An ISO time, to the microsecond where the stat has it: `2026-12-03T10:28:45.640499Z`. */
export function formatMtime(s: Pick<FileStat, 'mtimeMs' | 'mtimeUs'>): string {
  if (s.mtimeUs === undefined) return new Date(s.mtimeMs).toISOString();
  const ms = Math.floor(s.mtimeUs / 1000);
  const us = s.mtimeUs - ms * 1000;
  return new Date(ms).toISOString().replace('Z', `${String(us).padStart(3, '0')}Z`);
}

/** How far apart two times are, in the unit that reads best: `0.921 ms`, `12 µs`, `3.2 s`. */
function formatGap(us: number): string {
  const a = Math.abs(us);
  if (a < 1000) return `${a} µs`;
  if (a < 1_000_000) return `${(a / 1000).toFixed(3).replace(/\.?0+$/, '')} ms`;
  return `${(a / 1_000_000).toFixed(1)} s`;
}

type Times = Pick<FileStat, 'size' | 'mtimeMs' | 'mtimeUs'>;

/** What differs between a source and its copy. */
export interface CopyDifference {
  /** In words: size, time, and by how much. */
  text: string;
  /**
   * Whether it looks like a program writing to the source: the size differs or the time
   * moved by a millisecond or more. Else the copy's filesystem did not keep the time
   * it was given, which quitting Claude Code would not change.
   */
  writer: boolean;
}

/**
 * What differs between a source and its copy (size, time, and by how much), or
 * `undefined` when size and time agree, so that an error can let a user tell a writer
 * still at work from anything else.
 */
export function compareCopy(source: Times, copy: Times): CopyDifference | undefined {
  const parts: string[] = [];
  let writer = false;
  if (source.size !== copy.size) {
    const d = source.size - copy.size;
    parts.push(`the source has ${source.size} bytes and the copy ${copy.size} (${d > 0 ? '+' : ''}${d} on the source)`);
    writer = true;
  }
  if (!sameMtime(source, copy)) {
    const gapUs =
      source.mtimeUs !== undefined && copy.mtimeUs !== undefined
        ? source.mtimeUs - copy.mtimeUs
        : (source.mtimeMs - copy.mtimeMs) * 1000;
    parts.push(
      `the source's mtime is ${formatMtime(source)} and the copy's ${formatMtime(copy)} (the source ${
        gapUs > 0 ? 'later' : 'earlier'
      } by ${formatGap(gapUs)})`,
    );
    if (Math.abs(gapUs) >= 1000) writer = true;
  }
  return parts.length > 0 ? { text: parts.join('; '), writer } : undefined;
}
