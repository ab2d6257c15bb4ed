/**
 * The one wrapper around a {@link FileSystem} that every suite uses to watch or break the
 * disk: each call, and each call on an open handle, goes through hooks. On top of it:
 * a fault injector (the k-th matching call fails, once or from then on; EACCES, ENOSPC,
 * EROFS, EIO, ... since CI runs as root and chmod cannot deny root), a recorder, a race
 * (a change made to the disk at a chosen call) and a spy that counts the bytes read.
 */
import type { FileHandle, FileStat, FileSystem, OpenFlags } from '../../src/fs/types.js';

/** One call on the filesystem. */
export interface FsCall {
  /**
   * `lstat`, `stat`, `readdir`, `readlink`, `realpath`, `mkdir`, `readFile`, `writeFile`,
   * `open:r`, `open:wx`, ... (`open:<flags>`), `copyFile`, `rename`, `symlink`, `link`,
   * `unlink`, `rmdir`, `utimes`, `chmod`, `copyTimes`, `syncFileSystem`; on a handle:
   * `fstat`, `read`, `write`, `sync` (fsync).
   */
  call: string;
  /** The path: for copyFile, rename and link the source, for symlink the link made, for copyTimes the destination. */
  path: string;
  /** copyFile, rename, link: the destination; symlink: the link's text; copyTimes: the source. */
  dest?: string;
  /** read: the bytes asked for, and where. */
  length?: number;
  position?: number;
}

/** Calls that change the disk. */
export const MUTATING: ReadonlySet<string> = new Set([
  'mkdir',
  'writeFile',
  'open:a',
  'open:wx',
  'open:w',
  'open:r+',
  'write',
  'copyFile',
  'rename',
  'symlink',
  'link',
  'unlink',
  'rmdir',
  'utimes',
  'chmod',
  'copyTimes',
]);

/** The calls a dying disk fails: those that change it, and fsync. */
export function isWrite(c: FsCall): boolean {
  return MUTATING.has(c.call) || c.call === 'sync';
}

/** True when `path` is `dir` itself or under it. */
export function under(dir: string, path: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** A call as one line: `rename /a -> /b`. */
export function describeCall(c: FsCall): string {
  return c.dest === undefined ? `${c.call} ${c.path}` : `${c.call} ${c.path} -> ${c.dest}`;
}

/** An error shaped like Node's and memfs's (`code`, `syscall`, `path`); its message names no cause, so that a test of the library's own message cannot pass on it. */
export function errnoError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected, ${syscall} '${path}'`), { code, syscall, path });
}

/**
 * Optional members of a {@link FileSystem}. The calls among them (`link`, `copyTimes`,
 * `syncFileSystem`) go through the hooks like the others; `descriptors` and `sync` are
 * passed as they are and bypass the hooks.
 */
export type OptionalMember = 'link' | 'copyTimes' | 'syncFileSystem' | 'descriptors' | 'sync';

/** Every optional member: the wrapper offers whatever the inner filesystem has. */
export const KEEP_ALL: readonly OptionalMember[] = ['link', 'copyTimes', 'syncFileSystem', 'descriptors', 'sync'];

export interface Hooks {
  /** Runs before the call; throw to make it fail without doing anything. */
  before?: (c: FsCall) => void | Promise<void>;
  /** Runs after the call succeeded, with what it returned. */
  after?: (c: FsCall, result: unknown) => void | Promise<void>;
  /** Rewrites what lstat, stat and a handle's stat report (a folder owned by someone else, ...). */
  stat?: (c: FsCall, stat: FileStat) => FileStat;
  /**
   * The optional members of the inner filesystem to offer; the others are left out, so
   * that the code under test takes its fallback (utimes instead of copyTimes, an fsync
   * per file instead of syncFileSystem, handles instead of descriptor reads).
   * @default ['link', 'copyTimes']
   */
  keep?: readonly OptionalMember[];
}

/** Wraps `inner` so that every call goes through `hooks`. */
export function hookFs(inner: FileSystem, hooks: Hooks = {}): FileSystem {
  const keep = new Set<OptionalMember>(hooks.keep ?? ['link', 'copyTimes']);
  const run = async <T>(c: FsCall, fn: () => Promise<T>): Promise<T> => {
    await hooks.before?.(c);
    const result = await fn();
    await hooks.after?.(c, result);
    return result;
  };
  const statted = async (c: FsCall, fn: () => Promise<FileStat>) => {
    const st = await run(c, fn);
    return hooks.stat ? hooks.stat(c, st) : st;
  };
  const wrapHandle = (h: FileHandle, path: string): FileHandle => ({
    stat: () => statted({ call: 'fstat', path }, () => h.stat()),
    read: (b, o, l, p) => run({ call: 'read', path, length: l, position: p }, () => h.read(b, o, l, p)),
    write: (d) => run({ call: 'write', path }, () => h.write(d)),
    sync: () => run({ call: 'sync', path }, () => h.sync()),
    close: () => h.close(),
  });
  const fs: FileSystem = {
    kind: inner.kind,
    sep: inner.sep,
    lstat: (p) => statted({ call: 'lstat', path: p }, () => inner.lstat(p)),
    stat: (p) => statted({ call: 'stat', path: p }, () => inner.stat(p)),
    readdir: (p) => run({ call: 'readdir', path: p }, () => inner.readdir(p)),
    readlink: (p) => run({ call: 'readlink', path: p }, () => inner.readlink(p)),
    realpath: (p) => run({ call: 'realpath', path: p }, () => inner.realpath(p)),
    mkdir: (p, o) => run({ call: 'mkdir', path: p }, () => inner.mkdir(p, o)),
    readFile: (p) => run({ call: 'readFile', path: p }, () => inner.readFile(p)),
    writeFile: (p, d, o) => run({ call: 'writeFile', path: p }, () => inner.writeFile(p, d, o)),
    open: async (p: string, flags: OpenFlags, mode?: number) =>
      wrapHandle(await run({ call: `open:${flags}`, path: p }, () => inner.open(p, flags, mode)), p),
    copyFile: (s, d, o) => run({ call: 'copyFile', path: s, dest: d }, () => inner.copyFile(s, d, o)),
    rename: (s, d) => run({ call: 'rename', path: s, dest: d }, () => inner.rename(s, d)),
    symlink: (t, p, ty) => run({ call: 'symlink', path: p, dest: t }, () => inner.symlink(t, p, ty)),
    unlink: (p) => run({ call: 'unlink', path: p }, () => inner.unlink(p)),
    rmdir: (p) => run({ call: 'rmdir', path: p }, () => inner.rmdir(p)),
    utimes: (p, a, m) => run({ call: 'utimes', path: p }, () => inner.utimes(p, a, m)),
    chmod: (p, m) => run({ call: 'chmod', path: p }, () => inner.chmod(p, m)),
  };
  const out = fs as { -readonly [K in keyof FileSystem]: FileSystem[K] };
  const { link, copyTimes, syncFileSystem } = inner;
  if (keep.has('link') && link)
    out.link = (from, to) => run({ call: 'link', path: from, dest: to }, () => link.call(inner, from, to));
  if (keep.has('copyTimes') && copyTimes)
    out.copyTimes = (s, d) => run({ call: 'copyTimes', path: d, dest: s }, () => copyTimes.call(inner, s, d));
  if (keep.has('syncFileSystem') && syncFileSystem)
    out.syncFileSystem = (paths) =>
      run({ call: 'syncFileSystem', path: paths[0] ?? '' }, () => syncFileSystem.call(inner, paths));
  if (keep.has('descriptors') && inner.descriptors) out.descriptors = inner.descriptors;
  if (keep.has('sync') && inner.sync) out.sync = inner.sync;
  return fs;
}

/** A filesystem that records every call made through it. */
export function recordingFs(inner: FileSystem, keep?: readonly OptionalMember[]): FileSystem & { calls: FsCall[] } {
  const calls: FsCall[] = [];
  const fs = hookFs(inner, { before: (c) => void calls.push(c), ...(keep ? { keep } : {}) });
  return Object.assign(fs, { calls });
}

export interface FaultOptions {
  /** The calls that count (and may fail). @default {@link isWrite} */
  when?: (c: FsCall) => boolean;
  /** The 1-based index, among the calls that count, of the one that fails. @default none fails */
  failAt?: number;
  /** `once`: only that call fails (a transient error); `from`: it and every later one (a dead disk). @default 'once' */
  mode?: 'once' | 'from';
  /** From this call on, every call that counts fails too (a disk that dies later, e.g. during the undo). */
  dieAt?: number;
  /** errno code of the injected error. @default 'EIO' */
  code?: string;
  /** Runs before each call that counts, with its index (e.g. to slow things down). */
  before?: (index: number, c: FsCall) => Promise<void> | void;
  /**
   * See {@link Hooks.keep}. Here without `copyTimes` by default: the executor then sets
   * times with `utimes`, the fallback of a filesystem without it, and the fault sweeps
   * count and fail those calls too.
   * @default ['link']
   */
  keep?: readonly OptionalMember[];
}

export interface FaultyFileSystem extends FileSystem {
  /** Calls that counted so far. */
  readonly calls: number;
  /** Each call that counted, as {@link describeCall} writes it, in order. */
  readonly log: string[];
  /** The calls that failed. */
  readonly fired: FsCall[];
}

/**
 * Wraps a filesystem so that the `failAt`-th call matching `when` (by default the calls
 * that change the disk, and fsync) fails before doing anything; with `mode: 'from'`
 * every later one too. Without `failAt` it only counts them.
 */
export function faultyFs(inner: FileSystem, options: FaultOptions = {}): FaultyFileSystem {
  const when = options.when ?? isWrite;
  const mode = options.mode ?? 'once';
  const log: string[] = [];
  const fired: FsCall[] = [];
  const fs = hookFs(inner, {
    keep: options.keep ?? ['link'],
    before: async (c) => {
      if (!when(c)) return;
      log.push(describeCall(c));
      const index = log.length;
      await options.before?.(index, c);
      const fail =
        (options.failAt !== undefined && (mode === 'once' ? index === options.failAt : index >= options.failAt)) ||
        (options.dieAt !== undefined && index >= options.dieAt);
      if (fail) {
        fired.push(c);
        throw errnoError(options.code ?? 'EIO', c.call, c.path);
      }
    },
  });
  return Object.defineProperties(fs, {
    calls: { get: () => log.length },
    log: { get: () => log },
    fired: { get: () => fired },
  }) as FaultyFileSystem;
}

/** A filesystem on which every call matching `when` (all when omitted) on exactly these paths fails with EACCES. */
export function denyFs(inner: FileSystem, paths: readonly string[], calls?: readonly string[]): FaultyFileSystem {
  return faultyFs(inner, {
    when: (c) => (calls === undefined || calls.includes(c.call)) && paths.includes(c.path),
    failAt: 1,
    mode: 'from',
    code: 'EACCES',
  });
}

/**
 * A filesystem that runs `action` once, right after (or before) the first call matching
 * `when`: Claude Code appending to a transcript, creating a folder, an attacker swapping
 * a folder for a link, ... `action` gets the inner filesystem (its own calls are not
 * seen by `when`).
 */
export function racingFs(
  inner: FileSystem,
  when: (c: FsCall) => boolean,
  action: (fs: FileSystem, c: FsCall) => Promise<void>,
  at: 'before' | 'after' = 'after',
): FileSystem & { raced: () => boolean } {
  let done = false;
  const maybe = async (c: FsCall) => {
    if (done || !when(c)) return;
    done = true;
    await action(inner, c);
  };
  const fs = hookFs(inner, at === 'before' ? { before: maybe } : { after: maybe });
  return Object.assign(fs, { raced: () => done });
}

export interface Spy {
  fs: FileSystem;
  /** Bytes returned by reads (handles and readFile), per path. */
  bytesRead: Map<string, number>;
  /** Paths opened, in order. */
  opened: string[];
}

/**
 * Wraps a filesystem: counts bytes read per path and the files opened, and lets a test
 * make an open fail (`failOpen` returns the error) or run code before a read (`onRead`).
 */
export function spyFs(
  inner: FileSystem,
  hooks: {
    failOpen?: (path: string) => NodeJS.ErrnoException | undefined;
    onRead?: (path: string, position: number) => Promise<void> | void;
  } = {},
): Spy {
  const bytesRead = new Map<string, number>();
  const opened: string[] = [];
  const add = (path: string, n: number) => bytesRead.set(path, (bytesRead.get(path) ?? 0) + n);
  const fs = hookFs(inner, {
    before: async (c) => {
      if (c.call.startsWith('open:')) {
        const error = hooks.failOpen?.(c.path);
        if (error) throw error;
        opened.push(c.path);
      } else if (c.call === 'read') await hooks.onRead?.(c.path, c.position ?? 0);
    },
    after: (c, result) => {
      if (c.call === 'read') add(c.path, result as number);
      else if (c.call === 'readFile') add(c.path, (result as Uint8Array).length);
    },
  });
  return { fs, bytesRead, opened };
}
