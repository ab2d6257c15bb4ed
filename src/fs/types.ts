/**
 * The narrow filesystem interface the library uses. Everything that reads or writes the
 * disk goes through it, so that a plan can be previewed on memfs, faults can be injected
 * in tests, and bytes read can be counted. Paths are absolute and use the host's
 * separator.
 */

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface FileStat {
  type: EntryType;
  size: number;
  /** Permission bits only (`mode & 0o7777`). */
  mode: number;
  /**
   * Modification time in whole milliseconds, rounded the way `stat.mtime.getTime()`
   * rounds (Claude Code and its SDK read it that way).
   */
  mtimeMs: number;
  atimeMs: number;
  ino: number;
  dev: number;
  uid: number;
  nlink: number;
}

export interface DirEntry {
  name: string;
  type: EntryType;
}

/** An open file. Positions are absolute byte offsets. */
export interface FileHandle {
  stat(): Promise<FileStat>;
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; returns bytes read. */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** Appends or writes `data` at the handle's current position. */
  write(data: Uint8Array | string): Promise<void>;
  /** Flushes data and metadata to the device (fsync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export type OpenFlags = 'r' | 'a' | 'wx' | 'w' | 'r+';

export interface CopyFileOptions {
  /** Fail with EEXIST instead of replacing an existing destination. @default true */
  exclusive?: boolean;
}

export interface CopyFileResult {
  /** True when the copy was a clone (reflink) sharing blocks with the source. */
  cloned: boolean;
}

export type SymlinkType = 'dir' | 'file' | 'junction';

export interface FileSystem {
  /** What backs this filesystem, for messages and for tests: `node`, `memfs`, ... */
  readonly kind: string;
  /** Path separator of this filesystem. */
  readonly sep: '/' | '\\';
  lstat(path: string): Promise<FileStat>;
  stat(path: string): Promise<FileStat>;
  readdir(path: string): Promise<DirEntry[]>;
  readlink(path: string): Promise<string>;
  realpath(path: string): Promise<string>;
  /** Creates a folder; with `recursive`, its missing parents too and no error if present. */
  mkdir(path: string, options?: { recursive?: boolean; mode?: number }): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  /** Writes a whole file; `exclusive` fails with EEXIST when it exists. */
  writeFile(path: string, data: Uint8Array | string, options?: { mode?: number; exclusive?: boolean }): Promise<void>;
  open(path: string, flags: OpenFlags, mode?: number): Promise<FileHandle>;
  /**
   * Copies a regular file keeping its content, permission bits and mtime (to the ms).
   * Clones (reflink) where the filesystem offers it, else copies the bytes.
   */
  copyFile(source: string, destination: string, options?: CopyFileOptions): Promise<CopyFileResult>;
  /**
   * Renames a file, folder or link. Across devices (EXDEV) it falls back to copying with
   * modes and mtimes kept, then removing the source.
   */
  rename(source: string, destination: string): Promise<void>;
  /** Creates a link at `path` pointing to `target`. `junction` is used on Windows for folders. */
  symlink(target: string, path: string, type?: SymlinkType): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Removes an empty folder. */
  rmdir(path: string): Promise<void>;
  /** Sets times exactly to the millisecond. */
  utimes(path: string, atimeMs: number, mtimeMs: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
}
