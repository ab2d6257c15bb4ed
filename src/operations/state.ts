import { createHash } from 'node:crypto';
import { errnoCode } from '../errors.js';
import type { FileStat, FileSystem } from '../fs/types.js';
import type { ExpectedState } from './base.js';

/** What is at a path, read with lstat (links are never followed). */
export type ActualState =
  | { type: 'absent' }
  | { type: 'file'; size: number; mtimeMs: number; mode: number; stat: FileStat }
  | { type: 'directory'; mode: number; stat: FileStat }
  | { type: 'symlink'; target: string; stat: FileStat }
  | { type: 'other'; stat: FileStat };

/** Reads what is at `path` without following a link at `path` itself. */
export async function readActual(fs: FileSystem, path: string): Promise<ActualState> {
  let st: FileStat;
  try {
    st = await fs.lstat(path);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { type: 'absent' };
    throw error;
  }
  switch (st.type) {
    case 'file':
      return { type: 'file', size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, stat: st };
    case 'directory':
      return { type: 'directory', mode: st.mode, stat: st };
    case 'symlink':
      return { type: 'symlink', target: await fs.readlink(path), stat: st };
    default:
      return { type: 'other', stat: st };
  }
}

/** One line of what is there, for messages. */
export function describeActual(state: ActualState): string {
  switch (state.type) {
    case 'absent':
      return 'nothing';
    case 'file':
      return `a file of ${state.size} bytes, mtime ${new Date(state.mtimeMs).toISOString()}, mode ${state.mode.toString(8)}`;
    case 'directory':
      return 'a folder';
    case 'symlink':
      return `a link to ${state.target}`;
    default:
      return 'something that is not a file, folder or link';
  }
}

export function describeExpected(state: ExpectedState): string {
  switch (state.type) {
    case 'absent':
      return 'nothing';
    case 'file':
      return `a file of ${state.size} bytes, mtime ${new Date(state.mtimeMs).toISOString()}${
        state.mode === undefined ? '' : `, mode ${state.mode.toString(8)}`
      }${state.hash === undefined ? '' : `, sha256 ${state.hash.slice(0, 12)}…`}`;
    case 'directory':
      return 'a folder';
    case 'symlink':
      return `a link to ${state.target}`;
  }
}

/**
 * Compares what a plan expects with what is there. Returns the reason they differ, or
 * undefined when they match. `hashOf` is called only when a hash must be compared.
 */
export async function mismatch(
  expected: ExpectedState,
  actual: ActualState,
  hashOf: () => Promise<string>,
): Promise<string | undefined> {
  if (expected.type !== actual.type) return `expected ${describeExpected(expected)}, found ${describeActual(actual)}`;
  if (expected.type === 'file' && actual.type === 'file') {
    if (expected.size !== actual.size) return `size is ${actual.size}, the plan expected ${expected.size}`;
    if (expected.mtimeMs !== actual.mtimeMs) {
      return `mtime is ${new Date(actual.mtimeMs).toISOString()}, the plan expected ${new Date(expected.mtimeMs).toISOString()}`;
    }
    if (expected.mode !== undefined && (expected.mode & 0o7777) !== actual.mode) {
      return `mode is ${actual.mode.toString(8)}, the plan expected ${expected.mode.toString(8)}`;
    }
    if (expected.hash !== undefined) {
      const hash = await hashOf();
      if (hash !== expected.hash) return 'its content changed (sha256 differs)';
    }
  }
  if (expected.type === 'symlink' && actual.type === 'symlink' && expected.target !== actual.target) {
    return `the link points to ${actual.target}, the plan expected ${expected.target}`;
  }
  return undefined;
}

const CHUNK = 1 << 20;

/** SHA-256 (hex) of a file's first `limit` bytes (all of it when undefined), read in chunks. */
export async function hashFile(fs: FileSystem, path: string, limit?: number): Promise<string> {
  const hash = createHash('sha256');
  const handle = await fs.open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const buffer = new Uint8Array(Math.max(1, Math.min(CHUNK, limit ?? size, size)));
    let position = 0;
    for (;;) {
      const want = limit === undefined ? buffer.length : Math.min(buffer.length, limit - position);
      if (want <= 0) break;
      const n = await handle.read(buffer, 0, want, position);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      position += n;
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/**
 * True when the file at `a` holds exactly the first bytes of the file at `b` (equal
 * files included). Reads both in chunks; stops at the first difference.
 */
export async function isPrefixFile(fs: FileSystem, a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([fs.lstat(a), fs.lstat(b)]);
  if (sa.type !== 'file' || sb.type !== 'file' || sa.size > sb.size) return false;
  const ha = await fs.open(a, 'r');
  try {
    const hb = await fs.open(b, 'r');
    try {
      const ba = new Uint8Array(Math.min(CHUNK, sa.size));
      const bb = new Uint8Array(Math.min(CHUNK, sa.size));
      let position = 0;
      while (position < sa.size) {
        const want = Math.min(CHUNK, sa.size - position);
        const na = await readFully(ha, ba, want, position);
        const nb = await readFully(hb, bb, want, position);
        if (na !== want || nb !== want) return false;
        if (Buffer.compare(ba.subarray(0, na), bb.subarray(0, nb)) !== 0) return false;
        position += want;
      }
      return true;
    } finally {
      await hb.close();
    }
  } finally {
    await ha.close();
  }
}

/** Reads bytes `[position, position + length)` of a file. */
export async function readBytes(fs: FileSystem, path: string, position: number, length: number): Promise<Uint8Array> {
  const handle = await fs.open(path, 'r');
  try {
    const buffer = new Uint8Array(length);
    const n = await readFully(handle, buffer, length, position);
    return buffer.subarray(0, n);
  } finally {
    await handle.close();
  }
}

async function readFully(
  handle: Awaited<ReturnType<FileSystem['open']>>,
  buffer: Uint8Array,
  length: number,
  position: number,
): Promise<number> {
  let filled = 0;
  while (filled < length) {
    const n = await handle.read(buffer, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled;
}
