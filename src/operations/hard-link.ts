import { ErrorCodes, errnoCode, SharedSessionsError } from '../errors.js';
import type { ExpectedFile, LocalStepContext, OperationBase, OperationSpec, StepResult } from './base.js';
import { readActual } from './state.js';
import {
  assertNoLinkAbove,
  checkFileToAbsent,
  fileAt,
  fromTo,
  readAndCreate,
  staleError,
  verifyError,
} from './support.js';

/**
 * Make a second name (a hard link) for a regular file, at a path that must be absent;
 * both names then hold the same bytes and mtime, and removing one leaves the other. Used
 * to keep shared transcripts in `<shared parent>/.retained/`, and to bring back from there
 * a transcript Claude Code's cleanup deleted. Undo: remove the new name, when it is still
 * the same file. Fails with `ELINK_UNSUPPORTED` where the filesystem has no hard links or
 * the two paths are on different devices.
 */
export interface HardLinkOperation extends OperationBase {
  type: 'hardLink';
  from: string;
  to: string;
  expectFrom: ExpectedFile;
  expectTo: { type: 'absent' };
}

export const hardLink: OperationSpec<HardLinkOperation> = {
  type: 'hardLink',
  flushBeforeUndo: true,
  shape: checkFileToAbsent,
  paths: readAndCreate,
  effect: (op, tree) => fileAt(tree, op.to, op.expectFrom),
  preconditions: (op) => fromTo(op, false),
  bytesWritten: () => 0,
  bytesShown: () => 0,
  describe: (op) => `link ${op.from} -> ${op.to}`,
  group: (op) => (op.reason === 'recover' ? 'recover' : op.reason === 'retain' ? 'retain' : undefined),
  run: link,
  runLocal: link,
  async undo(ctx, op, keep) {
    const { fs } = ctx;
    const state = await readActual(fs, op.to);
    if (state.type === 'absent') return;
    const source = await readActual(fs, ctx.locate(op.from));
    if (
      state.type === 'file' &&
      source.type === 'file' &&
      state.stat.ino === source.stat.ino &&
      state.stat.dev === source.stat.dev
    ) {
      await fs.unlink(op.to);
    } else keep(op.to, 'it is not (or no longer provably) a second name of its source; kept so nothing is lost');
  },
};

/** errno codes of a filesystem that cannot make this hard link (none at all, or across devices). */
const NO_HARD_LINK = new Set(['EXDEV', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

async function link(ctx: LocalStepContext, op: HardLinkOperation): Promise<StepResult> {
  const { fs } = ctx;
  await assertNoLinkAbove(ctx, op.from);
  await assertNoLinkAbove(ctx, op.to);
  const from = await readActual(fs, op.from);
  if (from.type !== 'file') throw staleError(`${op.from} is no longer a regular file.`, op.from);
  // A transcript only grows; a shorter one is not the file the plan saw.
  if (from.stat.size < op.expectFrom.size) {
    throw staleError(`${op.from} shrank from ${op.expectFrom.size} to ${from.stat.size} bytes.`, op.from);
  }
  try {
    if (!fs.link) throw Object.assign(new Error('no hard links'), { code: 'ENOTSUP' });
    // link(2) never replaces: something at op.to now fails it with EEXIST, untouched.
    await fs.link(op.from, op.to);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== undefined && NO_HARD_LINK.has(code)) {
      throw new SharedSessionsError(
        ErrorCodes.LINK_UNSUPPORTED,
        `Cannot make ${op.to} a hard link of ${op.from} (${code}): ${code === 'EXDEV' ? 'they are on different filesystems' : 'this filesystem does not support hard links'}. Shared sessions deleted by Claude Code's cleanup cannot be kept there; keep the shared folder's parent on one filesystem that has hard links, or do without the retained copies (see docs/safety.md, "After sharing").`,
        { path: op.to, cause: error },
      );
    }
    throw error;
  }
  // The new name must be the file checked above: a source replaced in between would
  // have given it another inode.
  const made = await fs.lstat(op.to);
  if (made.ino !== from.stat.ino || made.dev !== from.stat.dev) {
    throw verifyError(`${op.to} is not the same file as ${op.from} after linking.`, op.to);
  }
  return { bytes: 0 };
}
