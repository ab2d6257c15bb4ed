import { type PromisesApi, PromisesFileSystem } from './promises-adapter.js';
import type { FileSystem } from './types.js';

/**
 * Anything with a memfs-style `promises` property: a memfs `Volume`, or the `fs` object
 * `memfs()` returns. memfs is not a dependency of this library; bring your own.
 */
export interface MemfsLike {
  promises: unknown;
}

/**
 * A filesystem over a memfs volume, for previewing plans in memory and for tests. Where
 * memfs lets through what a real disk refuses (rename over a non-empty folder, mkdir -p
 * over a file, ...), the adapter refuses it the way Node does; the remaining differences
 * (no umask, whole-millisecond times, symlink modes) are listed in test/fs/contract.test.ts.
 *
 * @example
 * ```ts
 * import { Volume } from 'memfs';
 * const fs = createMemFileSystem(Volume.fromJSON({ '/home/u/.claude/projects/p/x.jsonl': '{}\n' }));
 * ```
 */
export function createMemFileSystem(volume: MemfsLike): FileSystem {
  return new PromisesFileSystem(volume.promises as PromisesApi, {
    kind: 'memfs',
    sep: '/',
    clone: false,
    emulatePosix: true,
  });
}
