import { createHash } from 'node:crypto';
import { type CopyDifference, compareCopy } from '../fs/times.js';
import type { ExpectedFile, LocalStepContext, OperationBase, OperationSpec, StepResult } from './base.js';
import { commitCopy } from './copies.js';
import { undoCopy } from './copy-file.js';
import { tempPathFor } from './paths.js';
import {
  assertNoLinkAbove,
  COPY_ATTEMPTS,
  fileAt,
  fromTo,
  keptChangingError,
  readAndCreate,
  replaceSessionId,
  staleError,
  verifyError,
} from './support.js';

/**
 * Copy a transcript under a new session id: every `"sessionId":"<old>"` becomes the new
 * id, nothing else changes. Used to keep a diverged copy resumable. Undo: remove it.
 */
export interface ForkSessionOperation extends OperationBase {
  type: 'forkSession';
  from: string;
  to: string;
  oldSessionId: string;
  newSessionId: string;
  expectFrom: ExpectedFile;
  expectTo: { type: 'absent' };
}

export const forkSession: OperationSpec<ForkSessionOperation> = {
  type: 'forkSession',
  flushBeforeUndo: false,
  counts: 'forks',
  shape(c) {
    c.path('from');
    c.path('to');
    const { op } = c;
    if (
      typeof op.oldSessionId !== 'string' ||
      typeof op.newSessionId !== 'string' ||
      op.oldSessionId === op.newSessionId
    )
      c.problem('needs distinct oldSessionId and newSessionId');
    c.expected('expectFrom', ['file']);
    c.expected('expectTo', ['absent']);
  },
  paths: readAndCreate,
  effect: (op, tree) => fileAt(tree, op.to, op.expectFrom, 'approximate'),
  preconditions: (op) => fromTo(op, false),
  bytesWritten: (op) => op.expectFrom.size,
  bytesShown: (op) => op.expectFrom.size,
  copyOf: (op) => ({ from: op.from, to: op.to }),
  describe: (op) => `forkSession ${op.from} -> ${op.to}`,
  group: (op) => (op.reason === 'fork' ? 'fork' : undefined),
  run: fork,
  runLocal: fork,
  async undo(ctx, op, keep) {
    const { fs } = ctx;
    await undoCopy(fs, op.to, tempPathFor(op.to, ctx.run, op.id), ctx.locate(op.from), keep, async (source) => {
      const forked = replaceSessionId(await fs.readFile(source), op.oldSessionId, op.newSessionId);
      const held = await fs.readFile(op.to);
      return held.length <= forked.length && Buffer.compare(Buffer.from(held), forked.subarray(0, held.length)) === 0;
    });
  },
};

async function fork(ctx: LocalStepContext, op: ForkSessionOperation): Promise<StepResult> {
  const { fs } = ctx;
  const tmp = tempPathFor(op.to, ctx.run, op.id);
  let difference: CopyDifference | undefined;
  for (let attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
    await assertNoLinkAbove(ctx, op.from);
    const before = await fs.lstat(op.from);
    if (before.type !== 'file') throw staleError(`${op.from} is no longer a regular file.`, op.from);
    const data = await fs.readFile(op.from);
    const after = await fs.lstat(op.from);
    await assertNoLinkAbove(ctx, op.from);
    const during = compareCopy(after, before) ?? compareCopy(after, { ...before, size: data.length });
    if (during !== undefined) {
      difference = during;
      continue;
    }
    if (data.length < op.expectFrom.size) {
      throw staleError(`${op.from} shrank from ${op.expectFrom.size} to ${data.length} bytes.`, op.from);
    }
    if (op.expectFrom.hash !== undefined) {
      const hash = createHash('sha256').update(data.subarray(0, op.expectFrom.size)).digest('hex');
      if (hash !== op.expectFrom.hash) throw staleError(`${op.from} no longer holds what the plan compared.`, op.from);
    }
    const forked = replaceSessionId(data, op.oldSessionId, op.newSessionId);
    const handle = await fs.open(tmp, 'wx', before.mode);
    try {
      await handle.write(forked);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if ((await fs.lstat(tmp)).mode !== before.mode) await fs.chmod(tmp, before.mode);
    // To the microsecond where the filesystem can, like a copy: a fork set to whole
    // (rounded) milliseconds would floor to a different millisecond than its source.
    if (fs.copyTimes) await fs.copyTimes(op.from, tmp);
    else await fs.utimes(tmp, before.atimeMs, before.mtimeMs);
    const written = await fs.lstat(tmp);
    if (written.size !== forked.length) {
      throw verifyError(`The fork of ${op.from} did not verify (${written.size} of ${forked.length} bytes).`, op.to);
    }
    // Without copyTimes the fork has whole milliseconds, so only those can be compared.
    const timeDiffers = fs.copyTimes
      ? compareCopy({ ...before, size: written.size }, written)
      : compareCopy({ size: written.size, mtimeMs: before.mtimeMs }, { size: written.size, mtimeMs: written.mtimeMs });
    if (timeDiffers !== undefined) {
      // The source changed between the read and copying its time: fork again.
      difference = timeDiffers;
      await fs.unlink(tmp);
      continue;
    }
    await commitCopy(ctx, op, tmp, { sourceSize: data.length, sourceMtimeMs: before.mtimeMs, size: forked.length });
    ctx.counters.bytesCopied += forked.length;
    return { copy: { size: forked.length, mtimeMs: written.mtimeMs, cloned: false }, bytes: forked.length };
  }
  throw keptChangingError(op.from, op.to, 'forked', difference);
}
