/**
 * Where a copy that must not stay at its place goes (the conflicts folder), and the
 * content facts that decide it. Used by merge (superseded and diverged copies) and
 * rollback (carried files).
 */
import { extname, join, sep } from 'node:path';
import { ErrorCodes, SharedSessionsError } from '../errors.js';
import type { TreeEntry } from '../inspect/types.js';
import type { PlanBuilder } from './builder.js';

/** `root` joined with a snapshot's `/`-separated relative path. */
export function joinRel(root: string, rel: string): string {
  if (rel === '') return root;
  // A snapshot's relative paths are plain names joined by '/': on POSIX they need no
  // normalising (this runs for every entry of every account).
  if (sep === '/' && !/^\/|\/$|\/\/|(^|\/)\.\.?(\/|$)/.test(rel))
    return root.endsWith('/') ? root + rel : `${root}/${rel}`;
  return join(root, ...rel.split('/'));
}

/** True when content `a` is a byte prefix of `b` (strictly shorter), by the inspector's prefix hashes. */
export function isPrefixOf(
  a: { size: number; hash: string | undefined },
  b: { size: number; entry: TreeEntry },
): boolean {
  if (a.size >= b.size) return false;
  if (a.size === 0) return true;
  if (a.hash === undefined) return false;
  return b.entry.prefixHashes?.some((p) => p.size === a.size && p.hash === a.hash) ?? false;
}

/**
 * Where a copy is kept aside: `<conflicts>/<folder>/<rel dir>/<stem>.<hash12><ext>`. The
 * name carries the content hash, so the same copy always lands on the same name and
 * planning again finds it there. When that name is taken by other content, the full hash
 * is used, then a counter.
 */
export function asidePath(
  b: PlanBuilder,
  folder: string,
  rel: string,
  c: { hash: string | undefined; key: string; size: number; entry: TreeEntry },
  acceptSame: boolean,
): string {
  const base = joinRel(join(b.snapshot.conflicts.path, folder), rel);
  const ext = extname(base);
  const stem = ext === '' ? base : base.slice(0, -ext.length);
  const tag = c.hash ?? `${c.size}-${c.entry.mtimeMs}`;
  const candidates = [`${stem}.${tag.slice(0, 12)}${ext}`, `${stem}.${tag}${ext}`];
  for (let i = 1; i < 100; i++) candidates.push(`${stem}.${tag}.${i}${ext}`);
  for (const candidate of candidates) {
    const there = b.state.lookup(candidate);
    if (there.type === 'absent' || there.type === 'unknown') return candidate;
    if (acceptSame && there.type === 'file' && there.hash !== undefined && there.hash === c.hash) return candidate;
  }
  throw new SharedSessionsError(
    ErrorCodes.INVALID_PLAN,
    `No free name for a copy of ${rel} in the conflicts folder ${b.snapshot.conflicts.path}. Tidy that folder and plan again.`,
  );
}
