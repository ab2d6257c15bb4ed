import type { FileHandle, FileSystem, OpenFlags } from '../../../src/fs/types.js';

export interface FaultOptions {
  /** The 1-based index of the mutating call that fails. */
  failAt?: number;
  /** `once`: only that call fails (a transient error); `from`: it and every later one (a dead disk). */
  mode?: 'once' | 'from';
  /** With `once`: from this call on, every call fails too (the disk dies later, e.g. during the undo). */
  dieAt?: number;
  /** errno code of the injected error. @default 'EIO' */
  code?: string;
  /** Called before each mutating call with its index and name (e.g. to slow things down). */
  before?: (index: number, call: string, path: string) => Promise<void> | void;
}

export interface FaultyFileSystem extends FileSystem {
  /** Mutating calls made so far. */
  readonly calls: number;
  /** What each mutating call was, in order. */
  readonly log: string[];
  /** Whether the fault has fired. */
  readonly fired: boolean;
}

/**
 * Wraps a filesystem so that the k-th mutating call fails (before doing anything).
 * Mutating calls: mkdir, writeFile, open for writing, a handle's write and sync,
 * copyFile, rename, symlink, link (hard), unlink, rmdir, utimes, chmod.
 */
export function faultyFs(inner: FileSystem, options: FaultOptions = {}): FaultyFileSystem {
  let calls = 0;
  let fired = false;
  const log: string[] = [];
  const mode = options.mode ?? 'once';
  const mutate = async <T>(call: string, path: string, fn: () => Promise<T>): Promise<T> => {
    const index = ++calls;
    log.push(`${call} ${path}`);
    await options.before?.(index, call, path);
    const fail =
      (options.failAt !== undefined && (mode === 'once' ? index === options.failAt : index >= options.failAt)) ||
      (options.dieAt !== undefined && index >= options.dieAt);
    if (fail) {
      fired = true;
      const code = options.code ?? 'EIO';
      throw Object.assign(new Error(`${code}: injected fault at mutating call ${index} (${call} ${path})`), {
        code,
        path,
      });
    }
    return fn();
  };
  const wrapHandle = (handle: FileHandle, path: string): FileHandle => ({
    stat: () => handle.stat(),
    read: (b, o, l, p) => handle.read(b, o, l, p),
    write: (data) => mutate('write', path, () => handle.write(data)),
    sync: () => mutate('sync', path, () => handle.sync()),
    close: () => handle.close(),
  });
  const fs: FaultyFileSystem = {
    kind: `faulty-${inner.kind}`,
    sep: inner.sep,
    get calls() {
      return calls;
    },
    get log() {
      return log;
    },
    get fired() {
      return fired;
    },
    lstat: (p) => inner.lstat(p),
    stat: (p) => inner.stat(p),
    readdir: (p) => inner.readdir(p),
    readlink: (p) => inner.readlink(p),
    realpath: (p) => inner.realpath(p),
    readFile: (p) => inner.readFile(p),
    mkdir: (p, o) => mutate('mkdir', p, () => inner.mkdir(p, o)),
    writeFile: (p, d, o) => mutate('writeFile', p, () => inner.writeFile(p, d, o)),
    open: async (p: string, flags: OpenFlags, m?: number) => {
      if (flags === 'r') {
        const h = await inner.open(p, flags, m);
        return wrapHandle(h, p);
      }
      const h = await mutate(`open(${flags})`, p, () => inner.open(p, flags, m));
      return wrapHandle(h, p);
    },
    copyFile: (s, d, o) => mutate('copyFile', d, () => inner.copyFile(s, d, o)),
    rename: (s, d) => mutate('rename', `${s} -> ${d}`, () => inner.rename(s, d)),
    symlink: (t, p, ty) => mutate('symlink', p, () => inner.symlink(t, p, ty)),
    unlink: (p) => mutate('unlink', p, () => inner.unlink(p)),
    rmdir: (p) => mutate('rmdir', p, () => inner.rmdir(p)),
    utimes: (p, a, m) => mutate('utimes', p, () => inner.utimes(p, a, m)),
    chmod: (p, m) => mutate('chmod', p, () => inner.chmod(p, m)),
  };
  const link = inner.link?.bind(inner);
  if (link) fs.link = (from, to) => mutate('link', to, () => link(from, to));
  return fs;
}
