import { createHash } from 'node:crypto';
import type { FileSystem, SyncReads } from '../fs/types.js';

const CHUNK = 1 << 20;

export interface HashResult {
  hash: string;
  /** Hash of the first N bytes for each requested N (below `size`), sorted by N. */
  prefixHashes: { size: number; hash: string }[];
}

/**
 * SHA-256 of a file's first `size` bytes (the size `lstat` saw, so that a file growing
 * while it is read still hashes the state the snapshot records), plus the hashes of its
 * first N bytes for each N in `prefixSizes`, all in one pass. Throws when the file holds
 * fewer than `size` bytes (it shrank or was replaced since it was listed).
 */
export async function hashFile(
  fs: FileSystem,
  path: string,
  size: number,
  prefixSizes: readonly number[] = [],
): Promise<HashResult> {
  const wanted = [...new Set(prefixSizes.filter((n) => n > 0 && n < size))].sort((a, b) => a - b);
  const prefixHashes: { size: number; hash: string }[] = [];
  const hash = createHash('sha256');
  // A zero-length prefix is the hash of nothing; cheap to answer without reading.
  if (prefixSizes.includes(0) && size > 0) prefixHashes.push({ size: 0, hash: sha256Hex('') });
  const handle = await fs.open(path, 'r');
  try {
    const buffer = new Uint8Array(Math.min(CHUNK, Math.max(size, 1)));
    let position = 0;
    let next = 0;
    while (position < size) {
      const boundary = wanted[next];
      const limit = Math.min(size, boundary ?? size, position + buffer.length) - position;
      const n = await handle.read(buffer, 0, limit, position);
      if (n === 0) {
        throw shrunk(path, position, size);
      }
      hash.update(buffer.subarray(0, n));
      position += n;
      if (boundary !== undefined && position === boundary) {
        prefixHashes.push({ size: boundary, hash: hash.copy().digest('hex') });
        next++;
      }
    }
  } finally {
    await handle.close();
  }
  return { hash: hash.digest('hex'), prefixHashes };
}

export function shrunk(path: string, position: number, size: number): Error {
  return Object.assign(
    new Error(`${path} has ${position} bytes, fewer than the ${size} listed; it changed while read`),
    { code: 'ESHRUNK' },
  );
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The newest `timestamp` (ms) among the JSONL records in a file's tail: the last 64 KiB,
 * widened up to 4 MiB when no record there has one. Malformed lines, a cut first line and
 * records without a timestamp are skipped. Undefined when none is found.
 */
export async function lastRecordMs(fs: FileSystem, path: string, size: number): Promise<number | undefined> {
  for (const window of TAIL_WINDOWS) {
    const start = Math.max(0, size - window);
    const handle = await fs.open(path, 'r');
    let bytes: Uint8Array;
    try {
      const buffer = new Uint8Array(size - start);
      let filled = 0;
      while (filled < buffer.length) {
        const n = await handle.read(buffer, filled, buffer.length - filled, start + filled);
        if (n === 0) break;
        filled += n;
      }
      bytes = buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
    const newest = newestTimestamp(bytes, start > 0);
    if (newest !== undefined || start === 0) return newest;
  }
  return undefined;
}

/** {@link lastRecordMs} through synchronous reads (the real disk). */
export function lastRecordMsSync(
  sync: Pick<SyncReads, 'open' | 'read' | 'close'>,
  path: string,
  size: number,
): number | undefined {
  for (const window of TAIL_WINDOWS) {
    const start = Math.max(0, size - window);
    const fd = sync.open(path);
    let bytes: Uint8Array;
    try {
      const buffer = new Uint8Array(size - start);
      let filled = 0;
      while (filled < buffer.length) {
        const n = sync.read(fd, buffer, filled, buffer.length - filled, start + filled);
        if (n === 0) break;
        filled += n;
      }
      bytes = buffer.subarray(0, filled);
    } finally {
      sync.close(fd);
    }
    const newest = newestTimestamp(bytes, start > 0);
    if (newest !== undefined || start === 0) return newest;
  }
  return undefined;
}

const TAIL_WINDOWS = [64 * 1024, 4 * 1024 * 1024];

/** The newest record timestamp in `bytes`, the first line skipped when the window cut it. */
function newestTimestamp(bytes: Uint8Array, cut: boolean): number | undefined {
  const lines = new TextDecoder().decode(bytes).split('\n');
  if (cut) lines.shift();
  let newest: number | undefined;
  for (const line of lines) {
    const ms = timestampOf(line);
    if (ms !== undefined && (newest === undefined || ms > newest)) newest = ms;
  }
  return newest;
}

function timestampOf(line: string): number | undefined {
  const trimmed = line.trim().replace(/^\uFEFF/, '');
  if (!trimmed.startsWith('{') || !trimmed.includes('"timestamp"')) return undefined;
  try {
    const record = JSON.parse(trimmed) as unknown;
    if (typeof record !== 'object' || record === null) return undefined;
    const value = (record as { timestamp?: unknown }).timestamp;
    if (typeof value !== 'string') return undefined;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  } catch {
    return undefined;
  }
}
