import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { FileSystem } from '../../../src/fs/types.js';

export type TreeEntry =
  | { type: 'file'; size: number; mode: number; mtimeMs: number; sha: string }
  | { type: 'directory'; mode: number; mtimeMs: number }
  | { type: 'symlink'; target: string }
  | { type: 'other' };

/** Every entry under `root` (links not followed), by path relative to it: content hash, mode, mtime, link text. */
export async function dumpTree(fs: FileSystem, root: string): Promise<Record<string, TreeEntry>> {
  const out: Record<string, TreeEntry> = {};
  const walk = async (dir: string, rel: string) => {
    const entries = (await fs.readdir(dir)).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const path = join(dir, e.name);
      const key = rel === '' ? e.name : `${rel}/${e.name}`;
      const st = await fs.lstat(path);
      if (st.type === 'file') {
        const sha = createHash('sha256')
          .update(await fs.readFile(path))
          .digest('hex');
        out[key] = { type: 'file', size: st.size, mode: st.mode, mtimeMs: st.mtimeMs, sha };
      } else if (st.type === 'directory') {
        out[key] = { type: 'directory', mode: st.mode, mtimeMs: st.mtimeMs };
        await walk(path, key);
      } else if (st.type === 'symlink') {
        out[key] = { type: 'symlink', target: await fs.readlink(path) };
      } else out[key] = { type: 'other' };
    }
  };
  await walk(root, '');
  return out;
}

/** The dump without folder mtimes (they change whenever an entry is added or removed). */
export function withoutDirTimes(tree: Record<string, TreeEntry>): Record<string, TreeEntry> {
  const out: Record<string, TreeEntry> = {};
  for (const [k, v] of Object.entries(tree)) out[k] = v.type === 'directory' ? { ...v, mtimeMs: 0 } : v;
  return out;
}

/** Contents of every regular file under `root`, by path. */
export async function fileContents(fs: FileSystem, root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (dir: string) => {
    for (const e of await fs.readdir(dir)) {
      const path = join(dir, e.name);
      if (e.type === 'directory') await walk(path);
      else if (e.type === 'file') out.set(path, Buffer.from(await fs.readFile(path)));
    }
  };
  await walk(root);
  return out;
}

/**
 * The original files whose bytes cannot be found anywhere under `root` now, as a whole
 * file or as the beginning of a longer one (a transcript only grows). Empty = no byte lost.
 */
export async function unreachable(fs: FileSystem, root: string, originals: Map<string, Buffer>): Promise<string[]> {
  const now = [...(await fileContents(fs, root)).values()];
  const hashes = new Set(now.map((b) => createHash('sha256').update(b).digest('hex')));
  const lost: string[] = [];
  for (const [path, bytes] of originals) {
    if (hashes.has(createHash('sha256').update(bytes).digest('hex'))) continue;
    if (now.some((b) => b.length >= bytes.length && b.subarray(0, bytes.length).equals(bytes))) continue;
    lost.push(path);
  }
  return lost;
}
