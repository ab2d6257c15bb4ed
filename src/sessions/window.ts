import type { FileSystem, SyncReads } from '../fs/types.js';

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

/** What the window logic asks of an open file: one read into a buffer at a position, or its size now. */
type Step = { read: Buffer; offset: number; length: number; position: number } | { size: true };

/** Fills `buffer` from `at` with as many reads as it takes; the bytes read (fewer at the end of the file). */
function* fill(buffer: Buffer, at: number): Generator<Step, number, number> {
  let got = 0;
  while (got < buffer.length) {
    const n = yield { read: buffer, offset: got, length: buffer.length - got, position: at + got };
    if (n <= 0) break;
    got += n;
  }
  return got;
}

/**
 * The first and last 64 KB, and nothing else (the bytes both hold, when they overlap,
 * are read once), as a sequence of reads that a synchronous
 * or an asynchronous driver performs (one logic for both). A file that grew since it was
 * listed is read against the size seen (its new end is not read); one that shrank is
 * measured again and its tail read at its new end.
 */
function* windowSteps(sizeSeen: number, pool: BufferPool): Generator<Step, Windows | undefined, number> {
  let head: Buffer | undefined;
  let tail: Buffer | undefined;
  try {
    head = pool.take();
    const headBytes = yield* fill(head, 0);
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
    let tailBytes: number;
    if (size < 2 * WINDOW_BYTES) {
      // The windows overlap: the tail's start is already in the head; read only the rest.
      const kept = 2 * WINDOW_BYTES - size;
      head.copy(tail, 0, size - WINDOW_BYTES, WINDOW_BYTES);
      tailBytes = kept + (yield* fill(tail.subarray(kept), WINDOW_BYTES));
    } else {
      tailBytes = yield* fill(tail, size - WINDOW_BYTES);
    }
    if (tailBytes < WINDOW_BYTES) {
      size = yield { size: true };
      if (size <= WINDOW_BYTES) {
        pool.give(tail);
        return { head: headView, tail: headView, size: Math.min(size, headBytes) };
      }
      tailBytes = yield* fill(tail, size - WINDOW_BYTES);
    }
    return { head: headView, tail: tail.subarray(0, tailBytes), size };
  } catch (error) {
    pool.give(head, tail);
    throw error;
  }
}

/** An open file, as the asynchronous driver reads it. */
interface AsyncFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  size(): Promise<number>;
  close(): Promise<void>;
}

async function readWindowsAsync(file: AsyncFile, sizeSeen: number, pool: BufferPool): Promise<Windows | undefined> {
  try {
    const steps = windowSteps(sizeSeen, pool);
    let next = steps.next();
    while (!next.done) {
      const s = next.value;
      const answer = 'size' in s ? file.size() : file.read(s.read, s.offset, s.length, s.position);
      next = await answer.then(
        (n) => steps.next(n),
        (error: unknown) => steps.throw(error),
      );
    }
    return next.value;
  } finally {
    await file.close();
  }
}

/**
 * Reads windows through the filesystem interface: its descriptor reads when it has them
 * (the real disk: no FileHandle objects, which cost more than the reads on small files),
 * else its `open` (memfs, wrappers).
 */
export function interfaceReader(fs: FileSystem): WindowReader {
  const d = fs.descriptors;
  if (d !== undefined) {
    return async (path, sizeSeen, pool) => {
      const fd = await d.open(path);
      const file: AsyncFile = {
        read: (buffer, offset, length, position) => d.read(fd, buffer, offset, length, position),
        size: () => d.size(fd),
        close: () => d.close(fd),
      };
      return readWindowsAsync(file, sizeSeen, pool);
    };
  }
  return async (path, sizeSeen, pool) => {
    const handle = await fs.open(path, 'r');
    const file: AsyncFile = {
      read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
      size: async () => (await handle.stat()).size,
      close: () => handle.close(),
    };
    return readWindowsAsync(file, sizeSeen, pool);
  };
}

/**
 * The same reads done synchronously ({@link SyncReads}), for a worker thread of the
 * listing: blocking there costs the main thread nothing and saves the thread-pool round trips.
 */
export function readWindowsSync(
  sync: SyncReads,
  path: string,
  sizeSeen: number,
  pool: BufferPool,
): Windows | undefined {
  const fd = sync.open(path);
  try {
    const steps = windowSteps(sizeSeen, pool);
    let next = steps.next();
    while (!next.done) {
      const s = next.value;
      let n: number;
      try {
        n = 'size' in s ? sync.size(fd) : sync.read(fd, s.read, s.offset, s.length, s.position);
      } catch (error) {
        next = steps.throw(error);
        continue;
      }
      next = steps.next(n);
    }
    return next.value;
  } finally {
    sync.close(fd);
  }
}

/** {@link readWindowsSync} as a {@link WindowReader}. */
export function syncReader(sync: SyncReads): WindowReader {
  return (path, sizeSeen, pool) => {
    try {
      return Promise.resolve(readWindowsSync(sync, path, sizeSeen, pool));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
