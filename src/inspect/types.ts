/**
 * The snapshot: everything a plan depends on, read once by {@link inspect} and then only
 * passed around as plain, JSON-serialisable data. Planners read nothing else, so a caller
 * can build or edit a snapshot by hand (tests do) and plan against it.
 *
 * Absolute paths are real paths (symlinks in the ancestors resolved), so that a plan never
 * writes through a link. Paths inside a tree are relative, `/`-separated, sorted.
 */
import type { AccountProblem, FolderStateKind } from '../accounts/types.js';
import type { EntryType } from '../fs/types.js';
import type { UnsafeFolder } from './safety.js';

export const SNAPSHOT_VERSION = 1 as const;

/** One entry in a tree, as `lstat` saw it (links are never followed). */
export interface TreeEntry {
  /** Relative to the tree's root, `/`-separated: `-home-u-app/1b2c....jsonl`. */
  path: string;
  type: EntryType;
  /** Bytes (files); 0 for folders. */
  size: number;
  /** Permission bits. */
  mode: number;
  /** Integer ms. */
  mtimeMs: number;
  /** For links: the link text as stored. */
  linkText?: string;
  /**
   * SHA-256 (lowercase hex) of the first `size` bytes. Present only for files that exist
   * in several places (or in the conflicts folder), where copies must be compared.
   */
  hash?: string;
  /**
   * Hashes of this file's first N bytes, for each smaller size N of another copy of the
   * same path: the other copy is a byte prefix of this one when its hash equals the one
   * stored here for its size. Sorted by size.
   */
  prefixHashes?: { size: number; hash: string }[];
  /**
   * For `.jsonl` files with diverged copies: the newest `timestamp` (ms) among the
   * records in the file's tail. Decides which diverged copy stays at the canonical path.
   */
  lastRecordMs?: number;
  /** Set when the file could not be read for hashing; it is then left where it is. */
  unreadable?: string;
}

/** A folder tree (the shared folder, the conflicts folder, a backup). */
export interface TreeSnapshot {
  /** Absolute real path of the tree's root. */
  path: string;
  /** What is at `path` (`linked` never appears here: a link to a folder is resolved). */
  kind: 'missing' | 'directory' | 'not-a-directory' | 'dangling-symlink' | 'unreadable';
  /**
   * Ancestors of `path` (outermost first) that do not exist, and `path` itself when it is
   * missing: the folders a plan must create before writing into the tree.
   */
  missing: string[];
  /** Everything under `path`, sorted by `path`. Empty unless `kind` is `directory`. */
  entries: TreeEntry[];
}

/** One shareable folder of one account (`<config>/projects`, ...). */
export interface AccountFolderSnapshot {
  name: string;
  /** `<account realPath>/<name>`. */
  path: string;
  /** As {@link FolderState.kind}: `linked` means a link to this snapshot's shared folder. */
  kind: FolderStateKind;
  linkText?: string;
  linkTarget?: string;
  /** The tree when `kind` is `directory`, sorted by `path`; else empty. */
  entries: TreeEntry[];
}

export interface BackupSnapshot {
  /** `projects.bak.1795761125`. */
  name: string;
  path: string;
  /** The folder it backs up (`projects`). */
  folder: string;
  stamp: string;
  type: EntryType;
  /**
   * The backup's tree, read only when a rollback may restore it (newest of its folder, or
   * the one asked for); undefined when not read.
   */
  entries?: TreeEntry[];
  /**
   * For a `projects` backup whose tree was read: the account's `settings.json` as it was
   * when the share that made this backup raised `cleanupPeriodDays`, from the saved copy
   * `settings.json.bak.<same second>` or the record `settings.json.bak.<same second>.absent`
   * (the file did not exist). Undefined when that share left `settings.json` alone.
   * `rollback` restores it.
   */
  settingsBefore?: SettingsBefore;
}

/** An account's `cleanupPeriodDays` before a share raised it (see {@link BackupSnapshot.settingsBefore}). */
export interface SettingsBefore {
  /** The saved copy or the record. */
  path: string;
  /** False when `settings.json` did not exist (the share created it). */
  existed: boolean;
  /** The value the file set; undefined when it set none (Claude Code's 30 days applied). */
  cleanupPeriodDays?: number;
  /** The saved copy could not be read or is not a JSON object: nothing is restored from it. */
  unreadable?: boolean;
}

export interface SettingsSnapshot {
  /** `<account>/settings.json`. */
  path: string;
  /** What `lstat` saw; `symlink` settings are never rewritten (a dotfile manager owns them). */
  type: EntryType | 'missing' | 'unreadable';
  /** UTF-8 text, for files of at most 1 MiB. */
  text?: string;
  size?: number;
  mtimeMs?: number;
  mode?: number;
  hash?: string;
  /** `cleanupPeriodDays` Claude Code uses for this account: the setting, else 30. */
  cleanupPeriodDays: number;
  /** True when the file sets `cleanupPeriodDays` itself (to a valid value). */
  cleanupPeriodDaysSet: boolean;
  /** True when the file is not valid JSON (Claude Code ignores it; so does the plan). */
  malformed: boolean;
}

export interface AccountSnapshot {
  /** The config dir as given or found (`~` expanded). */
  path: string;
  /** Its real path; every operation uses this one. */
  realPath: string;
  label: string;
  exists: boolean;
  /** One entry per folder in {@link Snapshot.folders}. */
  folders: Record<string, AccountFolderSnapshot>;
  /** `<folder>.bak.*` entries, newest first. */
  backups: BackupSnapshot[];
  /** Names directly in the config dir, sorted (to pick free backup names). */
  names: string[];
  /** Live Claude Code pids registered in `sessions/`. */
  runningPids: number[];
  settings: SettingsSnapshot;
  /** What discovery could not read or make sense of. */
  problems: AccountProblem[];
  /**
   * The sessions the account's `history.jsonl` names (Claude Code's TUI writes one line
   * per prompt; print mode writes none), each with its newest prompt's time in ms. Read
   * only with `records: true` (the `rollback` verb asks for it).
   */
  sessionRecords?: Record<string, number>;
}

export interface Snapshot {
  version: typeof SNAPSHOT_VERSION;
  /** Folder names being shared, `projects` first. */
  folders: string[];
  /**
   * Whether paths compare without case (`Foo.jsonl` and `foo.jsonl` one file): this host's
   * rule (macOS and Windows yes, elsewhere no) unless `InspectOptions.caseInsensitive` says
   * otherwise. The planners compare by it and record it in the plan.
   */
  caseInsensitive: boolean;
  /** In the order given (or found); the order decides ties. */
  accounts: AccountSnapshot[];
  /** The shared folder of each folder name (real path and tree). */
  shared: Record<string, TreeSnapshot>;
  /** The folder path the caller named for each shared folder (before realpath). */
  sharedGiven: Record<string, string>;
  /** Where superseded and diverged copies are kept (`<shared parent>/conflicts`). */
  conflicts: TreeSnapshot;
  /**
   * Shared, conflicts and parent folders that others could write to or that belong to
   * someone else: sharing into them is refused (`EUNSAFE_SHARED`). Absent when nothing
   * is wrong or when the filesystem has no owners and modes to check (memfs).
   */
  unsafe?: UnsafeFolder[];
}
