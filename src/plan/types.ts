import type { ConflictCode, PlanIssueCode, WarningCode } from '../codes.js';
/**
 * The plan: plain, versioned, JSON-serialisable data. Planners produce it without I/O;
 * `applyPlan` executes it. Every operation names exactly the paths it touches and the
 * state it expects to find there, so a stale plan is refused before any write.
 *
 * Paths are absolute. Hashes are lowercase hex SHA-256 of the whole file.
 */

export const PLAN_VERSION = 1 as const;

/** What an operation expects to find at a path before it runs. */
export type ExpectedState =
  | { type: 'absent' }
  | {
      type: 'file';
      size: number;
      /** Integer ms, as {@link FileStat.mtimeMs}. */
      mtimeMs: number;
      /** Permission bits. */
      mode?: number;
      /** SHA-256 of the content, where the planner compared contents. */
      hash?: string;
    }
  | {
      type: 'directory';
      /**
       * `treeDigest` of everything under the folder when the plan was made, for a folder
       * the plan moves whole (a backup): a session added, removed or written to since
       * makes the plan stale rather than carry it into the backup unseen.
       */
      tree?: string;
    }
  | {
      type: 'symlink';
      /** The link's text as stored (what readlink returns). */
      target: string;
    };

/** Why an operation is in the plan, for people and for `describePlan`. */
export const OPERATION_REASONS = [
  /** A file absent from the shared folder. */
  'new',
  /** A longer copy of a transcript that only grew. */
  'longer',
  /** The copy of a diverged session whose last record is newest. */
  'newest-diverged',
  /** A copy kept in the conflicts folder. */
  'conflict-kept',
  /** A shorter copy moved aside because a longer one replaces it. */
  'superseded',
  /** An account's original folder moved aside as a backup. */
  'backup',
  /** A backup put back by rollback. */
  'restore',
  /** The account folder becomes a link to the shared folder. */
  'link',
  /** Rollback removes the link. */
  'unlink',
  /** A session made or extended while shared, carried back by rollback. */
  'carry',
  /** A parent folder the next operations need. */
  'parent',
  /** `cleanupPeriodDays` raised in `settings.json`. */
  'cleanup-period',
  /** A diverged copy kept as a resumable session under a new id. */
  'fork',
  /** A project folder under another machine's path, reached from this machine's path by a relative link. */
  'alias',
  /** A sync engine's file (its ignore file) or this library's per-machine record beside the shared folder. */
  'sync-setup',
  /** A sidecar file (`<id>/subagents/...`) copied under a fork's new id. */
  'fork-sidecar',
  /** A hard link of a shared file kept outside `projects/`, so that a deletion by Claude Code's cleanup can be undone. */
  'retain',
  /** A shared file deleted since (Claude Code's cleanup) brought back from its retained link. */
  'recover',
  /** A retained link let go of (its shared file was deleted on purpose), releasing its space. */
  'prune',
] as const;
export type OperationReason = (typeof OPERATION_REASONS)[number];

interface OperationBase {
  /** Unique within the plan, stable for a given snapshot: `op-0001`, ... */
  id: string;
  reason: OperationReason;
  /** The account (config dir) this operation is about, when there is one. */
  account?: string;
  /** The session this operation is about, when there is one. */
  sessionId?: string;
}

/** Create one folder (its parent must exist). Undo: remove it if empty. */
export interface MkdirOperation extends OperationBase {
  type: 'mkdir';
  path: string;
  mode: number;
  expect: { type: 'absent' };
}

/**
 * Copy a regular file to a path that must be absent: to a temporary name in the target
 * folder, verified (size, and hash when given), then renamed into place; mode and mtime
 * kept. Undo: remove the copy.
 */
export interface CopyFileOperation extends OperationBase {
  type: 'copyFile';
  from: string;
  to: string;
  expectFrom: Extract<ExpectedState, { type: 'file' }>;
  expectTo: { type: 'absent' };
}

/**
 * Copy a transcript under a new session id: every `"sessionId":"<old>"` becomes the new
 * id, nothing else changes. Used to keep a diverged copy resumable. Undo: remove it.
 */
export interface ForkSessionOperation extends OperationBase {
  type: 'forkSession';
  from: string;
  to: string;
  oldSessionId: string;
  newSessionId: string;
  expectFrom: Extract<ExpectedState, { type: 'file' }>;
  expectTo: { type: 'absent' };
}

/** Move a file, folder or link to a path that must be absent. Undo: move it back. */
export interface RenameOperation extends OperationBase {
  type: 'rename';
  from: string;
  to: string;
  expectFrom: ExpectedState;
  expectTo: { type: 'absent' };
  /**
   * For rollback's `cleanup-period` rename of a `settings.json` that share created: the
   * period before and after (no file: Claude Code's default).
   */
  cleanupPeriodDays?: CleanupPeriodChange;
}

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

/** Remove a link (never what it points to). Undo: recreate it. */
export interface UnlinkSymlinkOperation extends OperationBase {
  type: 'unlinkSymlink';
  path: string;
  expect: Extract<ExpectedState, { type: 'symlink' }>;
}

/**
 * Replace a small file's content atomically (temp + rename), first keeping the old file
 * at `backupTo` (which must be absent). Used for `settings.json`. Undo: put the backup
 * back. When the file is absent (`expect.type === 'absent'`), nothing is backed up.
 */
export interface WriteFileOperation extends OperationBase {
  type: 'writeFile';
  path: string;
  content: string;
  mode: number;
  expect: { type: 'absent' } | Extract<ExpectedState, { type: 'file' }>;
  backupTo?: string;
  /**
   * For a `cleanup-period` write: the account's period before (`fromSet` false when the
   * file set none and Claude Code's default applied) and after, so that the plan can say
   * whether it sets, raises or lowers it.
   */
  cleanupPeriodDays?: CleanupPeriodChange;
}

/**
 * A change of an account's `cleanupPeriodDays`: before (`fromSet` false when the file set
 * none and Claude Code's default applied) and after (`toSet` false when the key, or the
 * file, goes and the default applies again). `restore` marks rollback putting back the
 * value the account had before sharing.
 */
export interface CleanupPeriodChange {
  from: number;
  fromSet: boolean;
  to: number;
  toSet?: boolean;
  restore?: boolean;
}

/**
 * Make a second name (a hard link) for a regular file, at a path that must be absent;
 * both names then hold the same bytes and mtime, and removing one leaves the other. Used
 * to keep shared transcripts in `<shared parent>/.retained/`, and to bring back from there
 * a transcript Claude Code's cleanup deleted. Undo: remove the new name, when it is still
 * the same file. Fails with `ELINK_UNSUPPORTED` where the filesystem has no hard links or
 * the two paths are on different devices.
 */
export interface HardLinkOperation extends OperationBase {
  type: 'hardLink';
  from: string;
  to: string;
  expectFrom: Extract<ExpectedState, { type: 'file' }>;
  expectTo: { type: 'absent' };
}

/**
 * Remove a regular file's name, for good only once the apply has committed: the file is
 * renamed to a temporary name beside it (undo: rename it back), and the temporary names
 * of the whole plan are removed after the commit record is durable (by `recover` when
 * the apply was cut off after its commit). The only planner that makes it is `retain
 * --prune`, for retained links under `<shared parent>/.retained/` whose shared file is
 * gone; `validatePlan` refuses it anywhere else.
 */
export interface RemoveFileOperation extends OperationBase {
  type: 'removeFile';
  path: string;
  expect: Extract<ExpectedState, { type: 'file' }>;
}

export type Operation =
  | MkdirOperation
  | RemoveFileOperation
  | HardLinkOperation
  | CopyFileOperation
  | ForkSessionOperation
  | RenameOperation
  | SymlinkOperation
  | UnlinkSymlinkOperation
  | WriteFileOperation;

export type OperationType = Operation['type'];

/** Every operation type, the same set as `Operation['type']` (checked by the compiler below). */
export const OPERATION_TYPES = [
  'mkdir',
  'copyFile',
  'forkSession',
  'rename',
  'symlink',
  'unlinkSymlink',
  'writeFile',
  'hardLink',
  'removeFile',
] as const;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _OperationTypesComplete = Assert<Same<(typeof OPERATION_TYPES)[number], OperationType>>;

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
