import { createHash, type Hash } from 'node:crypto';
import type { SyncReads } from '../fs/types.js';
import { type HashResult, sha256Hex, shrunk } from './hash.js';

/** Bytes read per copy per step. */
const CHUNK = 1 << 20;

/** One copy of a file: its path and the size the snapshot recorded. */
export interface GroupMember {
  path: string;
  size: number;
}

/** A copy's hashes, or why it could not be read. */
export type GroupResult = { ok: true; result: HashResult } | { ok: false; error: unknown };

/** Copies that held the same bytes so far, and the hash of those bytes. */
interface Run {
  members: number[];
  hash: Hash;
}

/**
 * Hashes the copies of one file (the same relative path in several trees) in one pass
 * over all of them at once, each copy's result the same as {@link hashFile} of it with
 * the other copies' smaller sizes as prefix sizes. Copies that hold the same bytes share
 * one hash computation: each chunk is read from every copy and compared (`memcmp`), and
 * only each distinct chunk is hashed; where copies part, the hash state is copied. Most
 * copies of a transcript in several accounts are identical or share a long prefix, so
 * this hashes about half the bytes that hashing each copy on its own would.
 *
 * Copies that are one file (hard links: the same device and inode, when `sync.identity`
 * tells) and were listed with the same size are read once: the others take its result.
 *
 * Synchronous (the real disk's reads; the caller is the inspect of a whole snapshot). A
 * copy that cannot be opened or holds fewer bytes than its size fails alone.
 */
export function hashGroupSync(
  sync: Pick<SyncReads, 'open' | 'read' | 'close' | 'identity'>,
  members: readonly GroupMember[],
  buffers: Buffer[],
): GroupResult[] {
  const results: (GroupResult | undefined)[] = members.map(() => undefined);
  const prefixes: { size: number; hash: string }[][] = members.map(() => []);
  const fds: (number | undefined)[] = members.map(() => undefined);
  const fail = (i: number, error: unknown) => {
    results[i] ??= { ok: false, error };
  };
  while (buffers.length < members.length) buffers.push(Buffer.allocUnsafe(CHUNK));
  try {
    // Every other copy's size is a prefix size for the larger copies: the boundaries.
    const sizes = [...new Set(members.map((m) => m.size))].sort((a, b) => a - b);
    let runs: Run[] = [];
    const live: number[] = [];
    members.forEach((m, i) => {
      if (m.size === 0) return;
      try {
        fds[i] = sync.open(m.path);
        live.push(i);
      } catch (error) {
        fail(i, error);
      }
    });
    const alias = sameFile(sync, members, fds, live);
    for (const [i] of alias) {
      sync.close(fds[i] as number);
      fds[i] = undefined;
    }
    const read = live.filter((i) => !alias.has(i));
    if (read.length > 0) runs.push({ members: read, hash: createHash('sha256') });
    // A zero-length copy: the hash of nothing, and the larger copies' prefix of size 0.
    if (sizes[0] === 0) {
      const empty = sha256Hex('');
      members.forEach((m, i) => {
        if (m.size === 0) results[i] = { ok: true, result: { hash: empty, prefixHashes: [] } };
        else prefixes[i]?.push({ size: 0, hash: empty });
      });
    }
    let position = 0;
    for (const boundary of sizes) {
      if (boundary === 0) continue;
      while (position < boundary && runs.length > 0) {
        const length = Math.min(boundary - position, CHUNK);
        runs = runs.flatMap((run) => step(sync, run, members, fds, buffers, position, length, fail));
        position += length;
      }
      // At a copy's size: its hash, and the prefix hash of every larger copy that ran with it.
      runs = runs.flatMap((run) => {
        const done = run.members.filter((i) => members[i]?.size === boundary);
        const rest = run.members.filter((i) => members[i]?.size !== boundary);
        const hex = (rest.length > 0 ? run.hash.copy() : run.hash).digest('hex');
        for (const i of done) results[i] ??= { ok: true, result: { hash: hex, prefixHashes: prefixes[i] ?? [] } };
        for (const i of rest) prefixes[i]?.push({ size: boundary, hash: hex });
        return rest.length > 0 ? [{ members: rest, hash: run.hash }] : [];
      });
    }
    // A hard link of a copy read: that copy's result (its bytes are the same bytes).
    for (const [i, of] of alias) results[i] = results[of];
  } finally {
    for (const fd of fds) if (fd !== undefined) sync.close(fd);
  }
  return results.map((r) => r ?? { ok: false, error: new Error('not hashed') });
}

/**
 * The copies among `live` (open in `fds`) that are the same file as an earlier one of the
 * same listed size: each mapped to that earlier copy. Empty without `sync.identity`.
 */
function sameFile(
  sync: Pick<SyncReads, 'identity'>,
  members: readonly GroupMember[],
  fds: readonly (number | undefined)[],
  live: readonly number[],
): Map<number, number> {
  const alias = new Map<number, number>();
  if (sync.identity === undefined || live.length < 2) return alias;
  const first = new Map<string, number>();
  for (const i of live) {
    let id: string;
    try {
      id = `${sync.identity(fds[i] as number)}:${members[i]?.size}`;
    } catch {
      continue; // read on its own
    }
    const earlier = first.get(id);
    if (earlier === undefined) first.set(id, i);
    else alias.set(i, earlier);
  }
  return alias;
}

/**
 * Reads `length` bytes at `position` from every copy of `run`, splits the run where the
 * bytes differ (the first part keeps the hash, the others take copies of it) and hashes
 * each part's bytes once.
 */
function step(
  sync: Pick<SyncReads, 'read'>,
  run: Run,
  members: readonly GroupMember[],
  fds: readonly (number | undefined)[],
  buffers: readonly Buffer[],
  position: number,
  length: number,
  fail: (i: number, error: unknown) => void,
): Run[] {
  const parts: { members: number[]; bytes: Buffer }[] = [];
  for (const i of run.members) {
    const buffer = buffers[i] as Buffer;
    try {
      readFully(sync, fds[i] as number, buffer, length, position, members[i]?.path ?? '', members[i]?.size ?? 0);
    } catch (error) {
      fail(i, error);
      continue;
    }
    const bytes = buffer.subarray(0, length);
    const same = parts.find((p) => p.bytes.equals(bytes));
    if (same) same.members.push(i);
    else parts.push({ members: [i], bytes });
  }
  return parts.map((part, k) => {
    const hash = k === parts.length - 1 ? run.hash : run.hash.copy();
    hash.update(part.bytes);
    return { members: part.members, hash };
  });
}

function readFully(
  sync: Pick<SyncReads, 'read'>,
  fd: number,
  buffer: Buffer,
  length: number,
  position: number,
  path: string,
  size: number,
): void {
  let filled = 0;
  while (filled < length) {
    const n = sync.read(fd, buffer, filled, length - filled, position + filled);
    if (n === 0) throw shrunk(path, position + filled, size);
    filled += n;
  }
}
