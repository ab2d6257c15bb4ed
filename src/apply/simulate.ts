import { dirname, sep } from 'node:path';
import type { ExpectedState, Operation, Plan } from '../plan/types.js';
import { ancestorsOf, isInside, pathKey, rebase } from './paths.js';

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

/**
 * Walks the plan in order, keeping an overlay of what each operation creates, removes or
 * moves, and lists every state an operation relies on, with where that state comes
 * from: the disk as it is now, or an earlier operation of the same plan. Pure.
 */
export function simulatePlan(plan: Plan): Check[] {
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
  // Folders above the paths are shared by many operations: check each disk folder once.
  const seenDisk = new Set<string>();
  const parent = (op: Operation, field: string, path: string) => {
    const dir = dirname(path);
    if (dir === path) return;
    const at = lookup(dir);
    if (at.type === 'disk') {
      const key = `p\0${pathKey(at.disk)}`;
      if (seenDisk.has(key)) return;
      seenDisk.add(key);
    }
    checks.push({
      operationId: op.id,
      field: `parent of ${field}`,
      path: dir,
      expected: { type: 'directory' },
      at,
      kind: 'parent',
    });
  };
  /** No folder between the path's root and the path may be a link (it would be followed). */
  const noLinks = (op: Operation, field: string, path: string) => {
    const root = roots.find((r) => isInside(r, path));
    if (root === undefined) return;
    for (const ancestor of ancestorsOf(path)) {
      if (!isInside(root, ancestor) || pathKey(ancestor) === pathKey(root)) break;
      const at = lookup(ancestor);
      if (at.type === 'disk') {
        const key = `l\0${pathKey(at.disk)}`;
        if (seenDisk.has(key)) continue;
        seenDisk.add(key);
      } else if (at.type !== 'symlink') continue;
      checks.push({
        operationId: op.id,
        field: `folder above ${field}`,
        path: ancestor,
        expected: { type: 'directory' },
        at,
        kind: 'no-link',
      });
    }
  };

  for (const op of plan.operations) {
    switch (op.type) {
      case 'mkdir':
        noLinks(op, 'path', op.path);
        expect(op, 'expect', op.path, op.expect);
        parent(op, 'path', op.path);
        set(op.path, { type: 'directory', fresh: true });
        break;
      case 'copyFile':
      case 'forkSession': {
        noLinks(op, 'from', op.from);
        noLinks(op, 'to', op.to);
        expect(op, 'expectFrom', op.from, op.expectFrom);
        expect(op, 'expectTo', op.to, op.expectTo);
        parent(op, 'to', op.to);
        const { type: _type, ...file } = op.expectFrom;
        if (op.type === 'copyFile') set(op.to, { type: 'file', ...file });
        else set(op.to, { type: 'file', size: file.size, mtimeMs: file.mtimeMs, approximate: true });
        break;
      }
      case 'hardLink': {
        noLinks(op, 'from', op.from);
        noLinks(op, 'to', op.to);
        expect(op, 'expectFrom', op.from, op.expectFrom);
        expect(op, 'expectTo', op.to, op.expectTo);
        parent(op, 'to', op.to);
        const { type: _t, ...linked } = op.expectFrom;
        set(op.to, { type: 'file', ...linked });
        break;
      }
      case 'rename':
        noLinks(op, 'from', op.from);
        noLinks(op, 'to', op.to);
        expect(op, 'expectFrom', op.from, op.expectFrom);
        expect(op, 'expectTo', op.to, op.expectTo);
        parent(op, 'from', op.from);
        parent(op, 'to', op.to);
        move(op.from, op.to);
        break;
      case 'symlink':
        noLinks(op, 'path', op.path);
        expect(op, 'expect', op.path, op.expect);
        parent(op, 'path', op.path);
        set(op.path, { type: 'symlink', target: op.linkText ?? op.target });
        break;
      case 'unlinkSymlink':
      case 'removeFile':
        noLinks(op, 'path', op.path);
        expect(op, 'expect', op.path, op.expect);
        parent(op, 'path', op.path);
        set(op.path, { type: 'absent' });
        break;
      case 'writeFile':
        noLinks(op, 'path', op.path);
        expect(op, 'expect', op.path, op.expect);
        parent(op, 'path', op.path);
        if (op.backupTo !== undefined) {
          noLinks(op, 'backupTo', op.backupTo);
          expect(op, 'backupTo', op.backupTo, { type: 'absent' });
          parent(op, 'backupTo', op.backupTo);
          set(op.backupTo, lookup(op.path));
        }
        set(op.path, {
          type: 'file',
          size: Buffer.byteLength(op.content),
          mtimeMs: 0,
          mode: op.mode,
          approximate: true,
        });
        break;
    }
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
