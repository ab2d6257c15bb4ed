import { dirname, sep } from 'node:path';
import { pathRulesOf } from '../layout/paths.js';
import type { TreeEffects } from '../operations/base.js';
import { ancestorsOf } from '../operations/paths.js';
import { specOf } from '../operations/table.js';
import type { ExpectedState, Operation, Plan } from '../plan/types.js';

/**
 * The state of a path at some point of a plan, derived from the plan's own effects:
 * either a concrete state the plan created, or "whatever is on the disk at `disk`"
 * (a path the plan has not touched, or one moved there by an earlier rename).
 */
export type SimState =
  | { type: 'absent' }
  | { type: 'file'; size: number; mtimeMs: number; mode?: number; hash?: string; approximate?: true }
  | { type: 'directory'; fresh: true }
  | { type: 'symlink'; target: string }
  | { type: 'disk'; disk: string };

/** One thing to verify before the first write. */
export interface Check {
  operationId: string;
  /** The operation field the check is about (`expectFrom`, `parent of to`, ...). */
  field: string;
  /** The path as the plan names it. */
  path: string;
  expected: ExpectedState;
  /** Where its state comes from at that point of the plan. */
  at: SimState;
  /** For parent checks: a link there would be followed. */
  kind: 'expect' | 'parent' | 'no-link';
}

// Long on purpose: the overlay, the lookups and the checks are closures over one walk.
/**
 * Walks the plan in order, keeping an overlay of what each operation creates, removes or
 * moves, and lists every state an operation relies on, with where that state comes
 * from: the disk as it is now, or an earlier operation of the same plan. Pure.
 */
export function simulatePlan(plan: Plan): Check[] {
  const { key: pathKey, isInsideNormal: isInside, rebase } = pathRulesOf(plan);
  const overlay = new Map<string, SimState>();
  const checks: Check[] = [];
  const roots = [...plan.roots].sort((a, b) => b.length - a.length);

  const lookup = (path: string): SimState => {
    const own = overlay.get(pathKey(path));
    if (own) return own;
    for (const ancestor of ancestorsOf(path)) {
      const above = overlay.get(pathKey(ancestor));
      if (!above) continue;
      if (above.type === 'disk') return { type: 'disk', disk: rebase(path, ancestor, above.disk) };
      // Under a folder the plan made (empty when made), a file, a link or nothing:
      // only what the overlay itself holds is there.
      return { type: 'absent' };
    }
    return { type: 'disk', disk: path };
  };
  const set = (path: string, state: SimState) => overlay.set(pathKey(path), state);
  const move = (from: string, to: string) => {
    const value = lookup(from);
    const fromKey = pathKey(from);
    const moved: [string, SimState][] = [];
    for (const [key, state] of overlay) {
      if (key.startsWith(fromKey + sep)) moved.push([key, state]);
    }
    for (const [key] of moved) overlay.delete(key);
    set(from, { type: 'absent' });
    set(to, value);
    const toKey = pathKey(to);
    for (const [key, state] of moved) overlay.set(toKey + key.slice(fromKey.length), state);
  };

  const expect = (op: Operation, field: string, path: string, expected: ExpectedState) => {
    checks.push({ operationId: op.id, field, path, expected, at: lookup(path), kind: 'expect' });
  };
  // Folders above the paths are shared by many operations: check each disk folder once
  // for each kind of check.
  const seenDisk = new Set<string>();
  const firstOnDisk = (kind: Check['kind'], at: SimState): boolean => {
    if (at.type !== 'disk') return true;
    const key = `${kind}\0${pathKey(at.disk)}`;
    if (seenDisk.has(key)) return false;
    seenDisk.add(key);
    return true;
  };
  const folderCheck = (op: Operation, field: string, path: string, at: SimState, kind: Check['kind']) =>
    checks.push({ operationId: op.id, field, path, expected: { type: 'directory' }, at, kind });
  const parent = (op: Operation, field: string, path: string) => {
    const dir = dirname(path);
    if (dir === path) return;
    const at = lookup(dir);
    if (firstOnDisk('parent', at)) folderCheck(op, `parent of ${field}`, dir, at, 'parent');
  };
  /** No folder between the path's root and the path may be a link (it would be followed). */
  const noLinks = (op: Operation, field: string, path: string) => {
    const root = roots.find((r) => isInside(r, path));
    if (root === undefined) return;
    for (const ancestor of ancestorsOf(path)) {
      if (!isInside(root, ancestor) || pathKey(ancestor) === pathKey(root)) break;
      const at = lookup(ancestor);
      if (at.type !== 'disk' && at.type !== 'symlink') continue;
      if (firstOnDisk('no-link', at)) folderCheck(op, `folder above ${field}`, ancestor, at, 'no-link');
    }
  };

  const effects: TreeEffects = {
    dir: (path) => set(path, { type: 'directory', fresh: true }),
    file: (path, file) => {
      const state: SimState = { type: 'file', size: file.size, mtimeMs: file.mtimeMs };
      if (file.mode !== undefined) state.mode = file.mode;
      if (file.hash !== undefined) state.hash = file.hash;
      if (file.approximate) state.approximate = true;
      set(path, state);
    },
    link: (path, text) => set(path, { type: 'symlink', target: text }),
    absent: (path) => set(path, { type: 'absent' }),
    move,
  };

  for (const op of plan.operations) {
    const spec = specOf(op);
    for (const p of spec.preconditions(op)) {
      if (p.kind === 'expect') expect(op, p.field, p.path, p.expected);
      else if (p.kind === 'parent') parent(op, p.field, p.path);
      else noLinks(op, p.field, p.path);
    }
    spec.effect(op, effects);
  }
  return checks;
}

/**
 * Compares an expectation with a state the plan itself produces. Returns why they
 * differ (the plan contradicts itself), or undefined.
 */
export function plannedMismatch(expected: ExpectedState, at: Exclude<SimState, { type: 'disk' }>): string | undefined {
  if (expected.type !== at.type) {
    return `expects ${expected.type === 'absent' ? 'nothing' : `a ${expected.type}`} where an earlier operation leaves ${
      at.type === 'absent' ? 'nothing' : `a ${at.type}`
    }`;
  }
  if (expected.type === 'file' && at.type === 'file' && at.approximate !== true) {
    if (expected.size !== at.size || expected.mtimeMs !== at.mtimeMs) {
      return 'expects a file of another size or mtime than an earlier operation makes';
    }
    if (expected.hash !== undefined && at.hash !== undefined && expected.hash !== at.hash) {
      return 'expects other content than an earlier operation copies';
    }
  }
  if (expected.type === 'symlink' && at.type === 'symlink' && expected.target !== at.target) {
    return 'expects a link to another target than an earlier operation makes';
  }
  return undefined;
}
