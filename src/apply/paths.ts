import { basename, dirname, join, sep } from 'node:path';
import type { Operation, Plan } from '../plan/types.js';

const CASE_INSENSITIVE = process.platform === 'win32' || process.platform === 'darwin';

/**
 * A key for comparing two paths on this host. Plan paths are absolute and in normal form
 * (validatePlan checks it), so no normalisation is needed: the executor calls this
 * hundreds of thousands of times on a large plan.
 */
export function pathKey(path: string): string {
  return CASE_INSENSITIVE ? path.toLowerCase() : path;
}

/** True when `path` is `root` itself or lies under it (both absolute and normal). */
export function isInside(root: string, path: string): boolean {
  const r = pathKey(root);
  const p = pathKey(path);
  if (p === r) return true;
  const prefix = r.endsWith(sep) ? r : r + sep;
  return p.startsWith(prefix);
}

/** The folder beside the shared folders where the executor keeps its lock and journal. */
export const STATE_DIR_NAME = '.claude-shared-sessions';
export const JOURNAL_NAME = 'journal.jsonl';
export const LOCK_NAME = 'lock';

/**
 * The executor's state folder for a shared `projects` folder:
 * `<parent of sharedDir>/.claude-shared-sessions`.
 *
 * @example
 * stateDirOf('/home/u/.claude-shared/projects') // '/home/u/.claude-shared/.claude-shared-sessions'
 */
export function stateDirOf(sharedDir: string): string {
  return join(dirname(sharedDir), STATE_DIR_NAME);
}

/** The shared folder a plan's lock and journal belong to: `projects`, else the first by name. */
export function primarySharedDir(plan: Pick<Plan, 'sharedDirs'>): string | undefined {
  const dirs = plan.sharedDirs ?? {};
  if (typeof dirs.projects === 'string') return dirs.projects;
  const first = Object.keys(dirs).sort()[0];
  return first === undefined ? undefined : dirs[first];
}

/** A temporary name in the same folder as `path`, unique to one apply run and operation. */
export function tempPathFor(path: string, run: string, opId: string): string {
  // Keep names well under 255 bytes whatever the target's name is.
  const name = basename(path).slice(0, 80);
  return join(dirname(path), `.${name}.${run}.${opId.slice(0, 40)}.css-tmp`);
}

/** The folders above `path`, nearest first, up to the filesystem root. */
export function ancestorsOf(path: string): string[] {
  const result: string[] = [];
  let current = path;
  for (;;) {
    const at = current.lastIndexOf(sep);
    // Down to the root, which dirname keeps with its separator (`/`, `C:\\`).
    const parent =
      at <= 0 || (sep === '\\' && at === 2 && current[1] === ':') ? dirname(current) : current.slice(0, at);
    if (parent === current) return result;
    result.push(parent);
    current = parent;
  }
}

/** Every path an operation changes, reads or creates (for scheduling and locking). */
export function pathsOf(op: Operation): string[] {
  switch (op.type) {
    case 'mkdir':
    case 'symlink':
    case 'unlinkSymlink':
    case 'removeFile':
      return [op.path];
    case 'copyFile':
    case 'forkSession':
    case 'rename':
    case 'hardLink':
      return [op.from, op.to];
    case 'writeFile':
      return op.backupTo === undefined ? [op.path] : [op.path, op.backupTo];
  }
}

/** Maps `path` under `from` to the same place under `to` (for things moved by a rename). */
export function rebase(path: string, from: string, to: string): string {
  if (pathKey(path) === pathKey(from)) return to;
  const rest = path.slice(from.endsWith(sep) ? from.length : from.length + 1);
  return join(to, rest);
}
