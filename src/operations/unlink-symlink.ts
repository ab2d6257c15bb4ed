import type { OperationBase, OperationSpec } from './base.js';
import { readActual } from './state.js';
import { atOnePath, staleError } from './support.js';

/** Remove a link (never what it points to). Undo: recreate it. */
export interface UnlinkSymlinkOperation extends OperationBase {
  type: 'unlinkSymlink';
  path: string;
  expect: { type: 'symlink'; target: string };
}

export const unlinkSymlink: OperationSpec<UnlinkSymlinkOperation> = {
  type: 'unlinkSymlink',
  flushBeforeUndo: true,
  shape(c) {
    c.path('path');
    c.expected('expect', ['symlink']);
  },
  paths: (op) => [{ path: op.path, role: 'remove', field: 'path' }],
  effect: (op, tree) => tree.absent(op.path),
  preconditions: (op) => atOnePath(op.path, op.expect),
  bytesWritten: () => 0,
  bytesShown: () => 0,
  describe: (op) => `unlink ${op.path}`,
  group: () => 'unlink',

  async run(ctx, op) {
    const state = await readActual(ctx.fs, op.path);
    if (state.type !== 'symlink' || state.target !== op.expect.target) {
      throw staleError(`${op.path} is no longer the link to ${op.expect.target}.`, op.path);
    }
    await ctx.fs.unlink(op.path);
    return { bytes: 0 };
  },

  async undo(ctx, op, keep) {
    const { fs } = ctx;
    const state = await readActual(fs, op.path);
    if (state.type === 'absent') {
      await fs.symlink(op.expect.target, op.path, 'dir');
    } else if (state.type !== 'symlink' || state.target !== op.expect.target) {
      keep(op.path, `something else is there now; the link to ${op.expect.target} was not put back`);
    }
  },
};
