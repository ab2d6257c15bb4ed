import type { FileHandle, FileSystem } from '../fs/types.js';

/** Bytes read at each end of a transcript: what Claude Code and its SDK read to list one. */
export const WINDOW_BYTES = 65_536;

/** The first and last {@link WINDOW_BYTES} of a transcript. */
export interface Windows {
  head: Buffer;
  /** The same object as `head` when the file fits in one window. */
  tail: Buffer;
  /** The size the tail was read against (the listing's stat, or a fresh one if it shrank). */
  size: number;
}

/** Reuses window buffers between files, so that listing 20,000 files allocates a few MB. */
export class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(WINDOW_BYTES);
  }

  give(...buffers: (Buffer | undefined)[]): void {
    for (const b of buffers) {
      if (b !== undefined && b.buffer.byteLength === WINDOW_BYTES && this.#free.length < this.#max) {
        this.#free.push(Buffer.from(b.buffer, 0, WINDOW_BYTES));
      }
    }
  }
}

async function fill(handle: FileHandle, buffer: Buffer, position: number): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const n = await handle.read(buffer, filled, buffer.length - filled, position + filled);
    if (n <= 0) break;
    filled += n;
  }
  return filled;
}

/**
 * Reads the first and last 64 KB of a file whose size the caller has just seen, and
 * nothing else. Returns undefined for an empty file. A file that grew since is read
 * against the size seen (its new end is not read); one that shrank is measured again.
 */
export async function readWindows(
  fs: FileSystem,
  path: string,
  sizeSeen: number,
  pool: BufferPool,
): Promise<Windows | undefined> {
  const handle = await fs.open(path, 'r');
  let head: Buffer | undefined;
  let tail: Buffer | undefined;
  try {
    head = pool.take();
    const headBytes = await fill(handle, head, 0);
    if (headBytes === 0) {
      pool.give(head);
      return undefined;
    }
    const headView = head.subarray(0, headBytes);
    let size = sizeSeen;
    if (headBytes < WINDOW_BYTES || size <= WINDOW_BYTES) {
      // The whole file is in the head (or the file shrank to fit in it).
      return { head: headView, tail: headView, size: headBytes < WINDOW_BYTES ? Math.min(headBytes, size) : size };
    }
    tail = pool.take();
    let tailBytes = await fill(handle, tail, size - WINDOW_BYTES);
    if (tailBytes < WINDOW_BYTES) {
      // Shrank (truncated or replaced) since it was listed: measure again, read again.
      size = (await handle.stat()).size;
      if (size <= WINDOW_BYTES) {
        pool.give(tail);
        tail = undefined;
        return { head: headView, tail: headView, size: Math.min(size, headBytes) };
      }
      tailBytes = await fill(handle, tail, size - WINDOW_BYTES);
    }
    return { head: headView, tail: tail.subarray(0, tailBytes), size };
  } catch (error) {
    pool.give(head, tail);
    throw error;
  } finally {
    await handle.close();
  }
}
