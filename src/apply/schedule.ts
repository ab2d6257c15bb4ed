import type { PathRules } from '../layout/paths.js';
import { ancestorsOf } from '../operations/paths.js';
import { pathsOf, specOf } from '../operations/table.js';
import type { Operation } from '../plan/types.js';

/**
 * For each rename, the copies made earlier in the plan whose source it moves (a backup
 * of an account's folder moves every transcript copied out of it). Their sources are
 * followed through later renames too.
 */
export function resyncTargetsOf(
  operations: readonly Operation[],
  { isInsideNormal: isInside, rebase }: PathRules,
): Map<string, string[]> {
  const copies: { id: string; source: string }[] = [];
  const targets = new Map<string, string[]>();
  for (const op of operations) {
    const spec = specOf(op);
    const copy = spec.copyOf?.(op);
    if (copy !== undefined) copies.push({ id: op.id, source: copy.from });
    const move = spec.moveOf?.(op);
    if (move === undefined) continue;
    const moved: string[] = [];
    for (const copy of copies) {
      if (!isInside(move.from, copy.source)) continue;
      moved.push(copy.id);
      copy.source = rebase(copy.source, move.from, move.to);
    }
    if (moved.length > 0) targets.set(op.id, moved);
  }
  return targets;
}

/**
 * Splits the plan into batches that keep its order wherever it matters: an operation
 * joins the current batch only when none of its paths is, contains or lies inside a path
 * of the batch. Operations of one batch may run in any order, at once; batches run one
 * after the other. A rename also claims the copies it re-syncs.
 */
export function batchesOf(
  operations: readonly Operation[],
  resyncTargets: ReadonlyMap<string, readonly string[]>,
  { key: pathKey }: PathRules,
): Operation[][] {
  const copyTargets = new Map<string, string>();
  for (const op of operations) {
    const copy = specOf(op).copyOf?.(op);
    if (copy !== undefined) copyTargets.set(op.id, copy.to);
  }

  const batches: Operation[][] = [];
  let batch: Operation[] = [];
  let touched = new Set<string>();
  let above = new Set<string>();
  for (const op of operations) {
    const paths = pathsOf(op);
    for (const id of resyncTargets.get(op.id) ?? []) {
      const to = copyTargets.get(id);
      if (to !== undefined) paths.push(to);
    }
    const keys = paths.map((p) => ({ key: pathKey(p), ancestors: ancestorsOf(p).map(pathKey) }));
    const clash = keys.some(
      ({ key, ancestors }) => touched.has(key) || above.has(key) || ancestors.some((a) => touched.has(a)),
    );
    if (clash && batch.length > 0) {
      batches.push(batch);
      batch = [];
      touched = new Set();
      above = new Set();
    }
    batch.push(op);
    for (const { key, ancestors } of keys) {
      touched.add(key);
      for (const a of ancestors) above.add(a);
    }
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
