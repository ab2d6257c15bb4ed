import type { FileSystem } from './types.js';

/**
 * Reads at most `length` bytes at `position` without reading the rest of the file.
 * Returns fewer bytes at the end of the file.
 *
 * @throws RangeError when `position` or `length` is not a non-negative safe integer. (Node
 * reads a negative position as "from the current position", which would silently return
 * the wrong bytes; for a tail read, clamp `size - n` at 0 first.)
 */
export async function readRange(fs: FileSystem, path: string, position: number, length: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new RangeError(`readRange: position must be a non-negative integer, got ${position}`);
  }
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`readRange: length must be a non-negative integer, got ${length}`);
  }
  const handle = await fs.open(path, 'r');
  try {
    const buffer = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const n = await handle.read(buffer, filled, length - filled, position + filled);
      if (n === 0) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
