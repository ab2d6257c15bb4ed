import { homedir } from 'node:os';
import { defaultIsProcessAlive } from '../accounts/discover.js';
import { ErrorCodes, isSharedSessionsError, SharedSessionsError, wrapIoError } from '../errors.js';
import { defaultFileSystem } from '../fs/node.js';
import type { FileSystem } from '../fs/types.js';
import { absolutePath, defaultSharedDir } from '../layout/config-dir.js';
import { pathRulesOf } from '../layout/paths.js';
import { readActual } from '../operations/state.js';
import { afterCommit } from '../operations/table.js';
import { DEFAULT_LOCK_STALE_MS } from './apply.js';
import { JournalWriter, readJournal } from './journal.js';
import { acquireLock, type Lock } from './lock.js';
import { stateDirOf } from './paths.js';
import { cleanUpState, restoreDirTimes, statePaths } from './state-dir.js';
import type { RecoverOptions, RecoverReport } from './types.js';
import { undoStarted } from './undo.js';

// Long on purpose: one decision over one journal (finish the commit, or undo what was
// started) under one lock; the steps share the journal's records and the lock.
/**
 * Brings the disk back to a consistent state after an apply was killed (power cut,
 * `kill -9`, a crash), from the journal it left beside the shared folder. It rolls back:
 * every operation the journal shows as started is undone in reverse, each step first
 * checking the disk so that a half-done or never-done step is handled, and nothing that
 * is not provably the apply's own is removed (a copy someone wrote to since is kept and
 * listed in `kept`). If the journal shows the apply had committed, only the journal is
 * removed. Afterwards plan and apply again. Safe to run any time: with no journal it
 * only clears leftovers (a dead apply's lock) and reports `clean`.
 *
 * Throws ELOCKED while an apply is running, and EIO_UNEXPECTED (details: what could
 * not be undone) when a step cannot be undone; the journal then stays for another try.
 *
 * @example
 * ```ts
 * import { recover } from 'claude-shared-sessions';
 * const report = await recover({ sharedDir: '~/.claude-shared/projects' });
 * if (report.status === 'rolled-back') console.log(`undid ${report.undone} operations`, report.kept);
 * ```
 */
export async function recover(options: RecoverOptions = {}): Promise<RecoverReport> {
  const fs: FileSystem = options.fs ?? defaultFileSystem();
  const home = options.home ?? homedir();
  const sharedDir =
    options.sharedDir === undefined ? defaultSharedDir(home) : absolutePath(options.sharedDir, home, process.cwd());
  const paths = statePaths(stateDirOf(sharedDir));
  const report: RecoverReport = { status: 'clean', undone: 0, kept: [], journal: paths.journal };
  if (options.signal?.aborted) {
    throw new SharedSessionsError(ErrorCodes.ABORTED, 'recover was aborted.', { cause: options.signal.reason });
  }
  if ((await readActual(fs, paths.stateDir)).type === 'absent') return report;

  let lock: Lock;
  try {
    lock = await acquireLock(fs, paths.lock, {
      staleMs: options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS,
      isProcessAlive: options.isProcessAlive ?? defaultIsProcessAlive,
      purpose: 'recover',
    });
  } catch (error) {
    throw wrapIoError(error, 'Taking the lock to recover', paths.lock);
  }

  try {
    const read = await readJournal(fs, paths.journal);
    if (read !== undefined && read.begin === undefined && read.damaged > 0) {
      throw new SharedSessionsError(
        ErrorCodes.IO,
        `The journal ${paths.journal} is damaged: its first record cannot be read, so recover cannot tell what the interrupted apply did. It is left in place. Compare each account's projects/ with its newest backup (projects.bak.*) before removing ${paths.stateDir}.`,
        { path: paths.journal },
      );
    }
    if (!read?.begin) {
      // No journal, or one whose first record never reached the disk: nothing ran.
      const leftovers = lock.previous?.createdDirs ?? [];
      await cleanUpState(fs, paths, {
        lock,
        removeJournal: read !== undefined,
        createdDirs: leftovers,
        keep: new Set(),
        rules: undefined,
      });
      return report;
    }
    const { begin, records, torn, damaged } = read;
    const plan = begin.plan;
    report.planId = plan.id;
    // The plan's own rule, as the apply used it (this host's for a plan saved without one).
    const rules = pathRulesOf(plan);
    const pathKey = rules.key;
    const createdDirs = new Set(begin.createdDirs.map(pathKey));

    if (records.some((r) => r.t === 'commit')) {
      // The apply had finished; the folders it made for its journal that the plan
      // itself wanted (a mkdir of the plan) stay.
      const started = new Set(records.flatMap((r) => (r.t === 'intent' ? r.ops : [])));
      const keep = new Set(
        plan.operations.flatMap((op) =>
          op.type === 'mkdir' && started.has(op.id) && createdDirs.has(pathKey(op.path)) ? [pathKey(op.path)] : [],
        ),
      );
      // What removeFile operations held until the commit goes now (the apply was cut off
      // before it let them go); the journal stays until that is done.
      const unreleased = await afterCommit(fs, plan.operations, begin.run);
      if (unreleased.length > 0) {
        throw new SharedSessionsError(
          ErrorCodes.IO,
          `recover found plan ${plan.id} applied but could not remove the files it set aside to remove; the journal ${paths.journal} stays. Fix what is named below and run recover again.\n${unreleased.map((p) => `  ${p}`).join('\n')}`,
          { path: paths.journal, details: unreleased },
        );
      }
      await cleanUpState(fs, paths, { lock, removeJournal: true, createdDirs: begin.createdDirs, keep, rules });
      report.status = 'finished';
      return report;
    }

    report.status = 'rolled-back';
    const started = new Set<string>();
    const undone = new Set<string>();
    let rolledBack = false;
    // A damaged journal may have lost an intent: undo every operation then. Undo looks at
    // the disk before each step, so undoing one that never ran changes nothing.
    if (damaged > 0) for (const op of plan.operations) started.add(op.id);
    for (const r of records) {
      if (r.t === 'intent') for (const id of r.ops) started.add(id);
      else if (r.t === 'undone') undone.add(r.op);
      else if (r.t === 'rolledback' && r.complete) rolledBack = true;
    }
    if (!rolledBack) {
      let journal: JournalWriter | undefined;
      try {
        journal = await JournalWriter.reopen(fs, paths.journal, torn);
      } catch {
        journal = undefined; // read-only journal: undo without recording it
      }
      const result = await undoStarted({
        fs,
        run: begin.run,
        rules,
        createdDirs,
        operations: plan.operations,
        started,
        alreadyUndone: undone,
        journal,
      });
      report.undone = result.undone;
      report.kept = result.kept;
      if (result.errors.length > 0) {
        // Ignored on purpose: the error below names what to do, and a lock whose release
        // failed is already stale for the next recover (see HeldLock.release).
        await journal?.close().catch(() => {});
        await lock.release().catch(() => {});
        throw new SharedSessionsError(
          ErrorCodes.IO,
          `recover could not undo ${result.errors.length} operation${result.errors.length === 1 ? '' : 's'} of plan ${plan.id}; the journal ${paths.journal} stays. Fix what is named below and run recover again.\n${result.errors
            .map((e) => `  ${e.operationId} ${e.path}: ${e.message}`)
            .join('\n')}`,
          { path: paths.journal, details: result },
        );
      }
      await journal?.appendDurable({ t: 'rolledback', complete: true }).catch(() => {});
      await journal?.close().catch(() => {});
    } else {
      report.undone = started.size;
    }
    const problems = await restoreDirTimes(fs, begin.dirTimes);
    problems.push(
      ...(await cleanUpState(fs, paths, {
        lock,
        removeJournal: true,
        createdDirs: begin.createdDirs,
        keep: new Set(),
        rules,
      })),
    );
    problems.push(...(await restoreDirTimes(fs, begin.stateParentTimes ?? {})));
    if (problems.length > 0) {
      throw new SharedSessionsError(
        ErrorCodes.IO,
        `recover undid plan ${plan.id} but could not clean up after it:\n${problems.map((p) => `  ${p}`).join('\n')}\nRun recover again.`,
        { path: paths.stateDir, details: problems },
      );
    }
    return report;
  } catch (error) {
    // The original error is what the caller needs; a failed release leaves a stale lock
    // that the next recover takes over (see HeldLock.release).
    await lock.release().catch(() => {});
    throw isSharedSessionsError(error) ? error : wrapIoError(error, 'Recovering', paths.journal);
  }
}
