import { dirname, join } from 'node:path';
import { ErrorCodes, errnoCode, SharedSessionsError } from '../errors.js';
import { restoredMtimeUs } from '../fs/times.js';
import type { FileSystem } from '../fs/types.js';
import type { PathRules } from '../layout/paths.js';
import { readActual } from '../operations/state.js';
import { inspectLock, type Lock, removeLockLeftovers } from './lock.js';
import { JOURNAL_NAME, LOCK_NAME } from './paths.js';
import { type DirTimes, dirTimesOf } from './preflight.js';

export interface StatePaths {
  stateDir: string;
  journal: string;
  lock: string;
}

export function statePaths(stateDir: string): StatePaths {
  return { stateDir, journal: join(stateDir, JOURNAL_NAME), lock: join(stateDir, LOCK_NAME) };
}

/**
 * Refuses (read-only) while a journal is left: ELOCKED when its apply still holds the
 * lock, else EDIRTY_JOURNAL.
 */
export async function assertNoJournal(
  fs: FileSystem,
  paths: StatePaths,
  lockOptions: { staleMs: number; isProcessAlive: (pid: number) => boolean },
): Promise<void> {
  if ((await readActual(fs, paths.journal)).type === 'absent') return;
  const lock = await inspectLock(fs, paths.lock, lockOptions);
  if (lock.state === 'held') {
    throw new SharedSessionsError(
      ErrorCodes.LOCKED,
      `Another apply is running on this shared folder (${lock.owner ? `pid ${lock.owner.pid}` : 'lock held'}); wait for it to finish.`,
      { path: paths.lock, details: lock.owner },
    );
  }
  throw dirtyJournalError(paths.journal);
}

export function dirtyJournalError(journal: string): SharedSessionsError {
  return new SharedSessionsError(
    ErrorCodes.DIRTY_JOURNAL,
    `An earlier apply was interrupted and left its journal at ${journal}. Run \`claude-shared-sessions recover\` (or recover() from the library) to undo it, then plan and apply again.`,
    { path: journal },
  );
}

/**
 * Creates `dir` and any missing folder above it, one at a time. Returns the folders
 * created, top-down, and the times of the nearest folder that existed (its entries
 * change), so that all of it can be taken back.
 */
export async function ensureStateDir(
  fs: FileSystem,
  dir: string,
): Promise<{ created: string[]; parentTimes: Record<string, DirTimes> }> {
  const missing: string[] = [];
  let current = dir;
  const parentTimes: Record<string, DirTimes> = {};
  for (;;) {
    const state = await readActual(fs, current);
    if (state.type === 'directory') {
      if (missing.length > 0) parentTimes[current] = dirTimesOf(state.stat);
      break;
    }
    if (state.type !== 'absent') {
      throw new SharedSessionsError(
        ErrorCodes.NOT_A_DIRECTORY,
        `${current} is in the way of the folder that holds the journal (${dir}); move it away.`,
        { path: current },
      );
    }
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  const created: string[] = [];
  try {
    for (const path of missing) {
      await fs.mkdir(path, { mode: 0o700 });
      created.push(path);
    }
  } catch (error) {
    await removeEmptyDirs(fs, created, new Set(), undefined);
    await restoreDirTimes(fs, parentTimes);
    throw error;
  }
  return { created, parentTimes };
}

/**
 * Removes the given folders deepest first when empty, except those in `keep` (keys by
 * `rules`, the plan's; none without a plan). Returns problems.
 */
export async function removeEmptyDirs(
  fs: FileSystem,
  dirs: readonly string[],
  keep: ReadonlySet<string>,
  rules: PathRules | undefined,
): Promise<string[]> {
  const problems: string[] = [];
  for (const dir of [...dirs].reverse()) {
    if (rules !== undefined && keep.has(rules.key(dir))) continue;
    try {
      await fs.rmdir(dir);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') continue;
      problems.push(`could not remove ${dir}: ${code ?? String(error)}`);
    }
  }
  return problems;
}

/**
 * Puts folders' times back (best effort; returns problems): to the microsecond where the
 * filesystem keeps finer than ms, chosen so that the folder reads the same millisecond as
 * it did ({@link restoredMtimeUs}); a folder that still reads as it did is left alone.
 */
export async function restoreDirTimes(fs: FileSystem, times: Record<string, DirTimes>): Promise<string[]> {
  const problems: string[] = [];
  for (const [dir, t] of Object.entries(times)) {
    try {
      const state = await readActual(fs, dir);
      if (state.type !== 'directory') continue;
      const now = state.stat;
      const us = t.mtimeUs === undefined ? undefined : restoredMtimeUs({ mtimeMs: t.mtimeMs, mtimeUs: t.mtimeUs });
      if (
        now.mtimeMs === t.mtimeMs &&
        (us === undefined || now.mtimeUs === undefined || now.mtimeUs === t.mtimeUs || now.mtimeUs === us)
      )
        continue;
      // utimes keeps a fractional ms to the microsecond (see msToUtimeSeconds).
      await fs.utimes(dir, t.atimeMs, us === undefined ? t.mtimeMs : us / 1000);
    } catch (error) {
      problems.push(`could not restore the times of ${dir}: ${errnoCode(error) ?? String(error)}`);
    }
  }
  return problems;
}

/**
 * Removes the journal (when asked), releases the lock and removes the state folder and
 * the folders created for it (except `keep`) when empty. Never throws; returns problems.
 */
export async function cleanUpState(
  fs: FileSystem,
  paths: StatePaths,
  options: {
    lock: Lock | undefined;
    removeJournal: boolean;
    createdDirs: readonly string[];
    keep: ReadonlySet<string>;
    /** How the plan's paths compare (`keep` holds its keys); undefined without a plan (nothing kept). */
    rules: PathRules | undefined;
  },
): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') problems.push(`${what}: ${errnoCode(error) ?? String(error)}`);
    }
  };
  if (options.removeJournal) await attempt(`could not remove ${paths.journal}`, () => fs.unlink(paths.journal));
  if (options.lock)
    await attempt(`could not release the lock ${paths.lock}`, () => options.lock?.release() ?? Promise.resolve());
  await removeLockLeftovers(fs, paths.lock);
  problems.push(...(await removeEmptyDirs(fs, [paths.stateDir], new Set(), undefined)));
  // The folders made for the journal are the state folder and those above it, made from
  // its path: compared as written (a state folder named otherwise, by recover's caller,
  // was removed just above, and removing it again finds nothing).
  problems.push(
    ...(await removeEmptyDirs(
      fs,
      options.createdDirs.filter((d) => d !== paths.stateDir),
      options.keep,
      options.rules,
    )),
  );
  return problems;
}
