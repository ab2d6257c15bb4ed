import { errnoCode } from '../errors.js';
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
  lstat(path: string): Promise<StatsLike>;
  stat(path: string): Promise<StatsLike>;
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

const COPYFILE_EXCL = 1;
const COPYFILE_FICLONE_FORCE = 4;

function typeOf(s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryType {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'directory';
  return 'other';
}

/** Rounds like `new Date(mtimeMs).getTime()` does in Node (half up). */
function roundMs(value: number | bigint): number {
  return Math.round(Number(value));
}

export function toFileStat(s: StatsLike): FileStat {
  return {
    type: typeOf(s),
    size: Number(s.size),
    mode: Number(s.mode) & 0o7777,
    mtimeMs: roundMs(s.mtimeMs),
    atimeMs: roundMs(s.atimeMs),
    ino: Number(s.ino),
    dev: Number(s.dev),
    uid: Number(s.uid),
    nlink: Number(s.nlink),
  };
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

export interface AdapterOptions {
  kind: string;
  sep: '/' | '\\';
  /** Whether copyFile may ask for a clone (FICLONE); memfs does not know the flag. */
  clone: boolean;
}

export class PromisesFileSystem implements FileSystem {
  readonly kind: string;
  readonly sep: '/' | '\\';
  readonly #api: PromisesApi;
  readonly #clone: boolean;
  readonly #noCloneDevices = new Set<number>();

  constructor(api: PromisesApi, options: AdapterOptions) {
    this.#api = api;
    this.kind = options.kind;
    this.sep = options.sep;
    this.#clone = options.clone;
  }

  async lstat(path: string): Promise<FileStat> {
    return toFileStat(await this.#api.lstat(path));
  }

  async stat(path: string): Promise<FileStat> {
    return toFileStat(await this.#api.stat(path));
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
    const exclusive = options.exclusive ?? true;
    const before = await this.lstat(source);
    if (before.type !== 'file') {
      throw Object.assign(new Error(`EINVAL: not a regular file, copyfile '${source}'`), {
        code: 'EINVAL',
        path: source,
      });
    }
    const excl = exclusive ? COPYFILE_EXCL : 0;
    let cloned = false;
    if (this.#clone && before.size > 0 && !this.#noCloneDevices.has(before.dev)) {
      // FICLONE_FORCE fails where the filesystem cannot clone, so a success is a real
      // clone; after one failure on a device we stop asking there.
      try {
        await this.#api.copyFile(source, destination, excl | COPYFILE_FICLONE_FORCE);
        cloned = true;
      } catch (error) {
        const code = errnoCode(error);
        if (code === 'EEXIST' || code === 'ENOENT' || code === 'EACCES' || code === 'EPERM') throw error;
        this.#noCloneDevices.add(before.dev);
      }
    }
    if (!cloned) await this.#api.copyFile(source, destination, excl);
    await this.#api.chmod(destination, before.mode);
    await this.utimes(destination, before.atimeMs, before.mtimeMs);
    return { cloned };
  }

  async rename(source: string, destination: string): Promise<void> {
    try {
      await this.#api.rename(source, destination);
    } catch (error) {
      if (errnoCode(error) !== 'EXDEV') throw error;
      await this.#moveAcrossDevices(source, destination);
    }
  }

  /** Copy (modes and mtimes kept, links recreated), then remove the source, deepest first. */
  async #moveAcrossDevices(source: string, destination: string): Promise<void> {
    const st = await this.lstat(source);
    if (st.type === 'directory') {
      await this.mkdir(destination, { mode: st.mode });
      for (const entry of await this.readdir(source)) {
        await this.#moveAcrossDevices(join(source, entry.name, this.sep), join(destination, entry.name, this.sep));
      }
      await this.chmod(destination, st.mode);
      await this.utimes(destination, st.atimeMs, st.mtimeMs);
      await this.rmdir(source);
    } else if (st.type === 'symlink') {
      await this.symlink(await this.readlink(source), destination);
      await this.unlink(source);
    } else {
      await this.copyFile(source, destination, { exclusive: true });
      const copied = await this.lstat(destination);
      if (copied.size !== st.size) {
        throw Object.assign(new Error(`EIO: copy of ${source} to ${destination} has the wrong size`), { code: 'EIO' });
      }
      await this.unlink(source);
    }
  }

  async symlink(target: string, path: string, type?: SymlinkType): Promise<void> {
    await this.#api.symlink(target, path, type);
  }

  async unlink(path: string): Promise<void> {
    await this.#api.unlink(path);
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
}

function join(dir: string, name: string, sep: string): string {
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}
