/**
 * claude-shared-sessions: let several Claude Code accounts on one machine share one
 * sessions folder. Inspect -> plan (pure) -> apply (journaled, undoable).
 *
 * @packageDocumentation
 */

export { type DiscoverOptions, defaultIsProcessAlive, discoverAccounts } from './accounts/discover.js';
export { sharedFolders } from './accounts/shared-folders.js';
export type {
  Account,
  AccountProblem,
  AccountSource,
  BackupInfo,
  FolderState,
  FolderStateKind,
} from './accounts/types.js';
export {
  ApplyError,
  type ApplyForce,
  type ApplyOptions,
  type ApplyProgress,
  type ApplyReport,
  type ApplyState,
  type ApplyStateOptions,
  applyPlan,
  type Drift,
  type ExecutorOptions,
  inspectApplyState,
  isApplyError,
  type JournalRecord,
  type KeptItem,
  type LockOwner,
  type RecoverOptions,
  type RecoverReport,
  recover,
  type UndoError,
  type UndoOutcome,
  undoOutcomeOf,
} from './apply/index.js';
export {
  type AccountProblemCode,
  adviceFor,
  type CliErrorCode,
  type Code,
  type ConflictCode,
  ERROR_CODES,
  type FindingCode,
  type ListProblemCode,
  type PlanIssueCode,
  WARNING_CODES,
  type WarningCode,
} from './codes.js';
export {
  type CleanupReport,
  type CleanupSource,
  type CleanupSourceKind,
  defaultManagedSettingsDirs,
  type FindCleanupSourcesOptions,
  findCleanupSources,
  type LowestCleanupPeriod,
  lowestCleanupPeriod,
} from './doctor/cleanup-sources.js';
export type { CopiedLink } from './doctor/copied-links.js';
export type { Finding, FindingSeverity } from './doctor/finding.js';
export { type RetainFile, type RetainState, readRetainState } from './doctor/retained.js';
export {
  type ErrorCode,
  ErrorCodes,
  errnoCode,
  isSharedSessionsError,
  SharedSessionsError,
  type SharedSessionsErrorOptions,
} from './errors.js';
export { createMemFileSystem, type MemfsLike } from './fs/memfs.js';
export { createNodeFileSystem, defaultFileSystem } from './fs/node.js';
export type * from './fs/types.js';
export { type InspectOptions, inspect } from './inspect/inspect.js';
export * from './inspect/types.js';
export {
  absolutePath,
  claudeJsonPath,
  defaultConflictsDir,
  defaultSharedDir,
  type Env,
  expandHome,
  resolveConfigDir,
  retainedDirOf,
} from './layout/config-dir.js';
export { FORBIDDEN_FOLDERS, resolveFolders } from './layout/folders.js';
export {
  backupName,
  DEFAULT_CLEANUP_PERIOD_DAYS,
  encodeProjectDir,
  isSessionId,
  NEVER_SHARED,
  parseBackupName,
  projectDirMatches,
  SETTINGS_ABSENT_SUFFIX,
  SHAREABLE_FOLDERS,
  sessionIdOfFile,
} from './layout/names.js';
export { type BackupOptions, planBackup } from './plan/backup.js';
export type { PlanContext } from './plan/builder.js';
export { defaultCleanupPeriodDays, SAFE_CLEANUP_PERIOD_DAYS } from './plan/cleanup.js';
export { type DescribeOptions, describePlan, formatBytes, printable } from './plan/describe.js';
export { deriveForkSessionId } from './plan/fingerprint.js';
export { type LinkOptions, planLink } from './plan/link.js';
export {
  explainMerge,
  type MergeLedgerEntry,
  type MergeOptions,
  type MergeOutcome,
  type OnDiverged,
  planMerge,
} from './plan/merge.js';
export {
  NOT_RETAINED_FOLDERS,
  planRetain,
  type RetainPlanOptions,
  type RetainSummary,
  summariseRetain,
} from './plan/retain.js';
export { type Carry, planRollback, type RollbackOptions } from './plan/rollback.js';
export { removeCleanupPeriodDays, setCleanupPeriodDays } from './plan/settings-text.js';
export { planShare, type ShareOptions } from './plan/share.js';
export * from './plan/types.js';
export { validatePlan } from './plan/validate.js';
export {
  type CopyRelation,
  type FindSessionOptions,
  type FoundSession,
  findSession,
  type IterateSessionsOptions,
  iterateSessions,
  type ListProblem,
  type ListSessionsOptions,
  type ListSessionsResult,
  listSessions,
  type ResumeCommand,
  type ResumeCommandOptions,
  resumeCommand,
  SDK_SESSION_FIELDS,
  type SdkSessionInfo,
  type SessionCopy,
  type SessionInfo,
  type SessionSource,
} from './sessions/index.js';
export {
  type SyncthingConfig,
  type SyncthingStatus,
  type SyncthingStatusOptions,
  syncthingStatus,
} from './sync/engine.js';
export { cleanupSourceText } from './sync/findings.js';
export {
  type Alias,
  type AliasMerge,
  type CopyRelation as SyncCopyRelation,
  type Fold,
  type InspectSyncOptions,
  inspectSync,
  type MachineRecord,
  readPathMaps,
  type SyncSnapshot,
} from './sync/inspect.js';
export {
  machineName,
  mapPath,
  originalOfConflict,
  type PathMap,
  parsePathMap,
  stignoreText,
} from './sync/layout.js';
export { emptyPlan, extendPlan, type SyncPlanOptions } from './sync/plan.js';
export {
  type ApplyStateReport,
  type DiagnoseOptions,
  type Diagnosis,
  diagnose,
  type RetainedTotals,
  type SharedFolderTotals,
  type SyncReport,
} from './verbs/diagnose.js';
export { type RetainOptions, retain } from './verbs/retain.js';
export { backup, linkShared, mergeInto, rollback, share, type VerbOptions } from './verbs/verbs.js';
export { VERSION } from './version.js';
