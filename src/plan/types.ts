import type { ConflictCode, PlanIssueCode, WarningCode } from '../codes.js';
import type { Operation } from '../operations/table.js';
/**
 * The plan: plain, versioned, JSON-serialisable data. Planners produce it without I/O;
 * `applyPlan` executes it. Every operation names exactly the paths it touches and the
 * state it expects to find there, so a stale plan is refused before any write.
 *
 * Paths are absolute. Hashes are lowercase hex SHA-256 of the whole file.
 */

export const PLAN_VERSION = 1 as const;

export {
  type CleanupPeriodChange,
  type ExpectedState,
  OPERATION_REASONS,
  type OperationReason,
} from '../operations/base.js';
// Each operation type from its own module (the table lists them; see operations/table.ts).
export type { CopyFileOperation } from '../operations/copy-file.js';
export type { ForkSessionOperation } from '../operations/fork-session.js';
export type { HardLinkOperation } from '../operations/hard-link.js';
export type { MkdirOperation } from '../operations/mkdir.js';
export type { RemoveDirOperation } from '../operations/remove-dir.js';
export type { RemoveFileOperation } from '../operations/remove-file.js';
export type { RenameOperation } from '../operations/rename.js';
export type { SymlinkOperation } from '../operations/symlink.js';
export { OPERATION_TYPES, type Operation, type OperationType } from '../operations/table.js';
export type { UnlinkSymlinkOperation } from '../operations/unlink-symlink.js';
export type { WriteFileOperation } from '../operations/write-file.js';

/** A session found as different physical files that could not simply be merged. */
export interface Conflict {
  code: ConflictCode;
  message: string;
  sessionId?: string;
  /** The paths involved; for `diverged`, every copy. */
  paths: string[];
  /** What the plan does about it. */
  resolution: 'kept-newest' | 'forked' | 'skipped' | 'refused';
  /** For `diverged`: the copy kept at the canonical path. */
  kept?: string;
  /** For `diverged`: where the other copies go (conflicts folder or forked file). */
  keptAside?: string[];
  /** For `diverged` with `resolution: 'forked'`: which copy becomes which new session. */
  forks?: { from: string; sessionId: string; path: string }[];
}

export interface Warning {
  code: WarningCode;
  message: string;
  path?: string;
}

/** Every kind of plan; `fix` is made by `doctor --fix` (retained links, sync repairs). */
export const PLAN_KINDS = ['merge', 'backup', 'link', 'rollback', 'share', 'fix'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

export interface Plan {
  version: typeof PLAN_VERSION;
  kind: PlanKind;
  /** Given to the planner (never random inside it). */
  id: string;
  /** ISO 8601, given to the planner. */
  createdAt: string;
  /**
   * Every folder the plan may touch under: the accounts' config dirs and the shared
   * folders' parent. Operations outside them are invalid.
   */
  roots: string[];
  /** The accounts (config dirs) the plan is about. */
  accounts: string[];
  /** Shared folder per folder name (`projects` -> `~/.claude-shared/projects`). */
  sharedDirs: Record<string, string>;
  /** Where diverged and superseded copies are kept. */
  conflictsDir: string;
  /** SHA-256 of the snapshot the plan was made from. */
  fingerprint: string;
  /**
   * Whether the plan's paths compare without case (`Snapshot.caseInsensitive`):
   * validatePlan, preflight, the executor, undo and recover compare by it. Absent in a
   * plan saved by version 0.1.0 (or written by hand): then this host's rule
   * (case-insensitive on macOS and Windows), which every plan used before.
   */
  caseInsensitive?: boolean;
  operations: Operation[];
  conflicts: Conflict[];
  warnings: Warning[];
}

/** A problem `validatePlan` finds. */
export interface PlanIssue {
  code: PlanIssueCode;
  message: string;
  operationId?: string;
  path?: string;
}
