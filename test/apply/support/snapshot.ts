import { join } from 'node:path';
import { Volume } from 'memfs';
import { createMemFileSystem } from '../../../src/fs/memfs.js';
import type { FileSystem } from '../../../src/fs/types.js';

export type Captured =
  | { type: 'file'; size: number; mode: number; mtimeMs: number; atimeMs: number; content: Buffer }
  | { type: 'directory'; mode: number; mtimeMs: number; atimeMs: number }
  | { type: 'symlink'; target: string }
  | { type: 'other' };

/** Everything under `root` (links not followed), by absolute path, with file contents. */
export async function capture(fs: FileSystem, root: string): Promise<Map<string, Captured>> {
  const out = new Map<string, Captured>();
  const walk = async (dir: string) => {
    for (const e of await fs.readdir(dir)) {
      const path = join(dir, e.name);
      const st = await fs.lstat(path);
      if (st.type === 'file') {
        out.set(path, {
          type: 'file',
          size: st.size,
          mode: st.mode,
          mtimeMs: st.mtimeMs,
          atimeMs: st.atimeMs,
          content: Buffer.from(await fs.readFile(path)),
        });
      } else if (st.type === 'directory') {
        out.set(path, { type: 'directory', mode: st.mode, mtimeMs: st.mtimeMs, atimeMs: st.atimeMs });
        await walk(path);
      } else if (st.type === 'symlink') out.set(path, { type: 'symlink', target: await fs.readlink(path) });
      else out.set(path, { type: 'other' });
    }
  };
  await walk(root);
  return out;
}

export interface DiffOptions {
  /** Ignore every folder's mtime. */
  dirTimes?: boolean;
  /** Ignore the mtime of files whose path matches. */
  fileTimes?: RegExp;
}

/** Human-readable differences between two captures (empty when equal). */
export function diff(a: Map<string, Captured>, b: Map<string, Captured>, options: DiffOptions = {}): string[] {
  const out: string[] = [];
  for (const [path, x] of a) {
    const y = b.get(path);
    if (!y) {
      out.push(`- ${path} (${x.type})`);
      continue;
    }
    if (x.type !== y.type) {
      out.push(`~ ${path}: ${x.type} -> ${y.type}`);
      continue;
    }
    if (x.type === 'file' && y.type === 'file') {
      if (x.size !== y.size || !x.content.equals(y.content))
        out.push(`~ ${path}: content ${x.size} -> ${y.size} bytes`);
      if (x.mode !== y.mode) out.push(`~ ${path}: mode ${x.mode.toString(8)} -> ${y.mode.toString(8)}`);
      if (x.mtimeMs !== y.mtimeMs && !options.fileTimes?.test(path))
        out.push(`~ ${path}: mtime ${x.mtimeMs} -> ${y.mtimeMs}`);
    } else if (x.type === 'directory' && y.type === 'directory') {
      if (x.mode !== y.mode) out.push(`~ ${path}/: mode ${x.mode.toString(8)} -> ${y.mode.toString(8)}`);
      if (x.mtimeMs !== y.mtimeMs && !options.dirTimes) out.push(`~ ${path}/: mtime ${x.mtimeMs} -> ${y.mtimeMs}`);
    } else if (x.type === 'symlink' && y.type === 'symlink' && x.target !== y.target) {
      out.push(`~ ${path}: link ${x.target} -> ${y.target}`);
    }
  }
  for (const [path, y] of b) if (!a.has(path)) out.push(`+ ${path} (${y.type})`);
  return out;
}

/** A new memfs filesystem holding exactly a capture (contents, modes, mtimes, links). */
export async function restoreOnMemfs(captured: Map<string, Captured>, root: string): Promise<FileSystem> {
  const json: Record<string, Buffer | null> = { [root]: null };
  for (const [path, c] of captured) {
    if (c.type === 'file') json[path] = c.content;
    else if (c.type === 'directory') json[path] = null;
  }
  const fs = createMemFileSystem(Volume.fromJSON(json));
  for (const [path, c] of captured) if (c.type === 'symlink') await fs.symlink(c.target, path);
  for (const [path, c] of captured) {
    if (c.type === 'file' || c.type === 'directory') await fs.chmod(path, c.mode);
  }
  // Deepest first, so that setting a folder's times is not undone by its children.
  for (const [path, c] of [...captured].reverse()) {
    if (c.type === 'file' || c.type === 'directory') await fs.utimes(path, c.atimeMs, c.mtimeMs);
  }
  return fs;
}

/** The files' contents, by path (for the no-byte-lost check). */
export function contents(captured: Map<string, Captured>): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [path, c] of captured) if (c.type === 'file') out.set(path, c.content);
  return out;
}

/** Original files whose bytes are found nowhere now, whole or as the start of a longer file. */
export function lostFiles(originals: Map<string, Buffer>, now: Map<string, Captured>): string[] {
  const bySize = new Map<number, Buffer[]>();
  const all: Buffer[] = [];
  for (const c of now.values()) {
    if (c.type !== 'file') continue;
    all.push(c.content);
    const list = bySize.get(c.size) ?? [];
    list.push(c.content);
    bySize.set(c.size, list);
  }
  const lost: string[] = [];
  for (const [path, bytes] of originals) {
    if (bySize.get(bytes.length)?.some((b) => b.equals(bytes))) continue;
    if (all.some((b) => b.length > bytes.length && b.subarray(0, bytes.length).equals(bytes))) continue;
    lost.push(path);
  }
  return lost;
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
