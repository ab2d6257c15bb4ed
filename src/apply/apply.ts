import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { defaultIsProcessAlive } from '../accounts/discover.js';
import {
  DISK_CHANGED,
  ErrorCodes,
  errnoCode,
  isSharedSessionsError,
  SharedSessionsError,
  wrapIoError,
} from '../errors.js';
import { defaultFileSystem } from '../fs/node.js';
import type { FileSystem } from '../fs/types.js';
import { type PathRules, pathRulesOf } from '../layout/paths.js';
import type { CopyState, StepContext, StepResult } from '../operations/base.js';
import { resync } from '../operations/copies.js';
import { afterCommit, mainPath, reportCounterOf, runOperation, runsLocally } from '../operations/table.js';
import type { Operation, Plan } from '../plan/types.js';
import { FreshRuns } from '../util/fresh.js';
import { createLimit } from '../util/limit.js';
import { ApplyError } from './errors.js';
import { JOURNAL_VERSION, JournalWriter } from './journal.js';
import { acquireLock, type Lock } from './lock.js';
import { primarySharedDir, stateDirOf } from './paths.js';
import {
  assertClaudeNotRunning,
  assertSafeSharedFolders,
  assertValidPlan,
  checkPlanAgainstDisk,
  type DirTimes,
} from './preflight.js';
import { batchesOf, resyncTargetsOf } from './schedule.js';
import {
  assertNoJournal,
  cleanUpState,
  dirtyJournalError,
  ensureStateDir,
  restoreDirTimes,
  type StatePaths,
  statePaths,
} from './state-dir.js';
import { receivedError } from './step-worker-protocol.js';
import { StepWorkers, stepWorkerCount } from './step-workers.js';
import type { ApplyOptions, ApplyProgress, ApplyReport, UndoOutcome } from './types.js';
import { undoStarted } from './undo.js';

const DEFAULT_CONCURRENCY = 8;
/** Bytes copied since the last early flush that start another (see `flushEarly`). */
export const EARLY_FLUSH_BYTES = 64 * 1024 * 1024;
export const DEFAULT_LOCK_STALE_MS = 10_000;

function abortError(signal: AbortSignal | undefined): SharedSessionsError {
  return new SharedSessionsError(ErrorCodes.ABORTED, 'The apply was aborted.', { cause: signal?.reason });
}

// Long on purpose: one transaction whose steps share the lock, the journal, the run token,
// the started set and the undo on failure; split, each piece would take a dozen of them.
/**
 * Applies a plan: checks everything it can before the first write, then executes the
 * operations under a lock with a journal, and undoes what it did if anything fails.
 *
 * Before the first write it refuses, changing nothing: an invalid plan (EINVALID_PLAN,
 * EPLAN_VERSION, EOUTSIDE_ROOTS), a plan whose expected states no longer match the disk
 * (ESTALE_PLAN, with every difference in `error.details`), a running Claude Code with
 * one of the plan's accounts (ECLAUDE_RUNNING, unless `force.claudeRunning`), another
 * apply on the same shared folder (ELOCKED) and the journal of an interrupted apply
 * (EDIRTY_JOURNAL: run {@link recover}).
 *
 * On failure every started operation is undone in reverse and the original error is
 * thrown with the undo's outcome attached (see {@link undoOutcomeOf}); if the undo
 * itself could not finish, the journal stays for {@link recover}.
 *
 * @example
 * ```ts
 * import { applyPlan, share, undoOutcomeOf } from 'claude-shared-sessions';
 * const plan = await share({ accounts: ['~/.claude', '~/.claude-2'] });
 * try {
 *   const report = await applyPlan(plan, { onProgress: (p) => console.log(`${p.opsDone}/${p.opsTotal}`) });
 *   console.log(`${report.operationsDone} operations in ${report.durationMs} ms`);
 * } catch (error) {
 *   console.error(error, undoOutcomeOf(error));
 * }
 * ```
 */
export async function applyPlan(plan: Plan, options: ApplyOptions = {}): Promise<ApplyReport> {
  const started = performance.now();
  const fs: FileSystem = options.fs ?? defaultFileSystem();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const isProcessAlive = options.isProcessAlive ?? defaultIsProcessAlive;
  const staleMs = options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS;
  const { signal, onProgress } = options;

  if (signal?.aborted) throw abortError(signal);
  assertValidPlan(plan);
  const operations = plan.operations;
  const rules = pathRulesOf(plan);
  const pathKey = rules.key;
  const report: ApplyReport = {
    planId: plan.id,
    operationsDone: 0,
    bytesCopied: 0,
    bytesCloned: 0,
    bytesResynced: 0,
    conflictsKept: 0,
    forks: 0,
    workers: 0,
    durationMs: 0,
    warnings: [],
  };
  if (operations.length === 0) {
    report.durationMs = Math.round(performance.now() - started);
    return report;
  }
  const sharedDir = primarySharedDir(plan);
  if (sharedDir === undefined) {
    throw new SharedSessionsError(ErrorCodes.INVALID_PLAN, 'The plan names no shared folder; make it again.');
  }
  const paths = statePaths(stateDirOf(sharedDir));

  // The step workers start first: the preflight reads through them too.
  const workerCount = stepWorkerCount(fs, operations.filter(runsLocally).length, options.workers);
  let pool: StepWorkers | undefined = workerCount > 0 ? await StepWorkers.start(workerCount) : undefined;
  report.workers = pool?.size ?? 0;
  try {
    // Everything that can refuse, before the first write.
    await assertNoJournal(fs, paths, { staleMs, isProcessAlive });
    const preflight = await checkPlanAgainstDisk(
      fs,
      plan,
      concurrency,
      pool && ((paths) => (pool as StepWorkers).read(paths)),
    );
    await assertSafeSharedFolders(fs, plan);
    if (!options.force?.claudeRunning) await assertClaudeNotRunning(fs, plan, isProcessAlive);
    if (signal?.aborted) throw abortError(signal);

    // The lock and the journal.
    let created: string[];
    let parentTimes: Record<string, DirTimes>;
    try {
      ({ created, parentTimes } = await ensureStateDir(fs, paths.stateDir));
    } catch (error) {
      throw wrapIoError(error, 'Creating the folder of the journal', paths.stateDir);
    }
    const dirTimes = preflight.dirTimes;
    const createdKeys = new Set(created.map(pathKey));
    let lock: Lock | undefined;
    let journal: JournalWriter | undefined;
    const run = randomBytes(6).toString('hex');
    try {
      lock = await acquireLock(fs, paths.lock, {
        staleMs,
        isProcessAlive,
        purpose: `apply ${plan.id}`,
        createdDirs: created,
      });
      // An apply that died between our check and taking the lock.
      const again = await fs.lstat(paths.journal).then(
        () => true,
        () => false,
      );
      if (again) throw dirtyJournalError(paths.journal);
      journal = await JournalWriter.create(fs, paths.journal, {
        t: 'begin',
        v: JOURNAL_VERSION,
        run,
        pid: process.pid,
        host: hostname(),
        startedAt: new Date().toISOString(),
        stateDir: paths.stateDir,
        createdDirs: created,
        dirTimes,
        stateParentTimes: parentTimes,
        plan,
      });
    } catch (error) {
      // Nothing of the plan ran: take back the lock and the folders made for them.
      await cleanUpState(fs, paths, { lock, removeJournal: false, createdDirs: created, keep: new Set(), rules });
      await restoreDirTimes(fs, parentTimes);
      throw wrapIoError(error, 'Taking the lock and starting the journal', paths.stateDir);
    }

    const resyncTargets = resyncTargetsOf(operations, rules);
    const ctx: StepContext = {
      fs,
      rules,
      run,
      createdDirs: createdKeys,
      journal,
      copies: new Map(),
      resyncTargets,
      counters: { bytesCopied: 0, bytesCloned: 0, bytesResynced: 0 },
      concurrency,
      durable: options.durable ?? true,
      realpaths: new FreshRuns(),
    };
    const startedIds = new Set<string>();
    const adopted = new Set<string>();
    const progress: ApplyProgress = {
      opsDone: 0,
      opsTotal: operations.length,
      bytesDone: 0,
      bytesTotal: preflight.bytesTotal,
    };
    const limit = createLimit(concurrency);
    const chunkSize = Math.max(64, concurrency * 8);
    let failure: unknown;

    const finish = (op: Operation, result: StepResult): void => {
      if (result.adopted) adopted.add(pathKey(mainPath(op)));
      journal?.append({
        t: 'done',
        op: op.id,
        ...(result.copy ? { copy: result.copy } : {}),
        ...(result.adopted ? { adopted: true as const } : {}),
      });
      progress.opsDone++;
      progress.bytesDone += result.bytes;
      if (op.reason === 'conflict-kept') report.conflictsKept++;
      const counter = reportCounterOf(op);
      if (counter !== undefined) report[counter]++;
      onProgress?.({ ...progress });
    };

    const runOne = async (op: Operation): Promise<void> => {
      if (failure !== undefined) return;
      if (signal?.aborted) throw abortError(signal);
      lock?.assertHeld();
      let result: StepResult;
      try {
        result = await runOperation(ctx, op);
      } catch (error) {
        throw stepError(op, error);
      }
      finish(op, result);
    };

    // Steps that need only their own context run on the workers, shared out as each is free.
    const runOnWorkers = async (pool: StepWorkers, ops: Operation[]): Promise<void> => {
      if (failure !== undefined || ops.length === 0) return;
      if (signal?.aborted) throw abortError(signal);
      lock?.assertHeld();
      const replies = await pool.run(ops, run, rules);
      let failed: unknown;
      for (const reply of replies) {
        ctx.counters.bytesCopied += reply.counters.bytesCopied;
        ctx.counters.bytesCloned += reply.counters.bytesCloned;
        ctx.counters.bytesResynced += reply.counters.bytesResynced;
        for (const done of reply.done) {
          const op = ops[done.index] as Operation;
          if (done.held !== undefined) {
            const copy = op as CopyState['op'];
            ctx.copies.set(op.id, { op: copy, source: copy.from, ...done.held });
          }
          finish(op, done.result);
        }
        if (reply.failed !== undefined && failed === undefined) {
          failed = stepError(ops[reply.failed.index] as Operation, receivedError(reply.failed.error));
        }
      }
      if (failed !== undefined) throw failed;
      if (signal?.aborted) throw abortError(signal);
    };

    // The copies made so far start going to the device while the next ones are made: the
    // flush before each backup (flushCopies, which the guarantee rests on) then finds
    // little left to write. One at a time; it only ever writes out, so it changes nothing
    // the journal or the undo rely on.
    let earlyFlush: Promise<boolean> | undefined;
    let flushedBytes = 0;
    const flushEarly = () => {
      if (!ctx.durable || fs.syncFileSystem === undefined || earlyFlush !== undefined) return;
      const copied = ctx.counters.bytesCopied + ctx.counters.bytesCloned;
      if (copied - flushedBytes < EARLY_FLUSH_BYTES) return;
      flushedBytes = copied;
      earlyFlush = fs.syncFileSystem([sharedDir]).finally(() => {
        earlyFlush = undefined;
      });
    };

    const stopPool = () => pool?.stop();
    signal?.addEventListener('abort', stopPool, { once: true });
    // After the last group, and before an undo: no worker runs a step, no flush is under way.
    const releasePool = async () => {
      signal?.removeEventListener('abort', stopPool);
      await earlyFlush;
      await pool?.close();
      pool = undefined;
    };
    try {
      // With workers, larger groups: each group ends with every worker idle.
      const groupSize = pool === undefined ? chunkSize : Math.max(chunkSize, 512);
      for (const batch of batchesOf(operations, resyncTargets, rules)) {
        for (let i = 0; i < batch.length; i += groupSize) {
          const chunk = batch.slice(i, i + groupSize);
          if (signal?.aborted) throw abortError(signal);
          lock.assertHeld();
          // One fsynced intent for the group, before any of it starts.
          await journal.appendDurable({ t: 'intent', ops: chunk.map((op) => op.id) });
          for (const op of chunk) startedIds.add(op.id);
          const remote = pool === undefined ? [] : chunk.filter(runsLocally);
          const here = remote.length === 0 ? chunk : chunk.filter((op) => !runsLocally(op));
          const failing = async (fn: () => Promise<void>): Promise<void> => {
            try {
              await fn();
            } catch (error) {
              failure ??= error;
              pool?.stop();
              throw error;
            }
          };
          const settled = await Promise.allSettled([
            ...here.map((op) => limit(() => failing(() => runOne(op)))),
            ...(pool === undefined || remote.length === 0
              ? []
              : [failing(() => runOnWorkers(pool as StepWorkers, remote))]),
          ]);
          if (failure === undefined) {
            const rejected = settled.find((s) => s.status === 'rejected');
            if (rejected) failure = rejected.reason;
          }
          if (failure !== undefined) throw failure;
          flushEarly();
        }
      }
      await releasePool();
      await verifyMovedSources(ctx);
      lock.assertHeld();
    } catch (error) {
      await releasePool();
      const original = isSharedSessionsError(error)
        ? error
        : wrapIoError(error, 'Applying the plan', sharedDir, DISK_CHANGED);
      const outcome = await rollBack({
        fs,
        paths,
        lock,
        journal,
        run,
        rules,
        operations,
        started: startedIds,
        created,
        dirTimes,
        parentTimes,
      });
      throw ApplyError.from(original, outcome);
    }

    try {
      await journal.appendDurable({ t: 'commit' });
    } catch (error) {
      // Every operation is done and verified, but whether the commit record reached the
      // disk is unknown, and the journal takes no more records: undoing now could not be
      // recorded. recover() decides from what the journal holds (finish or undo).
      // Ignored on purpose: the error thrown below is what matters, the journal stays for
      // recover, and a lock whose release failed is already stale (see HeldLock.release).
      await journal.close().catch(() => {});
      await lock.release().catch(() => {});
      const failed = wrapIoError(error, 'Recording the end of the apply in its journal', paths.journal);
      throw ApplyError.from(failed, { complete: false, undone: 0, kept: [], errors: [], journal: paths.journal });
    }

    // Committed: the plan is applied. Problems from here on are warnings.
    // What removeFile operations held goes now; if some cannot, the journal stays so that
    // recover removes them later.
    const unreleased = await afterCommit(fs, operations, run);
    if (unreleased.length > 0) {
      report.warnings.push(...unreleased, `run recover to finish: the journal ${paths.journal} stays until then`);
    }
    await journal.close().catch((e: unknown) => report.warnings.push(`could not close the journal: ${String(e)}`));
    report.warnings.push(
      ...(await cleanUpState(fs, paths, {
        lock,
        removeJournal: unreleased.length === 0,
        createdDirs: unreleased.length === 0 ? created : [],
        keep: adopted,
        rules,
      })),
    );
    report.operationsDone = progress.opsDone;
    report.bytesCopied = ctx.counters.bytesCopied;
    report.bytesCloned = ctx.counters.bytesCloned;
    report.bytesResynced = ctx.counters.bytesResynced;
    report.durationMs = Math.round(performance.now() - started);
    return report;
  } finally {
    // Closed already after the last group or before an undo; here on every other way out.
    await pool?.close();
  }
}

/** An error of a step, explained: what vanished, or the I/O error with the step named. */
function stepError(op: Operation, error: unknown): unknown {
  if (errnoCode(error) === 'ENOENT') {
    // Something the step needed vanished: the disk changed under the apply.
    const gone =
      typeof (error as { path?: unknown }).path === 'string' ? (error as { path: string }).path : mainPath(op);
    return new SharedSessionsError(
      ErrorCodes.STALE_PLAN,
      `Applying ${op.id} (${op.type} ${mainPath(op)}): ${gone} vanished while the plan was applied; the apply was undone. Quit Claude Code, make the plan again and apply the new one.`,
      { path: gone, cause: error },
    );
  }
  return wrapIoError(error, `Applying ${op.id} (${op.type} ${mainPath(op)})`, mainPath(op), DISK_CHANGED);
}

/**
 * The last look before commit: a source that was moved into a backup may still have
 * been written through a file handle opened before the move. Carry those bytes too, or
 * fail (and undo) when the copy was written as well.
 */
async function verifyMovedSources(ctx: StepContext): Promise<void> {
  const moved = new Set([...ctx.resyncTargets.values()].flat());
  const copies: CopyState[] = [];
  for (const id of moved) {
    const copy = ctx.copies.get(id);
    if (copy) copies.push(copy);
  }
  const limit = createLimit(ctx.concurrency);
  await Promise.all(copies.map((copy) => limit(() => resync(ctx, copy))));
}

interface RollBackInput {
  fs: FileSystem;
  paths: StatePaths;
  lock: Lock | undefined;
  journal: JournalWriter | undefined;
  run: string;
  rules: PathRules;
  operations: readonly Operation[];
  started: ReadonlySet<string>;
  created: readonly string[];
  dirTimes: Record<string, DirTimes>;
  parentTimes: Record<string, DirTimes>;
}

async function rollBack(input: RollBackInput): Promise<UndoOutcome> {
  const { fs, paths, journal } = input;
  try {
    await journal?.flush();
  } catch {
    // Keep undoing: the journal records the work, it does not gate the undo.
  }
  const result = await undoStarted({
    fs,
    run: input.run,
    rules: input.rules,
    createdDirs: new Set(input.created.map(input.rules.key)),
    operations: input.operations,
    started: input.started,
    journal,
  });
  const complete = result.errors.length === 0;
  if (complete) {
    try {
      await journal?.appendDurable({ t: 'rolledback', complete: true });
    } catch {
      // The journal is removed next anyway.
    }
  }
  await journal?.close().catch(() => {});
  // Folder times go back while the journal still exists (a crash now lets recover redo
  // it); only the folder holding the journal's own folder changes after that.
  const problems = complete ? await restoreDirTimes(fs, input.dirTimes) : [];
  problems.push(
    ...(await cleanUpState(fs, input.paths, {
      lock: input.lock,
      removeJournal: complete,
      createdDirs: complete ? input.created : [],
      keep: new Set(),
      rules: input.rules,
    })),
  );
  if (complete) problems.push(...(await restoreDirTimes(fs, input.parentTimes)));
  const journalLeft = !complete || problems.some((p) => p.includes(paths.journal));
  return {
    complete: complete && !journalLeft,
    undone: result.undone,
    kept: result.kept,
    errors: [
      ...result.errors,
      ...problems.map((message) => ({ operationId: '', path: paths.stateDir, code: undefined, message })),
    ],
    ...(journalLeft ? { journal: paths.journal } : {}),
  };
}
