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
  /**
   * Modification time in whole microseconds since the epoch, floored, where the
   * filesystem reports nanoseconds (the real disk; memfs reports whole ms here too).
   * A copy's time can be set to the microsecond and no finer (Node's utimes takes a
   * double and libuv truncates it to microseconds), so a copy is compared with its
   * source on this value: the same microsecond means the same millisecond both floored
   * and rounded, and less than 1 µs apart. `mtimeMs` cannot serve: rounded through a
   * double as Node does, a source at `…640.499921` ms reads 641 while its copy at
   * `…640.499` reads 640.
   */
  mtimeUs?: number;
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
  /**
   * Fail with EEXIST instead of replacing an existing destination. With `false`, the copy
   * is made beside the destination and renamed over it: the old content stays whole until
   * the new one is complete, and a link at the destination is replaced, never written
   * through.
   * @default true
   */
  exclusive?: boolean;
}

export interface CopyFileResult {
  /** True when the copy was a clone (reflink) sharing blocks with the source. */
  cloned: boolean;
}

export type SymlinkType = 'dir' | 'file' | 'junction';

/**
 * Reads on file descriptors, without the objects of a {@link FileHandle}: for callers that
 * read small ranges of many files, where those objects cost more than the reads. Optional
 * on a {@link FileSystem}; the same files as its `open`.
 */
export interface DescriptorReads {
  /** Opens for reading; resolves to a descriptor. */
  open(path: string): Promise<number>;
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; resolves to bytes read. */
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** The open file's size now. */
  size(fd: number): Promise<number>;
  close(fd: number): Promise<void>;
}

/**
 * Synchronous reads on file descriptors, for a thread whose only job is reading many small
 * ranges (the listing's worker threads): blocking there costs the main thread nothing and
 * saves the thread pool's round trips. Optional on a {@link FileSystem}.
 */
export interface SyncReads {
  lstat(path: string): FileStat;
  /** Opens for reading; returns a descriptor. */
  open(path: string): number;
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; returns bytes read. */
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** The open file's size now. */
  size(fd: number): number;
  close(fd: number): void;
  /** Entries of a folder, as {@link FileSystem.readdir}. Optional. */
  readdir?(path: string): DirEntry[];
  /**
   * As {@link FileSystem.lstat}, with the same exact times (`mtimeMs` rounded from the
   * nanoseconds, `mtimeUs`), so that a value read here matches one the executor reads.
   * Optional.
   */
  lstatExact?(path: string): FileStat;
  /** The text of a link, as {@link FileSystem.readlink}. Optional. */
  readlink?(path: string): string;
  /**
   * Which file an open descriptor reads, as `device:inode`: two descriptors with the same
   * identity read the same bytes (hard links of one file). Optional.
   */
  identity?(fd: number): string;
}

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
   * Copies a regular file keeping its content, permission bits and times: to the
   * microsecond where the filesystem keeps them (so that readers that floor and readers
   * that round the milliseconds both see the source's value), to the ms on memfs. Clones
   * (reflink) where the filesystem offers it, else copies the bytes. The source must be a
   * regular file (EINVAL for a folder or a link); `exclusive` (the default) refuses any
   * existing destination, a dangling link included, with EEXIST.
   */
  copyFile(source: string, destination: string, options?: CopyFileOptions): Promise<CopyFileResult>;
  /**
   * Renames a file, folder or link (a link is moved, never its target), with rename(2)'s
   * rules on every implementation (ENOTEMPTY, ENOTDIR, EISDIR, EINVAL). Across devices
   * (EXDEV) it copies the whole tree (modes and times kept, links recreated), checks that
   * no source file changed meanwhile, and only then removes the source. That fallback
   * never replaces an existing destination (EEXIST), and when it fails (EEXIST, ENOSPC,
   * EAGAIN for a source written to during the copy, ...) it removes its partial copy and
   * leaves the source as it was.
   */
  rename(source: string, destination: string): Promise<void>;
  /** Creates a link at `path` pointing to `target`. `junction` is used on Windows for folders. */
  symlink(target: string, path: string, type?: SymlinkType): Promise<void>;
  unlink(path: string): Promise<void>;
  /**
   * Makes `newPath` a second name (hard link) of the file `existingPath`. Optional: a
   * filesystem without hard links leaves it out, and callers say so.
   */
  link?(existingPath: string, newPath: string): Promise<void>;
  /** Removes an empty folder. */
  rmdir(path: string): Promise<void>;
  /**
   * Sets times exactly to the millisecond; a fractional part is kept to the whole
   * microsecond where the filesystem keeps finer than ms (memfs keeps the ms).
   */
  utimes(path: string, atimeMs: number, mtimeMs: number): Promise<void>;
  /**
   * Gives `destination` the access and modification times of `source` (neither link is
   * followed on the way in: `source` is lstat'ed), to the microsecond where the
   * filesystem keeps them, as {@link copyFile} does. Optional: without it, callers fall
   * back to {@link utimes} with whole milliseconds.
   */
  copyTimes?(source: string, destination: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Optional fast path for bulk reads of small ranges: the same files as `open`'s. */
  readonly descriptors?: DescriptorReads;
  /**
   * Optional fast path for bulk reads: the same files as this filesystem's, read
   * synchronously. When present on a filesystem of kind `node`, the listing may also read
   * the files from worker threads (which open the real disk themselves).
   */
  readonly sync?: SyncReads;
  /**
   * Flushes to the device everything written so far to the filesystems holding `paths`
   * (data and metadata of every file and folder: `syncfs(2)`), in one call per
   * filesystem. Optional; resolves false when it could not (the caller then fsyncs each
   * file). Never throws for "not supported".
   */
  syncFileSystem?(paths: readonly string[]): Promise<boolean>;
  /**
   * Set by the real disk's adapter only: worker threads may make this filesystem's calls
   * themselves, synchronously, on the same disk, so the executor can run steps off the
   * main thread (see `docs/execution.md`, "Worker threads"). Wrappers that watch or change
   * calls leave it out, and then every call goes through them.
   */
  readonly sameInWorkers?: true;
}
