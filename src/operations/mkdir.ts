import type { OperationBase, OperationSpec } from './base.js';
import { readActual } from './state.js';
import { atOnePath } from './support.js';

/** Create one folder (its parent must exist). Undo: remove it if empty. */
export interface MkdirOperation extends OperationBase {
  type: 'mkdir';
  path: string;
  mode: number;
  expect: { type: 'absent' };
}

export const mkdir: OperationSpec<MkdirOperation> = {
  type: 'mkdir',
  flushBeforeUndo: true,
  shape(c) {
    c.path('path');
    c.mode('mode');
    c.expected('expect', ['absent']);
  },
  paths: (op) => [{ path: op.path, role: 'create', field: 'path' }],
  effect: (op, tree) => tree.dir(op.path, op.mode),
  preconditions: (op) => atOnePath(op.path, op.expect),
  bytesWritten: () => 0,
  bytesShown: () => 0,
  describe: (op) => `mkdir ${op.path}`,
  group: (op) => (op.reason === 'restore' ? 'restore' : 'mkdir'),

  async run(ctx, op) {
    const { fs } = ctx;
    if (ctx.createdDirs.has(ctx.rules.key(op.path)) && (await readActual(fs, op.path)).type === 'directory') {
      // Made a moment ago to hold the journal: the plan's folder, adopted as is.
      if (((await fs.lstat(op.path)).mode & 0o777) !== (op.mode & 0o777)) await fs.chmod(op.path, op.mode);
      return { adopted: true, bytes: 0 };
    }
    await fs.mkdir(op.path, { mode: op.mode });
    if (((await fs.lstat(op.path)).mode & 0o777) !== (op.mode & 0o777)) await fs.chmod(op.path, op.mode);
    return { bytes: 0 };
  },

  async undo(ctx, op, keep) {
    const { fs } = ctx;
    if (ctx.createdDirs.has(ctx.rules.key(op.path))) return; // removed with the journal's folders
    const state = await readActual(fs, op.path);
    if (state.type !== 'directory') return;
    if ((await fs.readdir(op.path)).length > 0) {
      keep(op.path, 'the folder holds files the apply did not make');
      return;
    }
    await fs.rmdir(op.path);
  },
};
