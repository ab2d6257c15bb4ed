import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { FileSystem } from '../../src/fs/types.js';

export interface TreeEntry {
  type: 'file' | 'directory' | 'symlink' | 'other';
  mode: number;
  mtimeMs?: number;
  size?: number;
  sha256?: string;
  link?: string;
}

/**
 * Everything under `root` as `{ relative path: entry }`: type, mode, and for files size,
 * mtime and a content hash; for links their text (never followed). Two dumps are equal
 * exactly when nothing under `root` changed (folder mtimes aside, which every create
 * and remove touches).
 */
export async function dumpTree(fs: FileSystem, root: string): Promise<Record<string, TreeEntry>> {
  const out: Record<string, TreeEntry> = {};
  const walk = async (dir: string, rel: string) => {
    for (const entry of (await fs.readdir(dir)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const st = await fs.lstat(path);
      if (st.type === 'file') {
        const sha256 = createHash('sha256')
          .update(await fs.readFile(path))
          .digest('hex');
        out[relPath] = { type: 'file', mode: st.mode, mtimeMs: st.mtimeMs, size: st.size, sha256 };
      } else if (st.type === 'symlink') {
        out[relPath] = { type: 'symlink', mode: 0, link: await fs.readlink(path) };
      } else if (st.type === 'directory') {
        out[relPath] = { type: 'directory', mode: st.mode };
        await walk(path, relPath);
      } else {
        out[relPath] = { type: 'other', mode: st.mode };
      }
    }
  };
  await walk(root, '');
  return out;
}
