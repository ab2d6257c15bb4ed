import type { FileSystem } from './types.js';

/**
 * Reads at most `length` bytes at `position` without reading the rest of the file.
 * Returns fewer bytes at the end of the file.
 */
export async function readRange(fs: FileSystem, path: string, position: number, length: number): Promise<Uint8Array> {
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
