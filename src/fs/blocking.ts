/**
 * The real disk through blocking calls, for worker threads only: the same adapter as
 * {@link createNodeFileSystem} (so every check, time and error is the same), over
 * `node:fs`'s synchronous functions instead of `node:fs/promises`. A worker thread that
 * runs many small steps one after another saves the thread-pool round trip of each call
 * (the request, the hand-off to a pool thread and back, the promise); blocking a worker
 * costs the main thread nothing. Never use it on the main thread.
 */
import {
  chmodSync,
  closeSync,
  copyFileSync,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { sep } from 'node:path';
import { type PromisesApi, PromisesFileSystem } from './promises-adapter.js';
import type { FileSystem } from './types.js';

const blockingApi: PromisesApi = {
  lstat: async (path, options) => lstatSync(path, { bigint: options?.bigint ?? false }),
  stat: async (path, options) => statSync(path, { bigint: options?.bigint ?? false }),
  readdir: async (path) => readdirSync(path, { withFileTypes: true }),
  readlink: async (path) => readlinkSync(path, 'utf8'),
  // libuv's realpath, as `node:fs/promises` does (not the JavaScript walk of realpathSync).
  realpath: async (path) => realpathSync.native(path, 'utf8'),
  mkdir: async (path, options) => mkdirSync(path, options),
  readFile: async (path) => readFileSync(path),
  writeFile: async (path, data, options) => writeFileSync(path, data, options),
  open: async (path, flags, mode) => {
    const fd = openSync(path, flags, mode);
    return {
      stat: async () => fstatSync(fd, { bigint: true }),
      read: async (buffer, offset, length, position) => ({ bytesRead: readSync(fd, buffer, offset, length, position) }),
      write: async (data) => (typeof data === 'string' ? writeSync(fd, data) : writeSync(fd, data)),
      sync: async () => fsyncSync(fd),
      close: async () => closeSync(fd),
    };
  },
  copyFile: async (source, destination, mode) => copyFileSync(source, destination, mode),
  rename: async (source, destination) => renameSync(source, destination),
  symlink: async (target, path, type) => symlinkSync(target, path, type as Parameters<typeof symlinkSync>[2]),
  link: async (existing, path) => linkSync(existing, path),
  unlink: async (path) => unlinkSync(path),
  rmdir: async (path) => rmdirSync(path),
  utimes: async (path, atime, mtime) => utimesSync(path, atime, mtime),
  chmod: async (path, mode) => chmodSync(path, mode),
};

/** The real disk through blocking calls (worker threads only; see the module's comment). */
export function createBlockingNodeFileSystem(): FileSystem {
  return new PromisesFileSystem(blockingApi, { kind: 'node', sep: sep === '\\' ? '\\' : '/', clone: true });
}
