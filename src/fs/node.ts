import { execFile } from 'node:child_process';
import {
  close,
  closeSync,
  fstat,
  fstatSync,
  lstatSync,
  promises as nodeFs,
  open,
  openSync,
  read,
  readdirSync,
  readlinkSync,
  readSync,
} from 'node:fs';
import { sep } from 'node:path';
import { type PromisesApi, PromisesFileSystem, toFileStat, typeOf } from './promises-adapter.js';
import type { DescriptorReads, FileSystem, SyncReads } from './types.js';

/** The real disk's synchronous reads (the listing's workers use them). */
const nodeSyncReads: SyncReads = {
  lstat: (path) => toFileStat(lstatSync(path)),
  open: (path) => openSync(path, 'r'),
  read: (fd, buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
  size: (fd) => fstatSync(fd).size,
  close: (fd) => closeSync(fd),
  readdir: (path) => readdirSync(path, { withFileTypes: true }).map((e) => ({ name: e.name, type: typeOf(e) })),
  lstatExact: (path) => toFileStat(lstatSync(path, { bigint: true })),
  readlink: (path) => readlinkSync(path, 'utf8'),
  identity: (fd) => {
    const st = fstatSync(fd, { bigint: true });
    return `${st.dev}:${st.ino}`;
  },
};

/** The real disk's reads on descriptors, with node:fs callbacks (no FileHandle objects). */
const nodeDescriptorReads: DescriptorReads = {
  open: (path) => new Promise((resolve, reject) => open(path, 'r', (e, fd) => (e ? reject(e) : resolve(fd)))),
  read: (fd, buffer, offset, length, position) =>
    new Promise((resolve, reject) =>
      read(fd, buffer, offset, length, position, (e, n) => (e ? reject(e) : resolve(n))),
    ),
  size: (fd) => new Promise((resolve, reject) => fstat(fd, (e, st) => (e ? reject(e) : resolve(st.size)))),
  close: (fd) => new Promise((resolve, reject) => close(fd, (e) => (e ? reject(e) : resolve()))),
};

/** The real filesystem: `node:fs/promises`, plus the fast paths for bulk reads. */
class NodeFileSystem extends PromisesFileSystem {
  readonly descriptors: DescriptorReads = nodeDescriptorReads;
  readonly sync: SyncReads = nodeSyncReads;
  readonly sameInWorkers = true as const;

  syncFileSystem(paths: readonly string[]): Promise<boolean> {
    return syncFileSystem(paths);
  }
}

/** The real filesystem, through `node:fs/promises`. */
export function createNodeFileSystem(): FileSystem {
  return new NodeFileSystem(nodeFs as unknown as PromisesApi, {
    kind: 'node',
    sep: sep === '\\' ? '\\' : '/',
    clone: true,
  });
}

/** Where coreutils' `sync` was found (tried in this order), once known. */
let syncCommand: string | undefined;
const SYNC_COMMANDS = ['/usr/bin/sync', '/bin/sync'];

/**
 * `syncfs(2)` on the filesystem of each path, through coreutils' `sync --file-system`
 * (Node has no binding for it): one flush of everything written there, data and folder
 * entries, instead of an fsync per file. Linux only; false elsewhere, when coreutils'
 * `sync` is not at its usual place, or when it fails (the caller then fsyncs each file).
 */
async function syncFileSystem(paths: readonly string[]): Promise<boolean> {
  if (process.platform !== 'linux' || paths.length === 0) return false;
  for (const command of syncCommand === undefined ? SYNC_COMMANDS : [syncCommand]) {
    const code = await new Promise<string | number | null>((resolve) => {
      execFile(command, ['--file-system', '--', ...paths], { timeout: 600_000, env: {} }, (error) =>
        resolve(error === null ? null : ((error as { code?: string | number }).code ?? 'failed')),
      );
    });
    if (code === null) {
      syncCommand = command;
      return true;
    }
    if (code !== 'ENOENT') return false;
  }
  return false;
}

let shared: FileSystem | undefined;

/** The default filesystem of every verb: the real disk. */
export function defaultFileSystem(): FileSystem {
  shared ??= createNodeFileSystem();
  return shared;
}
