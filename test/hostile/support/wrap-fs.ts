/**
 * FileSystem wrappers for the hostile catalogue: one generic hook around every call, and
 * on top of it a recorder (every path touched), a fault injector (EACCES, ENOSPC, EROFS at
 * chosen calls, since CI runs as root and chmod cannot deny root) and a race (a change
 * made to the disk at a chosen point of an apply).
 */
import type { FileHandle, FileStat, FileSystem, OpenFlags } from '../../../src/fs/types.js';

/** One call on the filesystem: its name, its path and, for two-path calls, the second one. */
export interface FsCall {
  /** `lstat`, `readdir`, `open:r`, `open:wx`, `read`, `write`, `copyFile`, `rename`, ... */
  call: string;
  path: string;
  dest?: string;
  /** For `read`: the bytes asked for. */
  length?: number;
}

/** Calls that change the disk. */
export const MUTATING = new Set([
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
  'unlink',
  'rmdir',
  'utimes',
  'chmod',
  'copyTimes',
]);

export interface Hooks {
  /** Runs before the call; throw to make the call fail without doing anything. */
  before?: (call: FsCall) => void | Promise<void>;
  /** Runs after the call succeeded. */
  after?: (call: FsCall) => void | Promise<void>;
  /** Rewrites what lstat/stat report (a folder owned by someone else, ...). */
  stat?: (call: FsCall, stat: FileStat) => FileStat;
}

/** Wraps `inner` so that every call goes through `hooks`. */
export function hookFs(inner: FileSystem, hooks: Hooks): FileSystem {
  const run = async <T>(c: FsCall, fn: () => Promise<T>): Promise<T> => {
    await hooks.before?.(c);
    const result = await fn();
    await hooks.after?.(c);
    return result;
  };
  const statted = async (c: FsCall, fn: () => Promise<FileStat>) => {
    const st = await run(c, fn);
    return hooks.stat ? hooks.stat(c, st) : st;
  };
  const wrapHandle = (h: FileHandle, path: string): FileHandle => ({
    stat: () => statted({ call: 'fstat', path }, () => h.stat()),
    read: (b, o, l, p) => run({ call: 'read', path, length: l }, () => h.read(b, o, l, p)),
    write: (d) => run({ call: 'write', path }, () => h.write(d)),
    sync: () => run({ call: 'sync', path }, () => h.sync()),
    close: () => h.close(),
  });
  return {
    kind: `hooked-${inner.kind}`,
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
    ...(inner.copyTimes === undefined
      ? {}
      : {
          copyTimes: (s: string, d: string) =>
            run({ call: 'copyTimes', path: d, dest: s }, () => inner.copyTimes?.(s, d) ?? Promise.resolve()),
        }),
  };
}

/** A filesystem that records every call made through it. */
export function recordingFs(inner: FileSystem): FileSystem & { calls: FsCall[] } {
  const calls: FsCall[] = [];
  const fs = hookFs(inner, { before: (c) => void calls.push(c) });
  return Object.assign(fs, { calls });
}

/** An error shaped like Node's. */
export function errnoError(code: string, c: FsCall): Error {
  const text: Record<string, string> = {
    EACCES: 'permission denied',
    ENOSPC: 'no space left on device',
    EROFS: 'read-only file system',
    EIO: 'i/o error',
  };
  return Object.assign(new Error(`${code}: ${text[code] ?? 'injected'}, ${c.call} '${c.path}'`), {
    code,
    path: c.path,
    syscall: c.call,
  });
}

/**
 * A filesystem on which calls matching `when` fail with `code` (before doing anything).
 * `times` limits how many calls fail (a transient error); by default every match fails.
 */
export function faultyFs(
  inner: FileSystem,
  when: (c: FsCall) => boolean,
  code: string,
  times = Number.POSITIVE_INFINITY,
): FileSystem & { fired: FsCall[] } {
  const fired: FsCall[] = [];
  const fs = hookFs(inner, {
    before: (c) => {
      if (fired.length < times && when(c)) {
        fired.push(c);
        throw errnoError(code, c);
      }
    },
  });
  return Object.assign(fs, { fired });
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

/** True when `path` is `dir` itself or under it. */
export function under(dir: string, path: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}
