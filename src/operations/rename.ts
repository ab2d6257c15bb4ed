import { basename, dirname, join } from 'node:path';
import type { FileSystem } from '../fs/types.js';
import { mapLimit } from '../util/limit.js';
import type {
  CleanupPeriodChange,
  CopyState,
  ExpectedState,
  Keep,
  OperationBase,
  OperationSpec,
  StepContext,
  StepResult,
} from './base.js';
import { flushCopies, resync } from './copies.js';
import { describeActual, isPrefixFile, readActual } from './state.js';
import { assertAbsent, fromTo, groupByReason, staleError } from './support.js';

/** Move a file, folder or link to a path that must be absent. Undo: move it back. */
export interface RenameOperation extends OperationBase {
  type: 'rename';
  from: string;
  to: string;
  expectFrom: ExpectedState;
  expectTo: { type: 'absent' };
  /**
   * For rollback's `cleanup-period` rename of a `settings.json` that share created: the
   * period before and after (no file: Claude Code's default).
   */
  cleanupPeriodDays?: CleanupPeriodChange;
}

const GROUPS = {
  superseded: 'superseded',
  'conflict-kept': 'aside-rename',
  'cleanup-period': 'cleanup-period',
  longer: 'sync-fold',
  new: 'sync-fold',
  backup: 'backup',
  restore: 'restore',
} as const;

export const rename: OperationSpec<RenameOperation> = {
  type: 'rename',
  flushBeforeUndo: true,
  shape(c) {
    c.path('from');
    c.path('to');
    c.expected('expectFrom', ['file', 'directory', 'symlink']);
    c.expected('expectTo', ['absent']);
  },
  paths: (op) => [
    { path: op.from, role: 'remove', field: 'from' },
    { path: op.to, role: 'create', field: 'to' },
  ],
  // Rollback moving aside a settings.json that share created, to its own backup name.
  touchesSettings: (op, path) =>
    op.reason === 'cleanup-period' &&
    op.from === path &&
    dirname(op.to) === dirname(path) &&
    basename(op.to).startsWith('settings.json.bak.'),
  effect: (op, tree) => tree.move(op.from, op.to),
  preconditions: (op) => fromTo(op, true),
  bytesWritten: () => 0,
  bytesShown: (op) => (op.expectFrom.type === 'file' ? op.expectFrom.size : 0),
  moveOf: (op) => ({ from: op.from, to: op.to }),
  describe(op) {
    if (op.cleanupPeriodDays?.restore) {
      return `${restoreText(op.cleanupPeriodDays)}: remove ${op.from}, which share created (kept as ${op.to})`;
    }
    return `rename ${op.from} -> ${op.to}`;
  },
  group: (op) => groupByReason(GROUPS, op.reason),
  run: move,
  async undo(ctx, op, keep) {
    const { fs } = ctx;
    const at = ctx.locate(op.to);
    const moved = await readActual(fs, at);
    if (moved.type === 'absent') return;
    if (moved.type !== op.expectFrom.type) {
      keep(at, `it is not the ${op.expectFrom.type} the apply moved there`);
      return;
    }
    await moveBack(fs, at, ctx.locate(op.from), keep);
  },
};

/** Rollback's line for an account's own period put back. */
export function restoreText(c: CleanupPeriodChange): string {
  const now = c.fromSet ? `${c.from}` : `unset, ${c.from} by default`;
  return c.toSet === false
    ? `restore cleanupPeriodDays to unset as before sharing (Claude Code's default, ${c.to} days; now ${now})`
    : `restore cleanupPeriodDays to ${c.to} as before sharing (now ${now})`;
}

async function move(ctx: StepContext, op: RenameOperation): Promise<StepResult> {
  const { fs } = ctx;
  const from = await readActual(fs, op.from);
  if (from.type !== op.expectFrom.type) {
    throw staleError(`${op.from} is no longer a ${op.expectFrom.type}.`, op.from);
  }
  await assertAbsent(fs, op.to);
  await fs.rename(op.from, op.to);
  // What moved must be what was checked: a folder swapped for a link in between would put
  // the link in the backup and leave the sessions where it points. (Across devices the
  // move copies, so only the type can be compared there.)
  const moved = await readActual(fs, op.to);
  const movedStat = moved.type === 'absent' ? undefined : moved.stat;
  const fromStat = from.type === 'absent' ? undefined : from.stat;
  if (
    moved.type !== from.type ||
    (movedStat && fromStat && movedStat.dev === fromStat.dev && movedStat.ino !== fromStat.ino)
  ) {
    throw staleError(`${op.from} was replaced (by ${describeActual(moved)}) while it was being moved.`, op.from);
  }
  // Sources copied earlier now sit under op.to. Bytes appended to them between their
  // copy and this move are carried to the copies; then the copies are flushed to the
  // device, since from now on they are what the accounts see. (One flush per copy here,
  // rather than in each copy step, lets the copies themselves run at full speed.)
  const copies = (ctx.resyncTargets.get(op.id) ?? [])
    .map((id) => ctx.copies.get(id))
    .filter((c): c is CopyState => c !== undefined);
  for (const copy of copies) copy.source = ctx.rules.rebase(copy.source, op.from, op.to);
  const carried = await mapLimit(copies, ctx.concurrency, (copy) => resync(ctx, copy));
  if (ctx.durable && copies.length > 0) await flushCopies(ctx, copies);
  return { bytes: carried.reduce((a, b) => a + b, 0) };
}

/**
 * Moves what a rename put at `at` back to `home`. When `home` exists again (a partial
 * cross-device move, or something recreated it), folders are merged back entry by entry
 * and a file is dropped only when the other side already begins with all its bytes.
 */
async function moveBack(fs: FileSystem, at: string, home: string, keep: Keep): Promise<void> {
  const moved = await readActual(fs, at);
  if (moved.type === 'absent') return;
  const there = await readActual(fs, home);
  if (there.type === 'absent') {
    await fs.rename(at, home);
    return;
  }
  if (moved.type === 'directory' && there.type === 'directory') {
    for (const entry of await fs.readdir(at)) await moveBack(fs, join(at, entry.name), join(home, entry.name), keep);
    if ((await fs.readdir(at)).length === 0) await fs.rmdir(at);
    return;
  }
  if (moved.type === 'file' && there.type === 'file' && (await isPrefixFile(fs, at, home))) {
    await fs.unlink(at);
    return;
  }
  if (moved.type === 'symlink' && there.type === 'symlink' && moved.target === there.target) {
    await fs.unlink(at);
    return;
  }
  keep(at, `${home} exists again with other content; both are kept`);
}
