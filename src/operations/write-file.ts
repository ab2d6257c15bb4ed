import { SETTINGS_ABSENT_SUFFIX } from '../layout/names.js';
import type {
  CleanupPeriodChange,
  ExpectedFile,
  Keep,
  OperationBase,
  OperationSpec,
  StepContext,
  StepResult,
  UndoContext,
} from './base.js';
import { tempPathFor } from './paths.js';
import { restoreText } from './rename.js';
import { readActual } from './state.js';
import { assertAbsent, removeIfPresent, staleError, verifyError } from './support.js';

/**
 * Replace a small file's content atomically (temp + rename), first keeping the old file
 * at `backupTo` (which must be absent). Used for `settings.json`. Undo: put the backup
 * back. When the file is absent (`expect.type === 'absent'`), nothing is backed up; a
 * file that is there is never replaced without `backupTo` (`validatePlan` refuses it).
 */
export interface WriteFileOperation extends OperationBase {
  type: 'writeFile';
  path: string;
  content: string;
  mode: number;
  expect: { type: 'absent' } | ExpectedFile;
  backupTo?: string;
  /**
   * For a `cleanup-period` write: the account's period before (`fromSet` false when the
   * file set none and Claude Code's default applied) and after, so that the plan can say
   * whether it sets, raises or lowers it.
   */
  cleanupPeriodDays?: CleanupPeriodChange;
}

export const writeFile: OperationSpec<WriteFileOperation> = {
  type: 'writeFile',
  flushBeforeUndo: true,
  shape(c) {
    const { op } = c;
    c.path('path');
    if (typeof op.content !== 'string') c.problem('content must be a string');
    c.mode('mode');
    c.expected('expect', ['absent', 'file']);
    if (op.backupTo !== undefined && typeof op.backupTo !== 'string') c.problem('backupTo must be a path');
    const expect = op.expect as { type?: unknown } | undefined;
    if (expect?.type === 'file' && op.backupTo === undefined) {
      c.problem(`would replace ${String(op.path)} without keeping the old file: give it a backupTo`);
    }
    const cpd = op.cleanupPeriodDays as { from?: unknown; fromSet?: unknown; to?: unknown } | null | undefined;
    if (
      cpd !== undefined &&
      (typeof cpd !== 'object' ||
        cpd === null ||
        typeof cpd.from !== 'number' ||
        typeof cpd.to !== 'number' ||
        typeof cpd.fromSet !== 'boolean')
    ) {
      c.problem('cleanupPeriodDays must be { from, fromSet, to }');
    }
  },
  paths: (op) => [
    ...(op.backupTo === undefined ? [] : [{ path: op.backupTo, role: 'create' as const, field: 'backupTo' }]),
    { path: op.path, role: op.expect.type === 'absent' ? 'create' : 'replace', field: 'path' },
  ],
  touchesSettings: (op, path) => op.reason === 'cleanup-period' && op.path === path,
  effect(op, tree) {
    if (op.backupTo !== undefined) tree.move(op.path, op.backupTo);
    tree.file(op.path, { size: Buffer.byteLength(op.content), mtimeMs: 0, mode: op.mode, approximate: true });
  },
  preconditions: (op) => [
    { kind: 'no-link', field: 'path', path: op.path },
    { kind: 'expect', field: 'expect', path: op.path, expected: op.expect },
    { kind: 'parent', field: 'path', path: op.path },
    ...(op.backupTo === undefined
      ? []
      : [
          { kind: 'no-link' as const, field: 'backupTo', path: op.backupTo },
          { kind: 'expect' as const, field: 'backupTo', path: op.backupTo, expected: { type: 'absent' as const } },
          { kind: 'parent' as const, field: 'backupTo', path: op.backupTo },
        ]),
  ],
  bytesWritten: (op) => Buffer.byteLength(op.content),
  bytesShown: (op) => Buffer.byteLength(op.content),
  describe,
  group: (op) => (op.reason === 'sync-setup' ? 'sync-setup' : 'cleanup-period'),
  run: write,
  undo: undoWrite,
};

function describe(op: WriteFileOperation): string {
  const kept = op.backupTo ? ` (old file kept as ${op.backupTo})` : '';
  const c = op.cleanupPeriodDays;
  if (c?.restore) return `${restoreText(c)} in ${op.path}${kept}`;
  if (!c) {
    if (op.reason === 'cleanup-period' && op.path.endsWith(SETTINGS_ABSENT_SUFFIX)) {
      return `record that ${op.path.slice(0, op.path.lastIndexOf('.bak.'))} did not exist (for rollback): ${op.path}`;
    }
    return `write ${op.path}${kept}`;
  }
  const verb = c.to > c.from ? 'raise' : c.to < c.from ? 'lower' : 'set';
  const change = c.fromSet
    ? `${verb} cleanupPeriodDays from ${c.from} to ${c.to}`
    : `set cleanupPeriodDays to ${c.to} (unset: ${c.from} days by default${verb === 'set' ? '' : `, so this ${verb}s it`})`;
  return `${change} in ${op.path}${kept}`;
}

async function write(ctx: StepContext, op: WriteFileOperation): Promise<StepResult> {
  const { fs } = ctx;
  const tmp = tempPathFor(op.path, ctx.run, op.id);
  const content = Buffer.from(op.content);
  if (op.expect.type === 'file' && op.backupTo !== undefined) {
    const current = await readActual(fs, op.path);
    if (current.type !== 'file') throw staleError(`${op.path} is no longer a file.`, op.path);
    await assertAbsent(fs, op.backupTo);
    await fs.copyFile(op.path, op.backupTo, { exclusive: true });
    const kept = await fs.lstat(op.backupTo);
    if (kept.size !== current.size) throw verifyError(`The backup copy of ${op.path} did not verify.`, op.backupTo);
  } else {
    await assertAbsent(fs, op.path);
  }
  const handle = await fs.open(tmp, 'wx', op.mode);
  try {
    await handle.write(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const written = await fs.lstat(tmp);
  if (written.mode !== op.mode) await fs.chmod(tmp, op.mode);
  if (written.size !== content.length) throw verifyError(`${tmp} did not verify after writing.`, op.path);
  if (op.expect.type === 'absent') await assertAbsent(fs, op.path);
  await fs.rename(tmp, op.path);
  return { bytes: content.length };
}

async function undoWrite(ctx: UndoContext, op: WriteFileOperation, keep: Keep): Promise<void> {
  const { fs } = ctx;
  await removeIfPresent(fs, tempPathFor(op.path, ctx.run, op.id));
  const content = Buffer.from(op.content);
  const holds = async (path: string, bytes: Uint8Array) => {
    const state = await readActual(fs, path);
    return state.type === 'file' && state.size === bytes.length && Buffer.compare(await fs.readFile(path), bytes) === 0;
  };
  const current = await readActual(fs, op.path);
  if (op.expect.type === 'absent' || op.backupTo === undefined) {
    if (current.type === 'absent') return;
    if (await holds(op.path, content)) await fs.unlink(op.path);
    else keep(op.path, 'it was changed after the apply wrote it');
    return;
  }
  const backup = await readActual(fs, op.backupTo);
  if (backup.type === 'absent') return; // the old file was never touched
  if (current.type === 'file' && (await holds(op.path, content))) {
    await fs.rename(op.backupTo, op.path);
    return;
  }
  if (current.type === 'file' && (await holds(op.path, await fs.readFile(op.backupTo)))) {
    await fs.unlink(op.backupTo); // the new content never landed: the backup is a spare copy
    return;
  }
  keep(op.backupTo, `${op.path} was changed after the apply wrote it; its old content is kept here`);
}
