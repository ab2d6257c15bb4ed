import { errnoCode } from '../errors.js';
import { type CopyDifference, compareCopy } from '../fs/times.js';
import type { ExpectedFile, LocalStepContext, OperationBase, OperationSpec, StepResult } from './base.js';
import { commitCopy } from './copies.js';
import { tempPathFor } from './paths.js';
import { hashFile, isPrefixFile, readActual } from './state.js';
import {
  assertNoLinkAbove,
  COPY_ATTEMPTS,
  checkFileToAbsent,
  fileAt,
  fromTo,
  groupByReason,
  keptChangingError,
  readAndCreate,
  removeIfPresent,
  staleError,
  verifyError,
} from './support.js';

/**
 * Copy a regular file to a path that must be absent: to a temporary name in the target
 * folder, verified (size, and hash when given), then renamed into place; mode and mtime
 * kept. Undo: remove the copy.
 */
export interface CopyFileOperation extends OperationBase {
  type: 'copyFile';
  from: string;
  to: string;
  expectFrom: ExpectedFile;
  expectTo: { type: 'absent' };
}

const GROUPS = {
  new: 'new',
  longer: 'longer',
  'newest-diverged': 'newest-diverged',
  'conflict-kept': 'conflict-kept',
  'fork-sidecar': 'fork-sidecar',
  carry: 'carry',
} as const;

export const copyFile: OperationSpec<CopyFileOperation> = {
  type: 'copyFile',
  flushBeforeUndo: false,
  shape: checkFileToAbsent,
  paths: readAndCreate,
  effect: (op, tree) => fileAt(tree, op.to, op.expectFrom),
  preconditions: (op) => fromTo(op, false),
  bytesWritten: (op) => op.expectFrom.size,
  bytesShown: (op) => op.expectFrom.size,
  copyOf: (op) => ({ from: op.from, to: op.to }),
  describe: (op) => `copyFile ${op.from} -> ${op.to}`,
  group: (op) => groupByReason(GROUPS, op.reason),

  run: copy,
  runLocal: copy,

  async undo(ctx, op, keep) {
    await undoCopy(ctx.fs, op.to, tempPathFor(op.to, ctx.run, op.id), ctx.locate(op.from), keep, (source) =>
      isPrefixFile(ctx.fs, op.to, source),
    );
  },
};

async function copy(ctx: LocalStepContext, op: CopyFileOperation): Promise<StepResult> {
  const { fs } = ctx;
  const tmp = tempPathFor(op.to, ctx.run, op.id);
  let difference: CopyDifference | undefined;
  for (let attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
    // The copy takes the source's mtime as it was when the copy began: the source is
    // unchanged since if it still has that mtime (to the microsecond where the disk
    // keeps it, see FileStat.mtimeUs) and the copy's size.
    await assertNoLinkAbove(ctx, op.from);
    const { cloned } = await fs.copyFile(op.from, tmp, { exclusive: true });
    const [copied, source] = await Promise.all([fs.lstat(tmp), fs.lstat(op.from)]);
    await assertNoLinkAbove(ctx, op.from, tmp);
    const differs = compareCopy(source, copied);
    if (differs !== undefined) {
      // Written to while it was copied: copy again, so the copy is one consistent state.
      difference = differs;
      await fs.unlink(tmp);
      continue;
    }
    if (copied.size < op.expectFrom.size) {
      await fs.unlink(tmp);
      throw staleError(`${op.from} shrank from ${op.expectFrom.size} to ${copied.size} bytes.`, op.from);
    }
    if (copied.mode !== source.mode) {
      throw verifyError(
        `The copy of ${op.from} did not keep its mode: the source has ${source.mode.toString(8)}, the copy ${copied.mode.toString(8)}.`,
        op.to,
      );
    }
    if (op.expectFrom.hash !== undefined) {
      // The plan compared these bytes; bytes appended since are carried as they are.
      const hash = await hashFile(fs, tmp, op.expectFrom.size);
      if (hash !== op.expectFrom.hash) {
        throw verifyError(
          `The copy of ${op.from} does not hold the content the plan compared: its first ${op.expectFrom.size} bytes hash to sha256 ${hash.slice(0, 12)}…, the plan compared ${op.expectFrom.hash.slice(0, 12)}….`,
          op.to,
        );
      }
    }
    await commitCopy(ctx, op, tmp, { sourceSize: copied.size, sourceMtimeMs: source.mtimeMs, size: copied.size });
    if (cloned) ctx.counters.bytesCloned += copied.size;
    else ctx.counters.bytesCopied += copied.size;
    return { copy: { size: copied.size, mtimeMs: copied.mtimeMs, cloned }, bytes: copied.size };
  }
  throw keptChangingError(op.from, op.to, 'copied', difference);
}

/**
 * Removes a copy (or fork) the apply made, and its temporary file: only when it still
 * holds nothing but what its source holds (`ours`); else it is kept.
 */
export async function undoCopy(
  fs: Parameters<typeof readActual>[0],
  to: string,
  tmp: string,
  source: string,
  keep: (path: string, reason: string) => void,
  ours: (source: string) => Promise<boolean>,
): Promise<void> {
  await removeIfPresent(fs, tmp);
  const state = await readActual(fs, to);
  if (state.type === 'absent') return;
  if (state.type !== 'file') {
    keep(to, 'something other than the copy is there now');
    return;
  }
  let isOurs = false;
  try {
    isOurs = await ours(source);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  if (isOurs) await fs.unlink(to);
  else keep(to, `it holds bytes that ${source} does not (written after the copy); kept so nothing is lost`);
}
