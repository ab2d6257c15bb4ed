/** The executor: applies a plan under a lock with a journal, undoes on failure, recovers after a crash. */
export { applyPlan } from './apply.js';
export { type ApplyState, type ApplyStateOptions, inspectApplyState } from './apply-state.js';
export { ApplyError, isApplyError, undoOutcomeOf } from './errors.js';
export type { JournalRecord } from './journal.js';
export type { LockOwner } from './lock.js';
export { JOURNAL_NAME, STATE_DIR_NAME, stateDirOf } from './paths.js';
export type { Drift } from './preflight.js';
export { recover } from './recover.js';
export type {
  ApplyForce,
  ApplyOptions,
  ApplyProgress,
  ApplyReport,
  ExecutorOptions,
  KeptItem,
  RecoverOptions,
  RecoverReport,
  UndoError,
  UndoOutcome,
} from './types.js';
