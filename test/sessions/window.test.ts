import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeFileSystem } from '../../src/fs/node.js';
import type { DescriptorReads, FileHandle, FileSystem, SyncReads } from '../../src/fs/types.js';
import { BufferPool, interfaceReader, readWindowsSync, WINDOW_BYTES } from '../../src/sessions/window.js';

const dir = mkdtempSync(join(tmpdir(), 'css-window-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Distinct bytes at every offset, so that a window read from the wrong place shows. */
function content(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + (i >> 8) * 13) & 0xff;
  return b;
}

const W = WINDOW_BYTES;
const sizes = [1, W - 1, W, W + 1, W + 1000, 2 * W - 1, 2 * W, 2 * W + 1, 3 * W + 17];

/** The node filesystem, counting the bytes its reads return: through handles, descriptors, or synchronously. */
function counting(): { fs: FileSystem; withDescriptors: FileSystem; sync: SyncReads; bytes: () => number } {
  const real = createNodeFileSystem();
  const sync = real.sync as SyncReads;
  const descriptors = real.descriptors as DescriptorReads;
  let bytes = 0;
  const fs = Object.create(real, { descriptors: { value: undefined } }) as FileSystem;
  const withDescriptors = Object.create(real, {
    descriptors: {
      value: {
        ...descriptors,
        read: async (...args: Parameters<DescriptorReads['read']>) => {
          const n = await descriptors.read(...args);
          bytes += n;
          return n;
        },
      } satisfies DescriptorReads,
    },
  }) as FileSystem;
  fs.open = async (path, flags) => {
    const h = await real.open(path, flags);
    return {
      ...h,
      stat: () => h.stat(),
      close: () => h.close(),
      read: async (...args: Parameters<FileHandle['read']>) => {
        const n = await h.read(...args);
        bytes += n;
        return n;
      },
    } as FileHandle;
  };
  const countingSync: SyncReads = {
    ...sync,
    read: (...args) => {
      const n = sync.read(...args);
      bytes += n;
      return n;
    },
  };
  return { fs, withDescriptors, sync: countingSync, bytes: () => bytes };
}

describe('window reads', () => {
  it.each(sizes)('a file of %i bytes: the first and last 64 KB, each byte read once', async (size) => {
    const bytes = content(size);
    const path = join(dir, `f-${size}`);
    writeFileSync(path, bytes);
    const head = bytes.subarray(0, Math.min(size, W));
    const tail = bytes.subarray(Math.max(0, size - W));
    const read = Math.min(size, 2 * W);
    for (const mode of ['async', 'sync'] as const) {
      const c = counting();
      const pool = new BufferPool(4);
      const w =
        mode === 'async' ? await interfaceReader(c.fs)(path, size, pool) : readWindowsSync(c.sync, path, size, pool);
      expect(w?.size).toBe(size);
      expect(Buffer.compare(w?.head ?? Buffer.alloc(0), head)).toBe(0);
      expect(Buffer.compare(w?.tail ?? Buffer.alloc(0), tail)).toBe(0);
      expect(c.bytes()).toBe(read);
    }
  });

  it.each([W + 1000, 3 * W])(
    'a file that shrank since it was listed (%i bytes seen) is read at its new end',
    async (seen) => {
      const now = content(W + 10);
      const path = join(dir, `shrank-${seen}`);
      writeFileSync(path, now);
      for (const mode of ['async', 'sync'] as const) {
        const fs = createNodeFileSystem();
        const pool = new BufferPool(4);
        const w =
          mode === 'async'
            ? await interfaceReader(fs)(path, seen, pool)
            : readWindowsSync(fs.sync as SyncReads, path, seen, pool);
        expect(w?.size).toBe(W + 10);
        expect(Buffer.compare(w?.tail ?? Buffer.alloc(0), now.subarray(10))).toBe(0);
        expect(Buffer.compare(w?.head ?? Buffer.alloc(0), now.subarray(0, W))).toBe(0);
      }
    },
  );

  it('a file that grew since it was listed is read against the size seen', async () => {
    const now = content(3 * W);
    const path = join(dir, 'grew');
    writeFileSync(path, now);
    const seen = W + 500;
    for (const mode of ['async', 'sync'] as const) {
      const fs = createNodeFileSystem();
      const pool = new BufferPool(4);
      const w =
        mode === 'async'
          ? await interfaceReader(fs)(path, seen, pool)
          : readWindowsSync(fs.sync as SyncReads, path, seen, pool);
      expect(w?.size).toBe(seen);
      expect(Buffer.compare(w?.tail ?? Buffer.alloc(0), now.subarray(seen - W, seen))).toBe(0);
    }
  });
});
