import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import type { FileSystem } from '../../src/fs/types.js';

export interface TreeEntry {
  type: 'file' | 'directory' | 'symlink' | 'other';
  /** Permission bits (0 for a link). */
  mode: number;
  /** Files, and folders with `dirMtimes`. */
  mtimeMs?: number;
  /** Files and folders, with `atimes`. */
  atimeMs?: number;
  size?: number;
  /** Files: SHA-256 of the content (without `contents`). */
  sha256?: string;
  /** Files: the content (with `contents`). */
  content?: Buffer;
  /** Links: the link text (never followed). */
  link?: string;
}

/** A dump: every entry under a root, in walk order (a folder before what it holds). */
export type Tree = Record<string, TreeEntry>;

export interface DumpOptions {
  /**
   * Record folders' mtimes too. Every create and remove touches them, so this holds only
   * when an operation promises to put them back (a refused or undone apply does).
   * @default false
   */
  dirMtimes?: boolean;
  /** Record atimes of files and folders (to restore a dump exactly). @default false */
  atimes?: boolean;
  /** Keep each file's bytes instead of a hash. @default false */
  contents?: boolean;
  /** Key entries by absolute path instead of the path relative to the root. @default false */
  absolute?: boolean;
}

/**
 * Everything under `root` through a {@link FileSystem}, as `{ path: entry }`: type, mode,
 * and for files size, mtime and a content hash (or the bytes); for links their text
 * (never followed). Two dumps are equal exactly when nothing under `root` changed (folder
 * mtimes aside unless `dirMtimes`, since every create and remove touches them).
 */
export async function dumpTree(fs: FileSystem, root: string, options: DumpOptions = {}): Promise<Tree> {
  const out: Tree = {};
  const walk = async (dir: string, rel: string) => {
    for (const entry of (await fs.readdir(dir)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const key = options.absolute ? path : relPath;
      const st = await fs.lstat(path);
      const atime = options.atimes ? { atimeMs: st.atimeMs } : {};
      if (st.type === 'file') {
        const { mode, mtimeMs, size } = st;
        if (options.contents) {
          out[key] = { type: 'file', mode, mtimeMs, ...atime, size, content: Buffer.from(await fs.readFile(path)) };
          continue;
        }
        // A huge (sparse) file is not read whole: its size and mtime stand for it.
        const sha256 =
          size > WHOLE_HASH_LIMIT
            ? `size-only:${size}`
            : createHash('sha256')
                .update(await fs.readFile(path))
                .digest('hex');
        out[key] = { type: 'file', mode, mtimeMs, ...atime, size, sha256 };
      } else if (st.type === 'symlink') {
        out[key] = { type: 'symlink', mode: 0, link: await fs.readlink(path) };
      } else if (st.type === 'directory') {
        out[key] = {
          type: 'directory',
          mode: st.mode,
          ...(options.dirMtimes ? { mtimeMs: st.mtimeMs } : {}),
          ...atime,
        };
        await walk(path, relPath);
      } else {
        out[key] = { type: 'other', mode: st.mode };
      }
    }
  };
  await walk(root, '');
  return out;
}

/** What the fault sweeps and crash runs compare and restore: absolute paths, bytes, every time. */
export const SNAPSHOT: DumpOptions = { dirMtimes: true, atimes: true, contents: true, absolute: true };

/** {@link dumpTree} with {@link SNAPSHOT}: a tree that {@link restoreOnMemfs} can rebuild exactly. */
export function snapshot(fs: FileSystem, root: string): Promise<Tree> {
  return dumpTree(fs, root, SNAPSHOT);
}

export interface DiffOptions {
  /** Ignore every folder's mtime. */
  dirTimes?: boolean;
  /** Ignore the mtime of files whose path matches. */
  fileTimes?: RegExp;
}

/** Human-readable differences between two dumps made with `contents` (empty when equal); atimes are not compared. */
export function diff(a: Tree, b: Tree, options: DiffOptions = {}): string[] {
  const out: string[] = [];
  for (const [path, x] of Object.entries(a)) {
    const y = b[path];
    if (!y) {
      out.push(`- ${path} (${x.type})`);
      continue;
    }
    if (x.type !== y.type) {
      out.push(`~ ${path}: ${x.type} -> ${y.type}`);
      continue;
    }
    if (x.type === 'file') {
      if (x.size !== y.size || !x.content?.equals(y.content ?? Buffer.alloc(0)))
        out.push(`~ ${path}: content ${x.size} -> ${y.size} bytes`);
      if (x.mode !== y.mode) out.push(`~ ${path}: mode ${x.mode.toString(8)} -> ${y.mode.toString(8)}`);
      if (x.mtimeMs !== y.mtimeMs && !options.fileTimes?.test(path))
        out.push(`~ ${path}: mtime ${x.mtimeMs} -> ${y.mtimeMs}`);
    } else if (x.type === 'directory') {
      if (x.mode !== y.mode) out.push(`~ ${path}/: mode ${x.mode.toString(8)} -> ${y.mode.toString(8)}`);
      if (x.mtimeMs !== y.mtimeMs && !options.dirTimes) out.push(`~ ${path}/: mtime ${x.mtimeMs} -> ${y.mtimeMs}`);
    } else if (x.type === 'symlink' && x.link !== y.link) {
      out.push(`~ ${path}: link ${x.link} -> ${y.link}`);
    }
  }
  for (const [path, y] of Object.entries(b)) if (!(path in a)) out.push(`+ ${path} (${y.type})`);
  return out;
}

/** A new memfs filesystem holding exactly a {@link snapshot} (contents, modes, times, links). */
export async function restoreOnMemfs(tree: Tree, root: string): Promise<FileSystem> {
  const json: Record<string, Buffer | null> = { [root]: null };
  for (const [path, e] of Object.entries(tree)) {
    if (e.type === 'file') json[path] = e.content ?? null;
    else if (e.type === 'directory') json[path] = null;
  }
  const fs = createMemFileSystem(Volume.fromJSON(json));
  for (const [path, e] of Object.entries(tree)) if (e.type === 'symlink') await fs.symlink(e.link ?? '', path);
  for (const [path, e] of Object.entries(tree)) {
    if (e.type === 'file' || e.type === 'directory') await fs.chmod(path, e.mode);
  }
  // Deepest first, so that setting a folder's times is not undone by its children.
  for (const [path, e] of Object.entries(tree).reverse()) {
    if (e.type === 'file' || e.type === 'directory') await fs.utimes(path, e.atimeMs ?? 0, e.mtimeMs ?? 0);
  }
  return fs;
}

/** The files' contents, by path, of a dump made with `contents` (for the no-byte-lost check). */
export function contents(tree: Tree): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [path, e] of Object.entries(tree)) if (e.type === 'file' && e.content) out.set(path, e.content);
  return out;
}

/**
 * The original files whose bytes are found nowhere in `now` (a dump made with
 * `contents`), whole or as the start of a longer file (a transcript only grows).
 * Empty = no byte lost.
 */
export function lostFiles(originals: Map<string, Buffer>, now: Tree): string[] {
  const bySize = new Map<number, Buffer[]>();
  const all: Buffer[] = [];
  for (const e of Object.values(now)) {
    if (e.type !== 'file' || !e.content) continue;
    all.push(e.content);
    const list = bySize.get(e.content.length) ?? [];
    list.push(e.content);
    bySize.set(e.content.length, list);
  }
  const lost: string[] = [];
  for (const [path, bytes] of originals) {
    if (bySize.get(bytes.length)?.some((b) => b.equals(bytes))) continue;
    if (all.some((b) => b.length > bytes.length && b.subarray(0, bytes.length).equals(bytes))) continue;
    lost.push(path);
  }
  return lost;
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
