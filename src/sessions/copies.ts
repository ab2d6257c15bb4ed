/**
 * How two physical copies of one session compare: identical, one the start of the
 * other (a transcript only grows), or diverged. By default only from the windows already
 * read plus at most one more 64 KB read; `full` compares every byte.
 */
import type { FileSystem } from '../fs/types.js';
import type { CopyRelation } from './types.js';
import type { Windows } from './window.js';

export interface CopyBytes {
  path: string;
  size: number;
  /** Undefined for an empty file. */
  windows: Windows | undefined;
}

const CHUNK = 1 << 20;

async function readAt(fs: FileSystem, path: string, position: number, length: number): Promise<Buffer> {
  const handle = await fs.open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const n = await handle.read(buffer, filled, length - filled, position + filled);
      if (n <= 0) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** Bytes [start, end) of a copy, from its windows when they hold them, else read. */
async function bytesOf(fs: FileSystem, copy: CopyBytes, start: number, end: number): Promise<Buffer> {
  const w = copy.windows;
  if (w !== undefined) {
    if (end <= w.head.length) return w.head.subarray(start, end);
    const tailStart = copy.size - w.tail.length;
    if (start >= tailStart && end <= copy.size) return w.tail.subarray(start - tailStart, end - tailStart);
  }
  return readAt(fs, copy.path, start, end - start);
}

/** Whether `short` is, as far as its windows show, the start of `long`. */
async function windowsPrefix(fs: FileSystem, short: CopyBytes, long: CopyBytes): Promise<boolean> {
  const sw = short.windows;
  if (sw === undefined) return true;
  const head = sw.head;
  if (!head.equals(await bytesOf(fs, long, 0, head.length))) return false;
  if (sw.tail === sw.head) return true;
  const start = short.size - sw.tail.length;
  return sw.tail.equals(await bytesOf(fs, long, start, short.size));
}

async function fullPrefix(fs: FileSystem, short: CopyBytes, long: CopyBytes): Promise<boolean> {
  for (let at = 0; at < short.size; at += CHUNK) {
    const n = Math.min(CHUNK, short.size - at);
    const [a, b] = await Promise.all([readAt(fs, short.path, at, n), readAt(fs, long.path, at, n)]);
    if (a.length !== n || !a.equals(b)) return false;
  }
  return true;
}

/** How `copy` relates to `newest`, the copy a listing row describes. */
export async function compareCopy(
  fs: FileSystem,
  copy: CopyBytes,
  newest: CopyBytes,
  mode: 'windows' | 'full',
): Promise<CopyRelation> {
  const isPrefix = mode === 'full' ? fullPrefix : windowsPrefix;
  if (copy.size === newest.size) return (await isPrefix(fs, copy, newest)) ? 'identical' : 'diverged';
  if (copy.size < newest.size) return (await isPrefix(fs, copy, newest)) ? 'prefix' : 'diverged';
  return (await isPrefix(fs, newest, copy)) ? 'extends' : 'diverged';
}
