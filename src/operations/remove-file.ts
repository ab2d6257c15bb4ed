import { dirname, join } from 'node:path';
import { errnoCode } from '../errors.js';
import { RETAINED_DIR } from '../layout/config-dir.js';
import { isNormalAbsolute } from '../layout/paths.js';
import { formatBytes } from '../util/format.js';
import type { ExpectedFile, OperationBase, OperationSpec, PlanScope } from './base.js';
import { tempPathFor } from './paths.js';
import { readActual } from './state.js';
import { assertAbsent, assertNoLinkAbove, atOnePath, staleError } from './support.js';

/**
 * Remove a regular file's name, for good only once the apply has committed: the file is
 * renamed to a temporary name beside it (undo: rename it back), and the temporary names
 * of the whole plan are removed after the commit record is durable (by `recover` when
 * the apply was cut off after its commit). The only planner that makes it is `retain
 * --prune`, for retained links under `<shared parent>/.retained/` whose shared file is
 * gone; `validatePlan` refuses it anywhere else.
 */
export interface RemoveFileOperation extends OperationBase {
  type: 'removeFile';
  path: string;
  expect: ExpectedFile;
}

/**
 * Where a `removeFile` keeps the file until the apply commits: a temporary name beside
 * it (same folder, so a rename; the walks of the retained folder skip such names).
 */
function heldPathOf(op: RemoveFileOperation, run: string): string {
  return tempPathFor(op.path, run, op.id);
}

export const removeFile: OperationSpec<RemoveFileOperation> = {
  type: 'removeFile',
  flushBeforeUndo: true,
  shape(c) {
    c.path('path');
    c.expected('expect', ['file']);
    if (c.op.reason !== 'prune') c.problem('removeFile is only made to prune retained links (reason prune)');
  },
  paths: (op) => [{ path: op.path, role: 'remove', field: 'path' }],
  scope: (_op, named, plan) => badRemoval(plan, named.path),
  effect: (op, tree) => tree.absent(op.path),
  preconditions: (op) => atOnePath(op.path, op.expect),
  bytesWritten: () => 0,
  bytesShown: (op) => op.expect.size,
  describe: (op) => `remove ${op.path} (${formatBytes(op.expect.size)})`,
  group: (op) => (op.reason === 'prune' ? 'prune' : undefined),

  async run(ctx, op) {
    const { fs } = ctx;
    await assertNoLinkAbove(ctx, op.path);
    const state = await readActual(fs, op.path);
    if (state.type !== 'file') throw staleError(`${op.path} is no longer a regular file.`, op.path);
    if (state.stat.size !== op.expect.size || state.stat.mtimeMs !== op.expect.mtimeMs) {
      throw staleError(
        `${op.path} changed since the plan was made (${state.stat.size} bytes, was ${op.expect.size}); it is not removed.`,
        op.path,
      );
    }
    const held = heldPathOf(op, ctx.run);
    await assertAbsent(fs, held);
    // Held, not gone: the undo renames it back; only the commit lets it go.
    await fs.rename(op.path, held);
    return { bytes: 0 };
  },

  async undo(ctx, op, keep) {
    const { fs } = ctx;
    const held = heldPathOf(op, ctx.run);
    const [state, holding] = await Promise.all([readActual(fs, op.path), readActual(fs, held)]);
    if (holding.type === 'absent') return; // never moved (or already put back)
    if (state.type === 'absent') await fs.rename(held, op.path);
    else keep(held, `something is at ${op.path} again; the file the apply set aside stays at this name`);
  },

  // After the commit: the held file goes, which releases its space.
  async afterCommit(fs, op, run) {
    const held = heldPathOf(op, run);
    try {
      await fs.unlink(held);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') return `could not remove ${held}: ${errnoCode(error) ?? String(error)}`;
    }
    return undefined;
  },
};

/**
 * A file a plan removes for good (`removeFile`) must be a retained link, and a folder
 * (`removeDir`) a folder of them: inside `<shared parent>/.retained/`, never a shared
 * folder, an account or anything else.
 */
export function badRemoval(plan: PlanScope, path: string): string | undefined {
  const { isInside, pathKey } = plan.rules;
  const retainedTops = Object.values(plan.sharedDirs)
    .filter(isNormalAbsolute)
    .map((d) => join(dirname(d), RETAINED_DIR));
  if (retainedTops.some((top) => isInside(top, path) && pathKey(top) !== pathKey(path))) return undefined;
  return `is not inside a retained folder (${retainedTops.join(', ')}); a planner only removes retained links.`;
}
