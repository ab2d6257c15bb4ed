import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
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
        // A huge (sparse) file is not read whole: its size and mtime stand for it.
        const sha256 =
          st.size > WHOLE_HASH_LIMIT
            ? `size-only:${st.size}`
            : createHash('sha256')
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

/** Files above this size are hashed by their first and last MiB (plus size and mtime). */
const WHOLE_HASH_LIMIT = 64 * 1024 * 1024;

export interface DiskEntry {
  type: 'file' | 'directory' | 'symlink' | 'fifo' | 'socket' | 'other';
  mode: number;
  uid: number;
  /** Files, links and (with `dirMtimes`) folders. */
  mtimeMs?: number;
  size?: number;
  /** Files: SHA-256 of the content (of the first and last MiB for files over 64 MiB). */
  sha256?: string;
  /** Links: the link text (never followed). */
  link?: string;
}

export interface DumpDiskOptions {
  /**
   * Record folders' mtimes too. Every create and remove touches them, so this holds only
   * when an operation promises to put them back (a refused or undone apply does).
   * @default false
   */
  dirMtimes?: boolean;
}

/**
 * Everything under `root` on the real disk, read with node:fs and Buffer names (so that
 * names that are not valid UTF-8 are dumped too): type, mode, owner, mtime (ms with the
 * sub-millisecond part), size, content hash and link text. Never opens anything but
 * regular files, never follows a link, and never reads a huge file whole. Keys are the
 * relative paths, with bytes that are not UTF-8 shown as `\xNN`.
 */
export function dumpDisk(root: string, options: DumpDiskOptions = {}): Record<string, DiskEntry> {
  const out: Record<string, DiskEntry> = {};
  const walk = (dir: Buffer, rel: string) => {
    const names = (readdirSync(dir, { encoding: 'buffer' }) as Buffer[]).sort(Buffer.compare);
    for (const name of names) {
      const path = Buffer.concat([dir, Buffer.from('/'), name]);
      const relPath = rel ? `${rel}/${showName(name)}` : showName(name);
      const st = lstatSync(path, { bigint: true });
      const mode = Number(st.mode & 0o7777n);
      const uid = Number(st.uid);
      const mtimeMs = Number(st.mtimeNs) / 1e6;
      if (st.isFile()) {
        out[relPath] = { type: 'file', mode, uid, mtimeMs, size: Number(st.size), sha256: hashPath(path, st.size) };
      } else if (st.isSymbolicLink()) {
        out[relPath] = {
          type: 'symlink',
          mode: 0,
          uid,
          mtimeMs,
          link: showName(readlinkSync(path, { encoding: 'buffer' })),
        };
      } else if (st.isDirectory()) {
        out[relPath] = { type: 'directory', mode, uid, ...(options.dirMtimes ? { mtimeMs } : {}) };
        walk(path, relPath);
      } else {
        const type = st.isFIFO() ? 'fifo' : st.isSocket() ? 'socket' : 'other';
        out[relPath] = { type, mode, uid, mtimeMs };
      }
    }
  };
  walk(Buffer.from(root), '');
  return out;
}

function showName(name: Buffer): string {
  const text = name.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(name)) return text;
  return [...name]
    .map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`))
    .join('');
}

function hashPath(path: Buffer, size: bigint): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const total = Number(size);
    const readAt = (position: number, length: number) => {
      const buffer = Buffer.alloc(length);
      let filled = 0;
      while (filled < length) {
        const n = readSync(fd, buffer, filled, length - filled, position + filled);
        if (n === 0) break;
        filled += n;
      }
      hash.update(buffer.subarray(0, filled));
    };
    if (total <= WHOLE_HASH_LIMIT) {
      for (let position = 0; position < total; position += 1 << 20)
        readAt(position, Math.min(1 << 20, total - position));
    } else {
      readAt(0, 1 << 20);
      readAt(total - (1 << 20), 1 << 20);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
