/**
 * What every operation type shares: the states an operation expects, its reasons, its
 * common fields, and {@link OperationSpec}, the row of the operation table
 * (`./table.ts`) that says everything one type means. Planning (`plan/`), validation,
 * description, preflight, the executor and the undo all go through the table; nothing
 * else switches on `op.type`.
 */
import type { FileSystem } from '../fs/types.js';
import type { PathRules } from '../layout/paths.js';
import type { FreshRuns } from '../util/fresh.js';
import type { CopyFileOperation } from './copy-file.js';
import type { ForkSessionOperation } from './fork-session.js';

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

export type ExpectedFile = Extract<ExpectedState, { type: 'file' }>;

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

export interface OperationBase {
  /** Unique within the plan, stable for a given snapshot: `op-0001`, ... */
  id: string;
  reason: OperationReason;
  /** The account (config dir) this operation is about, when there is one. */
  account?: string;
  /** The session this operation is about, when there is one. */
  sessionId?: string;
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

// ---------------------------------------------------------------------------------------
// The pure half: validation, paths, effects, preconditions, description
// ---------------------------------------------------------------------------------------

/** What an operation does at a path it names. */
export type Role = 'read' | 'create' | 'remove' | 'replace' | 'link-target';

export interface NamedPath {
  path: string;
  role: Role;
  /** The operation's field that holds it (`from`, `to`, `path`, `backupTo`, ...). */
  field: string;
}

/** Checks of an untyped operation's fields, collecting problems (for `validatePlan`). */
export interface ShapeChecks {
  /** The operation as read (not yet known to be well formed). */
  op: Record<string, unknown>;
  /** Adds a problem, worded as the end of "operations[3] (op-0004) ...". */
  problem(text: string): void;
  /** The field must be a non-empty string. */
  path(field: string): void;
  /** The field must be permission bits. */
  mode(field: string): void;
  /** The field must be an expected state of one of these types. */
  expected(field: string, allowed: readonly ExpectedState['type'][]): void;
}

/** What `validatePlan` knows of the plan, for an operation's own rules about where it may go. */
export interface PlanScope {
  sharedDirs: Readonly<Record<string, string>>;
  /** How the plan's paths compare (its `caseInsensitive`). */
  rules: PathRules;
  /** The default rule for a path of this role (undefined: allowed). */
  defaultRule(named: NamedPath): string | undefined;
}

/**
 * Effects on a model of the disk: the planner's virtual tree and preflight's overlay
 * implement it, so that what an operation does to a tree is written once.
 */
export interface TreeEffects {
  /** A new, empty folder. */
  dir(path: string, mode: number): void;
  /**
   * A regular file. `approximate`: its size and mtime are what the plan expects but not
   * exact (a fork's bytes, a file the executor writes with the time of writing).
   */
  file(
    path: string,
    file: { size: number; mtimeMs: number; mode?: number; hash?: string; approximate?: boolean },
  ): void;
  /** A symbolic link (or junction) whose text is `text`. */
  link(path: string, text: string): void;
  /** Nothing. */
  absent(path: string): void;
  /** Whatever is at `from`, and everything under it, now at `to`; nothing at `from`. */
  move(from: string, to: string): void;
}

/** A state an operation relies on before it runs, checked by preflight in this order. */
export type Precondition =
  /** What the plan expects at the path (from the operation's own `expect*` fields). */
  | { kind: 'expect'; field: string; path: string; expected: ExpectedState }
  /** The path's folder exists. */
  | { kind: 'parent'; field: string; path: string }
  /** No folder between the path's root and the path is a link (it would be followed). */
  | { kind: 'no-link'; field: string; path: string };

/** The group a plan's description counts an operation in; see `plan/describe.ts`. */
export type DescribeGroup =
  | 'mkdir'
  | 'superseded'
  | 'aside-rename'
  | 'new'
  | 'longer'
  | 'newest-diverged'
  | 'conflict-kept'
  | 'fork'
  | 'fork-sidecar'
  | 'cleanup-period'
  | 'sync-setup'
  | 'sync-fold'
  | 'alias'
  | 'recover'
  | 'prune'
  | 'prune-dirs'
  | 'retain'
  | 'backup'
  | 'link'
  | 'unlink'
  | 'restore'
  | 'carry';

// ---------------------------------------------------------------------------------------
// The I/O half: running and undoing, through the FileSystem it is handed
// ---------------------------------------------------------------------------------------

/** What a finished copy looked like when it was verified; `to` is removed by undo only if still ours. */
export interface CopyDone {
  size: number;
  mtimeMs: number;
  cloned: boolean;
}

/** A copy made by this apply, followed so that bytes its source gains later are carried. */
export interface CopyState {
  op: CopyFileOperation | ForkSessionOperation;
  /** Where the source is now (a backup rename moves it). */
  source: string;
  /** Bytes of the source the copy holds, and the source's mtime then. */
  sourceSize: number;
  sourceMtimeMs: number;
  /** Bytes in the copy. */
  size: number;
}

/** The journal, as the steps write to it (a record of bytes carried to a copy). */
export interface StepJournal {
  append(record: { t: 'resync'; op: string; source: string; size: number; mtimeMs: number }): void;
}

/** What the steps share during one apply or recover. */
export interface StepContext {
  fs: FileSystem;
  /** How the plan's paths compare (its `caseInsensitive`); `createdDirs` holds its keys. */
  rules: PathRules;
  /** The run token of the journal: temporary names contain it. */
  run: string;
  /** Keys of folders the executor created for its journal (a `mkdir` of one adopts it). */
  createdDirs: ReadonlySet<string>;
  journal: StepJournal | undefined;
  /** Copies made so far, by operation id. */
  copies: Map<string, CopyState>;
  /** For each rename: the copies whose source it moves. */
  resyncTargets: ReadonlyMap<string, readonly string[]>;
  counters: { bytesCopied: number; bytesCloned: number; bytesResynced: number };
  /** How many files are re-synced or flushed at once. */
  concurrency: number;
  /** fsync copies before their source is moved aside. */
  durable: boolean;
  /**
   * Shares each folder's `realpath` among the copies that ask for it at once; each still
   * gets a result computed after it asked (see {@link FreshRuns}). Without it, every
   * check runs its own `realpath`.
   */
  realpaths?: FreshRuns<string>;
}

/**
 * The part of a {@link StepContext} a step that runs on its own may use: no journal, no
 * other step's state, nothing shared with the rest of the apply but what it returns
 * (its result, the copy it made in `copies`, its `counters`). A step that needs no more
 * than this may run on a worker thread ({@link OperationSpec.runLocal}).
 */
export type LocalStepContext = Pick<StepContext, 'fs' | 'run' | 'counters' | 'copies' | 'realpaths' | 'rules'>;

export interface StepResult {
  copy?: CopyDone;
  adopted?: true;
  /** Bytes this step wrote or copied (for progress). */
  bytes: number;
}

export interface UndoContext {
  fs: FileSystem;
  /** How the plan's paths compare (its `caseInsensitive`); `createdDirs` holds its keys. */
  rules: PathRules;
  run: string;
  createdDirs: ReadonlySet<string>;
  /** Where a path named by the plan is now, given the renames not undone yet. */
  locate: (path: string) => string;
}

/** Records a path an undo leaves in place, and why, in words a person can act on. */
export type Keep = (path: string, reason: string) => void;

/** Something an undo left in place rather than delete or overwrite what is not its own. */
export interface KeptItem {
  operationId: string;
  path: string;
  /** Why it stays, in words a person can act on. */
  reason: string;
}

/** A counter of the apply's report that each operation of a type adds one to when done. */
export type ReportCounter = 'forks';

// ---------------------------------------------------------------------------------------
// The row
// ---------------------------------------------------------------------------------------

/** Everything one operation type means. One per type, in `./table.ts`. */
export interface OperationSpec<T extends { type: string; id: string; reason: OperationReason }> {
  readonly type: T['type'];
  /** Checks the fields of its type (the common ones are checked by `validatePlan`). */
  shape(check: ShapeChecks): void;
  /** Every path it names, with what it does there. */
  paths(op: T): NamedPath[];
  /**
   * Its own rule for where a named path may be, instead of the default (a shared folder,
   * an account's shared-able folder or backup, settings.json; a link only to a shared
   * folder). Returns why not, or undefined.
   */
  scope?(op: T, named: NamedPath, plan: PlanScope): string | undefined;
  /** True when it may touch this account's `settings.json` (path), which is per account. */
  touchesSettings?(op: T, path: string): boolean;
  /** What it does to a model of the disk (planning and preflight). */
  effect(op: T, tree: TreeEffects): void;
  /** What must hold before it runs, in order. */
  preconditions(op: T): Precondition[];
  /** Bytes it copies or writes (the disk space it needs; progress). */
  bytesWritten(op: T): number;
  /** Bytes shown in the plan's description. */
  bytesShown(op: T): number;
  /** A copy whose source the executor follows through later renames (to carry appended bytes). */
  copyOf?(op: T): { from: string; to: string };
  /** A move whose paths the undo follows (`locate`) and whose moved copies it re-syncs. */
  moveOf?(op: T): { from: string; to: string };
  /** One line for people (before escaping control characters). */
  describe(op: T): string;
  /** The group it is counted in when a plan is described; undefined: "other". */
  group(op: T): DescribeGroup | undefined;
  /** The counter of the apply's report it adds one to when done (a fork: `forks`). */
  readonly counts?: ReportCounter;
  /** Does it, checking its preconditions again at the moment it runs. */
  run(ctx: StepContext, op: T): Promise<StepResult>;
  /**
   * The same `run`, for a type whose step uses no more than a {@link LocalStepContext}:
   * the executor may then run it on a worker thread, through the same filesystem's
   * blocking twin (see {@link FileSystem.sameInWorkers}).
   */
  runLocal?(ctx: LocalStepContext, op: T): Promise<StepResult>;
  /**
   * Undoes it, looking at the disk: it may run on a half-done operation, twice, or after a
   * crash. Nothing that is not provably the apply's own is removed: the rest is `keep`.
   */
  undo(ctx: UndoContext, op: T, keep: Keep): Promise<void>;
  /** Runs once the apply has committed (a removal made final). Returns problems as warnings. */
  afterCommit?(fs: FileSystem, op: T, run: string): Promise<string | undefined>;
  /**
   * The journal's records of the steps undone so far must reach the disk before this one
   * is undone (a structural step: a move back, a link, a folder); false for copies, whose
   * undo found again only finds them gone.
   */
  readonly flushBeforeUndo: boolean;
}
