import { dirname, join } from 'node:path';
import { runningClaudePids } from '../accounts/discover.js';
import { DISK_CHANGED, ErrorCodes, SharedSessionsError, wrapIoError } from '../errors.js';
import type { FileStat, FileSystem } from '../fs/types.js';
import { digestFolder } from '../inspect/inspect.js';
import { findUnsafeFolders } from '../inspect/safety.js';
import { pathRulesOf } from '../layout/paths.js';
import {
  type ActualState,
  describeActual,
  describeExpected,
  hashFile,
  mismatch,
  readActual,
} from '../operations/state.js';
import { specOf } from '../operations/table.js';
import type { Plan, PlanIssue } from '../plan/types.js';
import { validatePlan } from '../plan/validate.js';
import { mapLimit } from '../util/limit.js';
import { type Check, plannedMismatch, simulatePlan } from './simulate.js';

/** A difference between what a plan expects and what the disk holds now. */
export interface Drift {
  operationId: string;
  /** The operation field it is about: `expectFrom`, `expectTo`, `parent of to`, ... */
  field: string;
  path: string;
  expected: string;
  found: string;
  message: string;
}

/** Times of a folder the apply changes, restored by an undo. */
export interface DirTimes {
  atimeMs: number;
  mtimeMs: number;
  /**
   * The mtime to the microsecond (floored) where the filesystem has it: put back to the
   * microsecond, not rounded to the ms (see `restoredMtimeUs`).
   */
  mtimeUs?: number;
}

/** A folder's times as an undo puts them back. */
export function dirTimesOf(stat: FileStat): DirTimes {
  const t: DirTimes = { atimeMs: stat.atimeMs, mtimeMs: stat.mtimeMs };
  if (stat.mtimeUs !== undefined) t.mtimeUs = stat.mtimeUs;
  return t;
}

export interface PreflightResult {
  /** Folders whose entries the plan changes, with their times now. */
  dirTimes: Record<string, DirTimes>;
  /** Bytes the plan copies, forks or writes. */
  bytesTotal: number;
}

/** Throws the typed error for a plan that fails {@link validatePlan}. */
export function assertValidPlan(plan: Plan): void {
  // One schema: everything a plan must be is checked by validatePlan.
  const issues: PlanIssue[] = validatePlan(plan);
  if (issues.length === 0) return;
  const lines = issues.map((i) => `  ${i.code}: ${i.message}`).join('\n');
  const code = issues.some((i) => i.code === 'PLAN_VERSION')
    ? ErrorCodes.PLAN_VERSION
    : issues.every((i) => i.code === 'OUTSIDE_ROOTS')
      ? ErrorCodes.OUTSIDE_ROOTS
      : ErrorCodes.INVALID_PLAN;
  throw new SharedSessionsError(
    code,
    `The plan is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}); nothing was changed. Make the plan again with this version of claude-shared-sessions.\n${lines}`,
    { details: issues },
  );
}

// Long on purpose: one pass that reads each path at most once and gathers every problem
// before it throws, so the user sees them all at once.
/**
 * Checks, before the first write, every state the plan relies on: each operation's
 * expected source and destination, that parent folders exist, and that no folder on the
 * way to a path is a link (which would be followed out of the plan's roots). Paths an
 * earlier operation of the plan creates, removes or moves are judged by the plan's own
 * effects, the rest by lstat. Throws ESTALE_PLAN, EOUTSIDE_ROOTS or EINVALID_PLAN with
 * every problem found.
 */
export async function checkPlanAgainstDisk(
  fs: FileSystem,
  plan: Plan,
  concurrency: number,
  /** Reads the states of many paths at once (the step workers); by default `readActual` of each, `concurrency` at once. */
  readMany?: (paths: readonly string[]) => Promise<ActualState[]>,
): Promise<PreflightResult> {
  const pathKey = pathRulesOf(plan).key;
  const checks = simulatePlan(plan);
  const diskPaths = new Map<string, string>();
  for (const c of checks) if (c.at.type === 'disk') diskPaths.set(pathKey(c.at.disk), c.at.disk);
  const actual = new Map<string, ActualState>();
  const paths = [...diskPaths.values()];
  if (readMany !== undefined) {
    let states: ActualState[];
    try {
      states = await readMany(paths);
    } catch (error) {
      const path = (error as { path?: unknown }).path;
      throw wrapIoError(
        error,
        'Checking the plan against the disk',
        typeof path === 'string' ? path : '',
        DISK_CHANGED,
      );
    }
    paths.forEach((path, i) => {
      actual.set(pathKey(path), states[i] as ActualState);
    });
  } else {
    await mapLimit(paths, concurrency, async (path) => {
      try {
        actual.set(pathKey(path), await readActual(fs, path));
      } catch (error) {
        throw wrapIoError(error, 'Checking the plan against the disk', path, DISK_CHANGED);
      }
    });
  }
  const knownStat = (path: string) => {
    const state = actual.get(pathKey(path));
    return state?.type === 'file' ? state.stat : undefined;
  };
  const hashes = new Map<string, Promise<string>>();
  const hashOf = (path: string) => {
    const key = pathKey(path);
    let h = hashes.get(key);
    if (!h) {
      h = hashFile(fs, path);
      hashes.set(key, h);
    }
    return h;
  };

  const drift: Drift[] = [];
  const links: Drift[] = [];
  // A link to the plan's own shared folder is what an apply of this plan makes: finding
  // one means the disk moved on (the plan was applied already), not an escape.
  const sharedKeys = new Set(Object.values(plan.sharedDirs).map(pathKey));
  const linkList = (target: string) => (sharedKeys.has(pathKey(target)) ? drift : links);
  const linkMessage = (path: string, target: string) =>
    sharedKeys.has(pathKey(target))
      ? `${path} is already a link to the shared folder ${target} (was this plan applied already?)`
      : `${path} is a link to ${target}; the plan would follow it out of its roots`;
  const contradictions: Drift[] = [];
  const dirTimes: Record<string, DirTimes> = {};
  const push = (list: Drift[], c: Check, found: string, message: string) =>
    list.push({
      operationId: c.operationId,
      field: c.field,
      path: c.path,
      expected: describeExpected(c.expected),
      found,
      message,
    });

  for (const c of checks) {
    if (c.at.type !== 'disk') {
      if (c.kind === 'no-link') {
        push(links, c, 'a link', `${c.path} is a link made earlier in the plan; a path under it would follow it`);
        continue;
      }
      const why = plannedMismatch(c.expected, c.at);
      if (why) push(contradictions, c, c.at.type, `${c.operationId} ${c.field} ${c.path}: ${why}`);
      continue;
    }
    const state = actual.get(pathKey(c.at.disk)) ?? { type: 'absent' };
    const moved = c.at.disk === c.path ? '' : ` (now at ${c.at.disk})`;
    if (c.kind === 'no-link') {
      if (state.type === 'symlink') {
        push(linkList(state.target), c, describeActual(state), linkMessage(`${c.path}${moved}`, state.target));
      }
      continue;
    }
    if (c.kind === 'parent') {
      if (state.type === 'directory') {
        dirTimes[c.at.disk] = dirTimesOf(state.stat);
        continue;
      }
      if (state.type === 'symlink') {
        push(linkList(state.target), c, describeActual(state), linkMessage(`${c.path}${moved}`, state.target));
        continue;
      }
      push(
        drift,
        c,
        describeActual(state),
        `${c.path}${moved}: a folder is needed there, found ${describeActual(state)}`,
      );
      continue;
    }
    let why: string | undefined;
    try {
      why = await mismatch(c.expected, state, () => hashOf(c.at.type === 'disk' ? c.at.disk : c.path));
      // A folder the plan moves whole (a backup) must hold what it held when planned: a
      // session added since would be carried into the backup unseen.
      if (why === undefined && c.expected.type === 'directory' && c.expected.tree !== undefined) {
        // Files the checks above have just lstat'ed are not lstat'ed again.
        if ((await digestFolder(fs, c.at.disk, concurrency, knownStat)) !== c.expected.tree) {
          why = 'its contents changed since the plan was made (a session added, removed or written to)';
        }
      }
    } catch (error) {
      throw wrapIoError(error, 'Checking the plan against the disk', c.path, DISK_CHANGED);
    }
    if (why) push(drift, c, describeActual(state), `${c.operationId} ${c.field} ${c.path}${moved}: ${why}`);
  }

  if (contradictions.length > 0) {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_PLAN,
      `The plan contradicts itself (${contradictions.length} problem${contradictions.length === 1 ? '' : 's'}); nothing was changed. Make it again.\n${list(contradictions)}`,
      { details: contradictions },
    );
  }
  if (links.length > 0) {
    throw new SharedSessionsError(
      ErrorCodes.OUTSIDE_ROOTS,
      `The plan would follow a link out of the folders it was made for; nothing was changed. Check these links, then make the plan again.\n${list(links)}`,
      { details: links, path: links[0]?.path },
    );
  }
  if (drift.length > 0) {
    throw new SharedSessionsError(
      ErrorCodes.STALE_PLAN,
      `The disk changed since the plan was made (${drift.length} difference${drift.length === 1 ? '' : 's'}); nothing was changed. Make the plan again and apply the new one.\n${list(drift)}`,
      { details: drift, path: drift[0]?.path },
    );
  }

  let bytesTotal = 0;
  for (const op of plan.operations) {
    bytesTotal += specOf(op).bytesWritten(op);
  }
  return { dirTimes, bytesTotal };
}

function list(items: Drift[]): string {
  const shown = items.slice(0, 20).map((d) => `  ${d.message}`);
  if (items.length > 20) shown.push(`  ... and ${items.length - 20} more (see error.details)`);
  return shown.join('\n');
}

/**
 * Throws EUNSAFE_SHARED when a plan that writes into the shared folders would write into
 * one that others can write to or that belongs to someone else (it may have changed since
 * the plan was made). memfs has no owners and is not checked.
 */
export async function assertSafeSharedFolders(fs: FileSystem, plan: Plan): Promise<void> {
  if (plan.kind === 'rollback' || plan.kind === 'backup' || /memfs/.test(fs.kind)) return;
  const shared = Object.values(plan.sharedDirs);
  const own = [...new Set([...shared, ...shared.map((d) => dirname(d)), plan.conflictsDir])];
  const unsafe = await findUnsafeFolders(fs, own);
  if (unsafe.length === 0) return;
  throw new SharedSessionsError(
    ErrorCodes.UNSAFE_SHARED,
    `The shared folder is not safe; nothing was changed.\n${unsafe.map((u) => `  ${u.reason}`).join('\n')}`,
    { details: unsafe, path: unsafe[0]?.path },
  );
}

/** Live Claude Code processes of each account, from the file names in `<account>/sessions/`. */
export async function runningClaude(
  fs: FileSystem,
  accounts: readonly string[],
  isAlive: (pid: number) => boolean,
): Promise<{ account: string; pids: number[] }[]> {
  const found: { account: string; pids: number[] }[] = [];
  for (const account of accounts) {
    let pids: number[];
    try {
      pids = await runningClaudePids(fs, account, isAlive);
    } catch (error) {
      throw wrapIoError(error, 'Looking for running Claude Code', join(account, 'sessions'));
    }
    if (pids.length > 0) found.push({ account, pids });
  }
  return found;
}

/** Throws ECLAUDE_RUNNING when Claude Code runs with an account of the plan. */
export async function assertClaudeNotRunning(
  fs: FileSystem,
  plan: Plan,
  isAlive: (pid: number) => boolean,
): Promise<void> {
  const running = await runningClaude(fs, plan.accounts, isAlive);
  if (running.length === 0) return;
  const what = running.map((r) => `${r.account} (pid ${r.pids.join(', ')})`).join('; ');
  throw new SharedSessionsError(
    ErrorCodes.CLAUDE_RUNNING,
    `Claude Code is running with ${what}. It appends to transcripts without locking, so lines written while folders move could end up in a backup only. Quit those sessions and apply again, or pass force.claudeRunning to go ahead anyway.`,
    { details: running, path: running[0]?.account },
  );
}
