/**
 * An empty folder for one test, on the real disk (a temp folder, real path) or on memfs
 * (a new volume), with the library's filesystem over it and the raw promises API under it.
 * Suites that run on both filesystems use `describe.each(KINDS)`.
 */
import { promises as nodeFsp, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { Volume } from 'memfs';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { type AdapterOptions, type PromisesApi, PromisesFileSystem } from '../../src/fs/promises-adapter.js';
import type { FileSystem } from '../../src/fs/types.js';

export type Kind = 'node' | 'memfs';
export const KINDS: readonly Kind[] = ['node', 'memfs'];

export interface Harness {
  kind: Kind;
  /** An empty folder that belongs to this test (real path, no links in it). */
  root: string;
  /** The raw promises API the filesystem sits on. */
  api: PromisesApi;
  /** The library's filesystem, from the public factory. */
  fs: FileSystem;
  /** The memfs volume (memfs only). */
  volume?: InstanceType<typeof Volume>;
  /** A library filesystem over a wrapped API (for fault injection). */
  over(api: PromisesApi, options?: Partial<AdapterOptions>): FileSystem;
  cleanup(): Promise<void>;
}

export async function createHarness(kind: Kind): Promise<Harness> {
  if (kind === 'node') {
    const root = realpathSync(await mkdtemp(join(tmpdir(), 'css-test-')));
    const api = nodeFsp as unknown as PromisesApi;
    return {
      kind,
      root,
      api,
      fs: createNodeFileSystem(),
      over: (wrapped, options = {}) =>
        new PromisesFileSystem(wrapped, { kind: 'node', sep: sep === '\\' ? '\\' : '/', clone: true, ...options }),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  }
  const volume = new Volume();
  const root = '/vol/test';
  volume.mkdirSync(root, { recursive: true });
  const api = volume.promises as unknown as PromisesApi;
  return {
    kind,
    root,
    api,
    fs: createMemFileSystem(volume),
    volume,
    over: (wrapped, options = {}) =>
      new PromisesFileSystem(wrapped, { kind: 'memfs', sep: '/', clone: false, emulatePosix: true, ...options }),
    cleanup: async () => {},
  };
}

/**
 * memfs asks the process for its uid and gid on every permission check, which costs
 * more than the rest of a memfs call; the sweeps make hundreds of thousands of calls.
 * Answer from a cache (they do not change during a test).
 */
export function cacheProcessIds(): void {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid !== undefined) process.getuid = () => uid;
  if (gid !== undefined) process.getgid = () => gid;
}
