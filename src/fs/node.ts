import { promises as nodeFs } from 'node:fs';
import { sep } from 'node:path';
import { type PromisesApi, PromisesFileSystem } from './promises-adapter.js';
import type { FileSystem } from './types.js';

/** The real filesystem, through `node:fs/promises`. */
export function createNodeFileSystem(): FileSystem {
  return new PromisesFileSystem(nodeFs as unknown as PromisesApi, {
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
