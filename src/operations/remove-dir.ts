import { errnoCode } from '../errors.js';
import type { OperationBase, OperationSpec } from './base.js';
import { badRemoval } from './remove-file.js';
import { readActual } from './state.js';
import { assertNoLinkAbove, atOnePath, staleError } from './support.js';

/**
 * Remove a folder that the plan's own `removeFile` operations empty, for good once the
 * apply has committed: nothing happens before the commit (the folder still holds the
 * files those operations set aside until then), so there is nothing to undo; after the
 * commit record is durable, and after the files set aside are gone (`afterCommit` runs in
 * plan order, and these come after the removals, deepest first), the folder is removed
 * with rmdir, which never removes a folder that holds anything: one that got a new entry
 * since the plan was made stays. The only planner that makes it is `retain --prune`, for
 * folders under `<shared parent>/.retained/` that the pruned links leave empty;
 * `validatePlan` refuses it anywhere else.
 */
export interface RemoveDirOperation extends OperationBase {
  type: 'removeDir';
  path: string;
  expect: { type: 'directory' };
}

export const removeDir: OperationSpec<RemoveDirOperation> = {
  type: 'removeDir',
  flushBeforeUndo: false,
  shape(c) {
    c.path('path');
    c.expected('expect', ['directory']);
    if (c.op.reason !== 'prune') c.problem('removeDir is only made to prune retained folders (reason prune)');
  },
  paths: (op) => [{ path: op.path, role: 'remove', field: 'path' }],
  scope: (_op, named, plan) => badRemoval(plan, named.path),
  effect: (op, tree) => tree.absent(op.path),
  preconditions: (op) => atOnePath(op.path, op.expect),
  bytesWritten: () => 0,
  bytesShown: () => 0,
  describe: (op) => `remove the folder ${op.path} (empty once pruned)`,
  group: (op) => (op.reason === 'prune' ? 'prune-dirs' : undefined),

  // Only checks: the folder goes after the commit.
  async run(ctx, op) {
    await assertNoLinkAbove(ctx, op.path);
    if ((await readActual(ctx.fs, op.path)).type !== 'directory') {
      throw staleError(`${op.path} is no longer a folder.`, op.path);
    }
    return { bytes: 0 };
  },

  // Nothing was removed before the commit.
  async undo() {},

  async afterCommit(fs, op) {
    try {
      await fs.rmdir(op.path);
    } catch (error) {
      const code = errnoCode(error);
      // Gone already (recover after a cut-off), or it holds something new since: it stays.
      if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') return undefined;
      return `could not remove the folder ${op.path}: ${code ?? String(error)}`;
    }
    return undefined;
  },
};
