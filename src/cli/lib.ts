/**
 * The library verbs the command calls, in one place: the command is a thin layer over
 * them and adds no behaviour of its own to planning, applying or listing.
 */
export { applyPlan, recover } from '../apply/index.js';
export type { ApplyOptions, ApplyProgress, ApplyReport, RecoverOptions, RecoverReport } from '../apply/types.js';
export { describePlan } from '../plan/describe.js';
export type { Carry } from '../plan/rollback.js';
export { validatePlan } from '../plan/validate.js';
export {
  iterateSessions,
  type ListProblem,
  type ListSessionsOptions,
  type ListSessionsResult,
  listSessions,
  type SessionCopy,
  type SessionInfo,
} from '../sessions/index.js';
export { rollback, share, type VerbOptions } from '../verbs/verbs.js';
