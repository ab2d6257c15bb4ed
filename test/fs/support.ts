/**
 * Test support for the filesystem contract: a wrapper that injects faults at the level of
 * the raw promises API (EXDEV, clone results, counting reads), the tree as that API sees
 * it (the contract's oracle), and small utilities. The root per test is
 * test/support/harness.ts's; faults at the FileSystem level (EACCES, which root cannot
 * provoke with chmod) are test/support/faulty-fs.ts's.
 */
import { join } from 'node:path';
import type { PromisesApi } from '../../src/fs/promises-adapter.js';

const API_METHODS = [
  'lstat',
  'stat',
  'readdir',
  'readlink',
  'realpath',
  'mkdir',
  'readFile',
  'writeFile',
  'open',
  'copyFile',
  'rename',
  'symlink',
  'unlink',
  'rmdir',
  'utimes',
  'chmod',
] as const satisfies readonly (keyof PromisesApi)[];

type AnyFn = (...args: unknown[]) => Promise<unknown>;

/** The API with some methods replaced; the rest delegate to `api`. */
export function wrapApi(api: PromisesApi, overrides: Partial<PromisesApi>): PromisesApi {
  const out: Record<string, AnyFn> = {};
  const source = api as unknown as Record<string, AnyFn>;
  const given = overrides as Record<string, AnyFn | undefined>;
  for (const name of API_METHODS) {
    out[name] = given[name] ?? ((...args: unknown[]) => (source[name] as AnyFn).apply(api, args));
  }
  return out as unknown as PromisesApi;
}

/** Rejects with the error a promise throws (fails the test when it resolves). */
export async function errorOf(promise: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  try {
    await promise;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  throw new Error('expected a rejection, got a value');
}

/** A small seedable PRNG (independent of the code under test). */
export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

/**
 * True when setting `ms` the naive way (`utimes(path, ms / 1000)`) is read back by a
 * flooring reader as `ms - 1`: libuv truncates `(t - trunc(t)) * 1e9` to whole
 * microseconds, and `ms / 1000` is often a hair below the decimal value.
 */
export function naiveUtimeIsOff(ms: number): boolean {
  const t = ms / 1000;
  const sec = Math.trunc(t);
  let nsec = Math.trunc((t - sec) * 1e9);
  nsec -= nsec % 1000;
  return sec * 1000 + Math.floor(nsec / 1e6) < ms;
}

/** `count` millisecond times (2001..2100) for which the naive utimes is off, from a seed. */
export function trickyTimes(count: number, seed = 42): number[] {
  const rng = seeded(seed);
  const out: number[] = [];
  while (out.length < count) {
    const ms = 978_307_200_000 + Math.floor(rng() * 3_155_760_000_000);
    if (naiveUtimeIsOff(ms)) out.push(ms);
  }
  return out;
}

export interface RawEntry {
  type: 'file' | 'directory' | 'symlink' | 'other';
  mode: number;
  /** Raw `mtimeMs` (files and folders; links' own times are not kept by moves). */
  mtimeMs?: number;
  content?: string;
  link?: string;
}

/**
 * Everything under `root` through the raw promises API (not the adapter under test):
 * type, permission bits, raw mtime of files and folders, file content, link text.
 */
export async function rawTree(api: PromisesApi, root: string): Promise<Record<string, RawEntry>> {
  const out: Record<string, RawEntry> = {};
  const walk = async (dir: string, rel: string) => {
    const entries = await api.readdir(dir, { withFileTypes: true });
    for (const name of entries.map((e) => String(e.name)).sort()) {
      const path = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const st = await api.lstat(path);
      const mode = Number(st.mode) & 0o7777;
      if (st.isSymbolicLink()) {
        out[relPath] = { type: 'symlink', mode: 0, link: String(await api.readlink(path)) };
      } else if (st.isDirectory()) {
        await walk(path, relPath);
        out[relPath] = { type: 'directory', mode, mtimeMs: Number(st.mtimeMs) };
      } else if (st.isFile()) {
        const data = await api.readFile(path);
        const content = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
        out[relPath] = { type: 'file', mode, mtimeMs: Number(st.mtimeMs), content };
      } else {
        out[relPath] = { type: 'other', mode };
      }
    }
  };
  await walk(root, '');
  return out;
}
