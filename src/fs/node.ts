import { closeSync, fstatSync, lstatSync, promises as nodeFs, openSync, readSync } from 'node:fs';
import { sep } from 'node:path';
import { type PromisesApi, PromisesFileSystem, toFileStat } from './promises-adapter.js';
import type { FileSystem, SyncReads } from './types.js';

/** The real disk's synchronous reads (the listing's workers use them). */
const nodeSyncReads: SyncReads = {
  lstat: (path) => toFileStat(lstatSync(path)),
  open: (path) => openSync(path, 'r'),
  read: (fd, buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
  size: (fd) => fstatSync(fd).size,
  close: (fd) => closeSync(fd),
};

/** The real filesystem: `node:fs/promises`, plus synchronous reads for worker threads. */
class NodeFileSystem extends PromisesFileSystem {
  readonly sync: SyncReads = nodeSyncReads;
}

/** The real filesystem, through `node:fs/promises`. */
export function createNodeFileSystem(): FileSystem {
  return new NodeFileSystem(nodeFs as unknown as PromisesApi, {
    kind: 'node',
    sep: sep === '\\' ? '\\' : '/',
    clone: true,
  });
}

let shared: FileSystem | undefined;

/** The default filesystem of every verb: the real disk. */
export function defaultFileSystem(): FileSystem {
  shared ??= createNodeFileSystem();
  return shared;
}
