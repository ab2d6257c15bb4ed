import type { FileSystem } from '../fs/types.js';

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

/** Reads the windows of a file whose size the caller has just seen; undefined when empty. */
export type WindowReader = (path: string, sizeSeen: number, pool: BufferPool) => Promise<Windows | undefined>;

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

  /** Returns the buffers of a file's windows. */
  release(windows: Windows | undefined): void {
    if (windows !== undefined) this.give(windows.head, windows.tail === windows.head ? undefined : windows.tail);
  }
}

/** An open file, as the window logic needs it. */
interface OpenFile {
  /** Fills `buffer` from `position` (less at the end of the file); returns the bytes read. */
  fill(buffer: Buffer, position: number): Promise<number>;
  size(): Promise<number>;
}

/**
 * The first and last 64 KB, and nothing else. A file that grew since it was listed is
 * read against the size seen (its new end is not read); one that shrank is measured
 * again and its tail read at its new end.
 */
async function windowsOf(file: OpenFile, sizeSeen: number, pool: BufferPool): Promise<Windows | undefined> {
  let head: Buffer | undefined;
  let tail: Buffer | undefined;
  try {
    head = pool.take();
    const headBytes = await file.fill(head, 0);
    if (headBytes === 0) {
      pool.give(head);
      return undefined;
    }
    const headView = head.subarray(0, headBytes);
    let size = sizeSeen;
    if (headBytes < WINDOW_BYTES || size <= WINDOW_BYTES) {
      // The whole file is in the head (or it shrank to fit in it).
      return { head: headView, tail: headView, size: headBytes < WINDOW_BYTES ? Math.min(headBytes, size) : size };
    }
    tail = pool.take();
    let tailBytes = await file.fill(tail, size - WINDOW_BYTES);
    if (tailBytes < WINDOW_BYTES) {
      size = await file.size();
      if (size <= WINDOW_BYTES) {
        pool.give(tail);
        return { head: headView, tail: headView, size: Math.min(size, headBytes) };
      }
      tailBytes = await file.fill(tail, size - WINDOW_BYTES);
    }
    return { head: headView, tail: tail.subarray(0, tailBytes), size };
  } catch (error) {
    pool.give(head, tail);
    throw error;
  }
}

/** Reads windows through the library's filesystem interface (memfs, wrappers, the real disk). */
export function interfaceReader(fs: FileSystem): WindowReader {
  return async (path, sizeSeen, pool) => {
    const handle = await fs.open(path, 'r');
    try {
      return await windowsOf(
        {
          fill: async (buffer, position) => {
            let filled = 0;
            while (filled < buffer.length) {
              const n = await handle.read(buffer, filled, buffer.length - filled, position + filled);
              if (n <= 0) break;
              filled += n;
            }
            return filled;
          },
          size: async () => (await handle.stat()).size,
        },
        sizeSeen,
        pool,
      );
    } finally {
      await handle.close();
    }
  };
}

type Callback<T> = (error: NodeJS.ErrnoException | null, value: T) => void;

/** The parts of `node:fs` the direct reader uses (callback API: no FileHandle objects). */
export interface NodeFsCallbacks {
  open(path: string, flags: string, cb: Callback<number>): void;
  read(fd: number, buffer: Buffer, offset: number, length: number, position: number, cb: Callback<number>): void;
  fstat(fd: number, cb: Callback<{ size: number }>): void;
  close(fd: number, cb: (error: NodeJS.ErrnoException | null) => void): void;
}

/**
 * Reads windows straight on file descriptors, for the real disk: the same reads as
 * {@link interfaceReader}, without the promise FileHandle layer, which costs more than
 * the reads themselves on small files.
 */
export function directReader(nodeFs: NodeFsCallbacks): WindowReader {
  const fill = (fd: number, buffer: Buffer, position: number) =>
    new Promise<number>((resolve, reject) => {
      let filled = 0;
      const step = () =>
        nodeFs.read(fd, buffer, filled, buffer.length - filled, position + filled, (error, n) => {
          if (error) return reject(error);
          filled += n;
          if (n <= 0 || filled >= buffer.length) resolve(filled);
          else step();
        });
      step();
    });
  return async (path, sizeSeen, pool) => {
    const fd = await new Promise<number>((resolve, reject) =>
      nodeFs.open(path, 'r', (error, fd) => (error ? reject(error) : resolve(fd))),
    );
    try {
      return await windowsOf(
        {
          fill: (buffer, position) => fill(fd, buffer, position),
          size: () =>
            new Promise<number>((resolve, reject) =>
              nodeFs.fstat(fd, (error, st) => (error ? reject(error) : resolve(st.size))),
            ),
        },
        sizeSeen,
        pool,
      );
    } finally {
      await new Promise<void>((resolve) => nodeFs.close(fd, () => resolve()));
    }
  };
}

/**
 * {@link interfaceReader}'s reads done synchronously, for a worker thread of the listing:
 * blocking there costs the main thread nothing and saves the thread-pool round trips.
 */
export function readWindowsSync(
  nodeFs: Pick<typeof import('node:fs'), 'openSync' | 'readSync' | 'fstatSync' | 'closeSync'>,
  path: string,
  sizeSeen: number,
  pool: BufferPool,
): Windows | undefined {
  const fd = nodeFs.openSync(path, 'r');
  const fill = (buffer: Buffer, position: number) => {
    let filled = 0;
    while (filled < buffer.length) {
      const n = nodeFs.readSync(fd, buffer, filled, buffer.length - filled, position + filled);
      if (n <= 0) break;
      filled += n;
    }
    return filled;
  };
  let head: Buffer | undefined;
  let tail: Buffer | undefined;
  try {
    head = pool.take();
    const headBytes = fill(head, 0);
    if (headBytes === 0) {
      pool.give(head);
      return undefined;
    }
    const headView = head.subarray(0, headBytes);
    let size = sizeSeen;
    if (headBytes < WINDOW_BYTES || size <= WINDOW_BYTES) {
      return { head: headView, tail: headView, size: headBytes < WINDOW_BYTES ? Math.min(headBytes, size) : size };
    }
    tail = pool.take();
    let tailBytes = fill(tail, size - WINDOW_BYTES);
    if (tailBytes < WINDOW_BYTES) {
      size = nodeFs.fstatSync(fd).size;
      if (size <= WINDOW_BYTES) {
        pool.give(tail);
        return { head: headView, tail: headView, size: Math.min(size, headBytes) };
      }
      tailBytes = fill(tail, size - WINDOW_BYTES);
    }
    return { head: headView, tail: tail.subarray(0, tailBytes), size };
  } catch (error) {
    pool.give(head, tail);
    throw error;
  } finally {
    nodeFs.closeSync(fd);
  }
}
