import fg from 'fast-glob';
import type { FileStat, FileSystem } from './types.js';

type Callback<T> = (error: NodeJS.ErrnoException | null, value?: T) => void;

function direntLike(name: string, type: FileStat['type']) {
  return {
    name,
    isFile: () => type === 'file',
    isDirectory: () => type === 'directory',
    isSymbolicLink: () => type === 'symlink',
    isBlockDevice: () => false,
    isCharacterDevice: () => false,
    isFIFO: () => false,
    isSocket: () => false,
  };
}

function statsLike(s: FileStat) {
  return {
    ...direntLike('', s.type),
    size: s.size,
    mode: s.mode,
    mtimeMs: s.mtimeMs,
    mtime: new Date(s.mtimeMs),
    ino: s.ino,
    dev: s.dev,
  };
}

function callbackify<T, R>(fn: () => Promise<T>, map: (value: T) => R, cb: Callback<R>): void {
  fn().then(
    (value) => cb(null, map(value)),
    (error: NodeJS.ErrnoException) => cb(error),
  );
}

function noSync(): never {
  throw new Error('claude-shared-sessions: synchronous fs calls are not supported through the filesystem interface');
}

/** A fast-glob `fs` adapter over the library's filesystem interface (async calls only). */
export function globAdapter(fs: FileSystem): NonNullable<fg.Options['fs']> {
  return {
    lstat: ((path: string, cb: Callback<unknown>) => callbackify(() => fs.lstat(path), statsLike, cb)) as never,
    stat: ((path: string, cb: Callback<unknown>) => callbackify(() => fs.stat(path), statsLike, cb)) as never,
    readdir: ((path: string, _options: unknown, cb: Callback<unknown>) =>
      callbackify(
        () => fs.readdir(path),
        (entries) => entries.map((e) => direntLike(e.name, e.type)),
        cb,
      )) as never,
    lstatSync: noSync as never,
    statSync: noSync as never,
    readdirSync: noSync as never,
  };
}

/**
 * Names of the entries directly in `cwd` that match a glob `pattern` (dot files
 * included), through the given filesystem.
 */
export async function globNames(fs: FileSystem, cwd: string, pattern: string): Promise<string[]> {
  const names = await fg(pattern, {
    cwd,
    dot: true,
    deep: 1,
    onlyFiles: false,
    followSymbolicLinks: false,
    suppressErrors: true,
    fs: globAdapter(fs),
  });
  return names.sort();
}
