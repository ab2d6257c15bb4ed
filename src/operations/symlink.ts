import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { isNormalAbsolute, type PathRules } from '../layout/paths.js';
import type { OperationBase, OperationSpec, PlanScope } from './base.js';
import { readActual } from './state.js';
import { assertAbsent, atOnePath } from './support.js';

/** Create a link (a junction on Windows) at an absent path. Undo: remove the link. */
export interface SymlinkOperation extends OperationBase {
  type: 'symlink';
  path: string;
  /**
   * What the link resolves to (absolute): the shared folder's real path, or for an alias
   * (`linkText` set) the sibling project folder it names.
   */
  target: string;
  /**
   * The link text to write when it is not `target`, always relative: for an alias
   * (`reason: 'alias'`) the plain name of a sibling in the same folder
   * (`-Users-a-app -> -home-a-app`), so that the link means the same on every machine a
   * sync engine copies it to; for an account's link (`reason: 'link'`, `relative` option)
   * the path from the link's folder to `target` (`../.claude-shared/projects`), so that a
   * home folder copied with `cp -a` or restored from a backup still links to its own
   * shared folder. Either way it resolves to `target`.
   */
  linkText?: string;
  linkType: 'dir' | 'junction';
  expect: { type: 'absent' };
}

export const symlink: OperationSpec<SymlinkOperation> = {
  type: 'symlink',
  flushBeforeUndo: true,
  shape(c) {
    c.path('path');
    c.path('target');
    const { op } = c;
    if (op.linkType !== 'dir' && op.linkType !== 'junction') c.problem('linkType must be dir or junction');
    if (op.linkText !== undefined && typeof op.linkText !== 'string') c.problem('linkText must be a string');
    c.expected('expect', ['absent']);
  },
  paths: (op) => [
    { path: op.path, role: 'create', field: 'path' },
    { path: op.target, role: 'link-target', field: 'target' },
  ],
  scope(op, named, plan) {
    if (named.role !== 'link-target' || op.linkText === undefined) return plan.defaultRule(named);
    return op.reason === 'alias'
      ? badAlias(plan, op.path, op.linkText, named.path)
      : (badRelative(plan.rules, op.path, op.linkText, named.path) ?? plan.defaultRule(named));
  },
  effect: (op, tree) => tree.link(op.path, op.linkText ?? op.target),
  preconditions: (op) => atOnePath(op.path, op.expect),
  bytesWritten: () => 0,
  bytesShown: () => 0,
  describe: (op) => `symlink ${op.path} -> ${op.linkText ?? op.target}`,
  group: (op) => (op.reason === 'alias' ? 'alias' : 'link'),

  async run(ctx, op) {
    await assertAbsent(ctx.fs, op.path);
    await ctx.fs.symlink(op.linkText ?? op.target, op.path, op.linkType === 'junction' ? 'junction' : 'dir');
    return { bytes: 0 };
  },

  async undo(ctx, op, keep) {
    const { fs } = ctx;
    const state = await readActual(fs, op.path);
    if (state.type === 'absent') return;
    if (state.type === 'symlink' && state.target === (op.linkText ?? op.target)) await fs.unlink(op.path);
    else keep(op.path, `it is not the link to ${op.linkText ?? op.target} the apply made`);
  },
};

/**
 * An alias link (relative text) must be a project folder of a shared folder naming a
 * sibling by name only: `<shared>/<a> -> <b>`, resolving to `target`.
 */
function badAlias(plan: PlanScope, path: string, linkText: string, target: string): string | undefined {
  const { pathKey } = plan.rules;
  const parent = dirname(path);
  if (!Object.values(plan.sharedDirs).some((d) => isNormalAbsolute(d) && pathKey(d) === pathKey(parent))) {
    return 'is an alias link outside a shared folder; a planner only makes aliases between project folders.';
  }
  if (linkText === '' || linkText === '.' || linkText === '..' || /[\\/]/.test(linkText)) {
    return `has link text ${JSON.stringify(linkText)}, which is not the plain name of a sibling folder.`;
  }
  if (pathKey(dirname(target)) !== pathKey(parent) || basename(target) !== linkText) {
    return `does not match the alias link text ${JSON.stringify(linkText)}.`;
  }
  return undefined;
}

/**
 * A relative account link must be relative text that resolves, from the link's folder, to
 * exactly its `target` (which must then be a shared folder).
 */
function badRelative({ pathKey }: PathRules, path: string, linkText: string, target: string): string | undefined {
  if (linkText === '' || isAbsolute(linkText) || /^[\\/]/.test(linkText) || /^[A-Za-z]:/.test(linkText)) {
    return `has link text ${JSON.stringify(linkText)}, which is not a relative path.`;
  }
  if (pathKey(resolve(dirname(path), linkText)) !== pathKey(target)) {
    return `is not where the relative link text ${JSON.stringify(linkText)} leads from ${dirname(path)}.`;
  }
  return undefined;
}
