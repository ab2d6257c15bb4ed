import { errnoCode } from '../errors.js';
import { nodeMsOfNs } from './times.js';
import type {
  CopyFileOptions,
  CopyFileResult,
  DirEntry,
  EntryType,
  FileHandle,
  FileStat,
  FileSystem,
  OpenFlags,
  SymlinkType,
} from './types.js';

/**
 * The subset of `node:fs/promises` that both Node and memfs implement. The library's
 * filesystem is one adapter over this shape, so the real disk and memfs behave alike
 * by construction; where they differ, the difference is in one place below.
 */
export interface PromisesApi {
  /**
   * With `{ bigint: true }` the stats carry `mtimeNs`/`atimeNs`, which copies use to keep
   * times to the microsecond; an implementation may ignore the option.
   */
  lstat(path: string, options?: { bigint?: boolean }): Promise<StatsLike>;
  stat(path: string, options?: { bigint?: boolean }): Promise<StatsLike>;
  readdir(path: string, options: { withFileTypes: true }): Promise<DirentLike[]>;
  readlink(path: string): Promise<string | { toString(): string }>;
  realpath(path: string): Promise<string | { toString(): string }>;
  mkdir(path: string, options?: { recursive?: boolean; mode?: number }): Promise<unknown>;
  readFile(path: string): Promise<Uint8Array | string>;
  writeFile(path: string, data: Uint8Array | string, options?: { mode?: number; flag?: string }): Promise<void>;
  open(path: string, flags: string, mode?: number): Promise<HandleLike>;
  copyFile(source: string, destination: string, mode?: number): Promise<void>;
  rename(source: string, destination: string): Promise<void>;
  symlink(target: string, path: string, type?: string): Promise<void>;
  link?(existingPath: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  utimes(path: string, atime: number, mtime: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
}

interface StatsLike {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  size: number | bigint;
  mode: number | bigint;
  mtimeMs: number | bigint;
  atimeMs: number | bigint;
  ino: number | bigint;
  dev: number | bigint;
  uid: number | bigint;
  nlink: number | bigint;
  /** Present on `{ bigint: true }` stats: the exact times in nanoseconds. */
  mtimeNs?: bigint;
  atimeNs?: bigint;
}

interface DirentLike {
  name: string | { toString(): string };
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

interface HandleLike {
  stat(): Promise<StatsLike>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  write(data: Uint8Array | string): Promise<unknown>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

let tempCounter = 0;

const COPYFILE_EXCL = 1;
const COPYFILE_FICLONE_FORCE = 4;

/** Errors of a clone request that mean "this filesystem cannot clone": remembered per device. */
const CLONE_UNSUPPORTED = new Set(['ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'ENOTTY', 'EINVAL']);
/** Errors of a clone request that the plain copy would meet too: thrown as they are. */
const CLONE_FATAL = new Set(['EEXIST', 'ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ENOSPC', 'EROFS']);

export function typeOf(s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryType {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'directory';
  return 'other';
}

const NS_PER_S = 1_000_000_000n;

/**
 * Whole milliseconds, rounded like `stat.mtime.getTime()` does in Node (half up, from the
 * double `sec * 1e3 + nsec / 1e6`). From nanoseconds when the stats have them: bigint
 * stats carry a truncated `mtimeMs`, which would floor instead.
 */
function roundMs(ms: number | bigint, ns: bigint | undefined): number {
  if (typeof ns === 'bigint') return nodeMsOfNs(ns);
  return Math.round(Number(ms));
}

/** Whole microseconds of a nanosecond time, floored (also before 1970). */
function floorUs(ns: bigint): number {
  return Number(ns >= 0n ? ns / 1000n : -((-ns + 999n) / 1000n));
}

export function toFileStat(s: StatsLike): FileStat {
  const stat: FileStat = {
    type: typeOf(s),
    size: Number(s.size),
    mode: Number(s.mode) & 0o7777,
    mtimeMs: roundMs(s.mtimeMs, s.mtimeNs),
    atimeMs: roundMs(s.atimeMs, s.atimeNs),
    ino: Number(s.ino),
    dev: Number(s.dev),
    uid: Number(s.uid),
    nlink: Number(s.nlink),
  };
  if (typeof s.mtimeNs === 'bigint') stat.mtimeUs = floorUs(s.mtimeNs);
  return stat;
}

/**
 * Converts integer milliseconds to the seconds value utimes takes, half a microsecond
 * past the millisecond: Node passes seconds as a double, and `ms / 1000` lands a few
 * hundred nanoseconds below `ms` about half the time, which a flooring reader sees as
 * `ms - 1`. The offset keeps both rounding and flooring readers on `ms`.
 */
export function msToUtimeSeconds(ms: number): number {
  return (ms + 0.0005) / 1000;
}

/**
 * The seconds value for utimes that gives a copy the same time as its source, to the
 * microsecond (what utimes can set on Linux and macOS): exact from nanoseconds when the
 * stats have them, else the nearest microsecond of the double `ms`; half a microsecond
 * is added for the same reason as in {@link msToUtimeSeconds}. Keeping the sub-millisecond
 * part matters: a source at `…123.6` ms floors to 123 and rounds to 124, and a copy set to
 * whole milliseconds cannot agree with it both ways.
 */
export function preciseUtimeSeconds(ms: number | bigint, ns?: bigint): number {
  if (typeof ns === 'bigint' && ns >= 0n) {
    return Number(ns / NS_PER_S) + (Number((ns % NS_PER_S) / 1000n) + 0.5) / 1e6;
  }
  return (Math.round(Number(ms) * 1000) + 0.5) / 1e6;
}

export interface AdapterOptions {
  kind: string;
  sep: '/' | '\\';
  /** Whether copyFile may ask for a clone (FICLONE); memfs does not know the flag. */
  clone: boolean;
  /**
   * Behave like POSIX where memfs (4.x) does not: refuse, before calling the API,
   * `rename` of a folder over a non-empty folder (memfs drops the target's contents), of
   * a folder over a file, of a file over a folder, of a folder into itself, and
   * `mkdir -p` over an existing non-folder, with Node's codes (`ENOTEMPTY`, `ENOTDIR`,
   * `EISDIR`, `EINVAL`, `EEXIST`); and rename symlinks by recreating them (memfs follows
   * a link given to rename and moves its target). Not needed on a real disk.
   * @default false
   */
  emulatePosix?: boolean;
}

export class PromisesFileSystem implements FileSystem {
  readonly kind: string;
  readonly sep: '/' | '\\';
  readonly #api: PromisesApi;
  readonly #clone: boolean;
  readonly #emulatePosix: boolean;
  readonly #noCloneDevices = new Set<number>();

  constructor(api: PromisesApi, options: AdapterOptions) {
    this.#api = api;
    this.kind = options.kind;
    this.sep = options.sep;
    this.#clone = options.clone;
    this.#emulatePosix = options.emulatePosix ?? false;
  }

  // Bigint stats cost about the same as plain ones and give the exact time, which the
  // executor needs to compare a copy with its source (see FileStat.mtimeUs).
  async lstat(path: string): Promise<FileStat> {
    return toFileStat(await this.#api.lstat(path, { bigint: true }));
  }

  async stat(path: string): Promise<FileStat> {
    return toFileStat(await this.#api.stat(path, { bigint: true }));
  }

  async readdir(path: string): Promise<DirEntry[]> {
    const entries = await this.#api.readdir(path, { withFileTypes: true });
    return entries.map((e) => ({ name: String(e.name), type: typeOf(e) }));
  }

  async readlink(path: string): Promise<string> {
    return String(await this.#api.readlink(path));
  }

  async realpath(path: string): Promise<string> {
    return String(await this.#api.realpath(path));
  }

  async mkdir(path: string, options: { recursive?: boolean; mode?: number } = {}): Promise<void> {
    if (this.#emulatePosix && options.recursive) {
      const existing = await this.#statOrUndefined(path, 'lstat');
      if (existing !== undefined) {
        const target = existing.isSymbolicLink() ? await this.#statOrUndefined(path, 'stat') : existing;
        if (target?.isDirectory()) return;
        // Node answers ENOENT for a dangling link (its mkdir -p stats the target).
        throw target === undefined
          ? posixError('ENOENT', 'no such file or directory', 'mkdir', path)
          : posixError('EEXIST', 'file already exists', 'mkdir', path);
      }
    }
    await this.#api.mkdir(path, { recursive: options.recursive ?? false, mode: options.mode ?? 0o777 });
  }

  async readFile(path: string): Promise<Uint8Array> {
    const data = await this.#api.readFile(path);
    return typeof data === 'string' ? new TextEncoder().encode(data) : data;
  }

  async writeFile(
    path: string,
    data: Uint8Array | string,
    options: { mode?: number; exclusive?: boolean } = {},
  ): Promise<void> {
    await this.#api.writeFile(path, data, { mode: options.mode ?? 0o666, flag: options.exclusive ? 'wx' : 'w' });
  }

  async open(path: string, flags: OpenFlags, mode?: number): Promise<FileHandle> {
    const handle = await this.#api.open(path, flags, mode ?? 0o666);
    return {
      stat: async () => toFileStat(await handle.stat()),
      read: async (buffer, offset, length, position) => (await handle.read(buffer, offset, length, position)).bytesRead,
      write: async (data) => {
        await handle.write(data);
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  }

  async copyFile(source: string, destination: string, options: CopyFileOptions = {}): Promise<CopyFileResult> {
    if (options.exclusive === false) return this.#replaceByCopy(source, destination);
    const raw = await this.#lstatPrecise(source);
    const before = toFileStat(raw);
    if (before.type !== 'file') {
      throw Object.assign(new Error(`EINVAL: not a regular file, copyfile '${source}'`), {
        code: 'EINVAL',
        path: source,
      });
    }
    const excl = COPYFILE_EXCL;
    let cloned = false;
    if (this.#clone && before.size > 0 && !this.#noCloneDevices.has(before.dev)) {
      // FICLONE_FORCE fails where the filesystem cannot clone, so a success is a real
      // clone. Only "cannot clone here" errors are remembered per device: a clone across
      // devices (EXDEV) or into a bad destination says nothing about the next copy.
      try {
        await this.#api.copyFile(source, destination, excl | COPYFILE_FICLONE_FORCE);
        cloned = true;
      } catch (error) {
        const code = errnoCode(error) ?? '';
        if (CLONE_FATAL.has(code)) throw error;
        if (CLONE_UNSUPPORTED.has(code)) this.#noCloneDevices.add(before.dev);
      }
    }
    if (!cloned) await this.#api.copyFile(source, destination, excl);
    // libuv's copyfile already gives the copy the source's mode (fchmod); memfs does not.
    if (this.kind !== 'node') await this.#api.chmod(destination, before.mode);
    await this.#copyTimes(raw, destination);
    return { cloned };
  }

  /**
   * A non-exclusive copy: an exclusive copy beside the destination, then a rename over it.
   * Node's own non-exclusive copyFile truncates the destination first, writes through a
   * link found there, and unlinks the destination when it fails (as a refused clone
   * request does on every filesystem that cannot clone): the old content would be lost.
   */
  async #replaceByCopy(source: string, destination: string): Promise<CopyFileResult> {
    const temp = `${destination}.${(tempCounter++).toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
    const result = await this.copyFile(source, temp, { exclusive: true });
    try {
      await this.rename(temp, destination);
    } catch (error) {
      try {
        await this.#api.unlink(temp);
      } catch {
        // Keep the original error.
      }
      throw error;
    }
    return result;
  }

  async rename(source: string, destination: string): Promise<void> {
    if (this.#emulatePosix && (await this.#posixRename(source, destination))) return;
    try {
      await this.#api.rename(source, destination);
    } catch (error) {
      if (errnoCode(error) !== 'EXDEV') throw error;
      await this.#moveAcrossDevices(source, destination);
    }
  }

  /**
   * For APIs that do not behave like rename(2) (memfs): refuses up front what POSIX
   * refuses, and moves a symlink itself (memfs 4 follows the link and moves its target,
   * or fails with EINVAL/ENOENT). Returns true when the move is done.
   */
  async #posixRename(source: string, destination: string): Promise<boolean> {
    const src = await this.#api.lstat(source);
    if (source === destination) return true;
    const dst = await this.#statOrUndefined(destination, 'lstat');
    if (dst !== undefined && Number(dst.ino) === Number(src.ino) && Number(dst.dev) === Number(src.dev)) return true;
    if (src.isDirectory()) {
      const prefix = source.endsWith(this.sep) ? source : source + this.sep;
      if (destination.startsWith(prefix)) {
        throw posixError('EINVAL', 'invalid argument', 'rename', source, destination);
      }
      if (dst === undefined) return false;
      if (!dst.isDirectory()) throw posixError('ENOTDIR', 'not a directory', 'rename', source, destination);
      const entries = await this.#api.readdir(destination, { withFileTypes: true });
      if (entries.length > 0) throw posixError('ENOTEMPTY', 'directory not empty', 'rename', source, destination);
      return false;
    }
    if (dst?.isDirectory()) {
      throw posixError('EISDIR', 'illegal operation on a directory', 'rename', source, destination);
    }
    if (!src.isSymbolicLink()) return false;
    const text = String(await this.#api.readlink(source));
    if (dst !== undefined) await this.#api.unlink(destination);
    await this.#api.symlink(text, destination);
    await this.#api.unlink(source);
    return true;
  }

  async #statOrUndefined(path: string, how: 'lstat' | 'stat'): Promise<StatsLike | undefined> {
    try {
      return await this.#api[how](path);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ELOOP') return undefined;
      throw error;
    }
  }

  /** lstat with nanosecond times where the API offers them. */
  async #lstatPrecise(path: string): Promise<StatsLike> {
    return this.#api.lstat(path, { bigint: true });
  }

  /** Gives `destination` the times of the stats `raw`, to the microsecond. */
  async #copyTimes(raw: StatsLike, destination: string): Promise<void> {
    await this.#api.utimes(
      destination,
      preciseUtimeSeconds(raw.atimeMs, raw.atimeNs),
      preciseUtimeSeconds(raw.mtimeMs, raw.mtimeNs),
    );
  }

  /**
   * A move across devices, in three steps so that a failure never leaves the tree split
   * between two places: copy everything (modes and times kept, links recreated as links);
   * check that no source file changed during the copy; then remove the source, deepest
   * first. If the copy or the check fails, what this move created is removed again and
   * the source is as it was.
   */
  async #moveAcrossDevices(source: string, destination: string): Promise<void> {
    const created: { path: string; directory: boolean }[] = [];
    const copied: { path: string; stat: FileStat }[] = [];
    try {
      await this.#copyTree(source, destination, created, copied);
      for (const { path, stat } of copied) {
        const now = await this.lstat(path);
        if (now.size !== stat.size || now.mtimeMs !== stat.mtimeMs || now.ino !== stat.ino) {
          throw Object.assign(
            new Error(`EAGAIN: ${path} changed while it was being moved to another device; nothing was moved`),
            { code: 'EAGAIN', path },
          );
        }
      }
    } catch (error) {
      for (const entry of created.reverse()) {
        try {
          if (entry.directory) await this.#api.rmdir(entry.path);
          else await this.#api.unlink(entry.path);
        } catch {
          // Keep the original error; a leftover copy loses nothing.
        }
      }
      throw error;
    }
    await this.#removeTree(source);
  }

  async #copyTree(
    source: string,
    destination: string,
    created: { path: string; directory: boolean }[],
    copied: { path: string; stat: FileStat }[],
  ): Promise<void> {
    const raw = await this.#lstatPrecise(source);
    const st = toFileStat(raw);
    if (st.type === 'directory') {
      // Owner-writable while it fills, whatever the source's mode; the mode comes last.
      await this.#api.mkdir(destination, { mode: 0o700 });
      created.push({ path: destination, directory: true });
      for (const entry of await this.readdir(source)) {
        await this.#copyTree(
          join(source, entry.name, this.sep),
          join(destination, entry.name, this.sep),
          created,
          copied,
        );
      }
      await this.#api.chmod(destination, st.mode);
      await this.#copyTimes(raw, destination);
    } else if (st.type === 'symlink') {
      await this.symlink(await this.readlink(source), destination);
      created.push({ path: destination, directory: false });
    } else {
      await this.copyFile(source, destination, { exclusive: true });
      created.push({ path: destination, directory: false });
      const out = await this.lstat(destination);
      if (out.size !== st.size) {
        throw Object.assign(new Error(`EIO: copy of ${source} to ${destination} has the wrong size`), {
          code: 'EIO',
          path: destination,
        });
      }
      copied.push({ path: source, stat: st });
    }
  }

  async #removeTree(path: string): Promise<void> {
    const st = await this.lstat(path);
    if (st.type === 'directory') {
      for (const entry of await this.readdir(path)) await this.#removeTree(join(path, entry.name, this.sep));
      await this.#api.rmdir(path);
    } else {
      await this.#api.unlink(path);
    }
  }

  async symlink(target: string, path: string, type?: SymlinkType): Promise<void> {
    await this.#api.symlink(target, path, type);
  }

  async unlink(path: string): Promise<void> {
    await this.#api.unlink(path);
  }

  async link(existingPath: string, newPath: string): Promise<void> {
    if (!this.#api.link) {
      throw Object.assign(new Error(`ENOTSUP: hard links are not supported, link '${newPath}'`), {
        code: 'ENOTSUP',
        path: newPath,
      });
    }
    await this.#api.link(existingPath, newPath);
  }

  async rmdir(path: string): Promise<void> {
    await this.#api.rmdir(path);
  }

  async utimes(path: string, atimeMs: number, mtimeMs: number): Promise<void> {
    await this.#api.utimes(path, msToUtimeSeconds(atimeMs), msToUtimeSeconds(mtimeMs));
  }

  async chmod(path: string, mode: number): Promise<void> {
    await this.#api.chmod(path, mode);
  }

  async copyTimes(source: string, destination: string): Promise<void> {
    await this.#copyTimes(await this.#lstatPrecise(source), destination);
  }
}

/** An error shaped like Node's (`code`, `errno`-style message, `syscall`, `path`, `dest`). */
function posixError(code: string, text: string, syscall: string, path: string, dest?: string): Error {
  const where = dest === undefined ? `'${path}'` : `'${path}' -> '${dest}'`;
  return Object.assign(new Error(`${code}: ${text}, ${syscall} ${where}`), {
    code,
    syscall,
    path,
    ...(dest === undefined ? {} : { dest }),
  });
}

function join(dir: string, name: string, sep: string): string {
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}
