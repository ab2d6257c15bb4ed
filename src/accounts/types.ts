import type { AccountProblemCode } from '../codes.js';

/** What is at an account's shared-able folder (`projects/`, `memory/`, ...). */
export type FolderStateKind =
  /** Nothing there. */
  | 'missing'
  /** A real folder, not yet shared. */
  | 'directory'
  /** A symlink (or junction) to the shared folder given to discovery. */
  | 'linked'
  /** A symlink to some other folder that exists. */
  | 'symlink-elsewhere'
  /** A symlink whose target does not exist. */
  | 'dangling-symlink'
  /** A file, fifo, or a symlink to something that is not a folder. */
  | 'not-a-directory'
  /** It could not be examined (permission denied, ...). */
  | 'unreadable';

export interface FolderState {
  /** The folder's name in the account (`projects`, ...). */
  name: string;
  /** Absolute path of the folder in the account. */
  path: string;
  kind: FolderStateKind;
  /** For symlinks: the link's text as stored. */
  linkText?: string;
  /** For symlinks: the absolute path the link points to (resolved against its folder). */
  linkTarget?: string;
}

export interface AccountProblem {
  code: AccountProblemCode;
  message: string;
  path: string;
}

export interface BackupInfo {
  /** Folder name, e.g. `projects.bak.1795761125`. */
  name: string;
  path: string;
  /** The folder it backs up, e.g. `projects`. */
  folder: string;
  stamp: string;
}

export type AccountSource = 'default' | 'sibling' | 'env' | 'explicit';

export interface Account {
  /** Absolute path of the config dir, as found or given (`~` expanded). */
  path: string;
  /** Its real path; accounts are deduplicated by it. */
  realPath: string;
  /** A short name for people: the config dir's base name (`.claude`, `.claude-2`). */
  label: string;
  /** How it was found; the first source wins when several find one folder. */
  source: AccountSource;
  /** Whether the config dir exists and is a folder. */
  exists: boolean;
  /** State of each folder asked about (always includes `projects`). */
  folders: Record<string, FolderState>;
  /** Shortcut for `folders.projects`. */
  projects: FolderState;
  /** Transcripts (`projects/<p>/<uuid>.jsonl`) seen through `projects/`, links followed. */
  sessions: number;
  /** Their total size in bytes. */
  sessionBytes: number;
  /** Project folders under `projects/`. */
  projectCount: number;
  /** `<folder>.bak.*` backups in the config dir, newest first. */
  backups: BackupInfo[];
  /** Pids of live Claude Code processes registered in `sessions/<pid>.json`. */
  runningPids: number[];
  /** `cleanupPeriodDays` from `settings.json`; 30 when unset. */
  cleanupPeriodDays: number;
  /** True when `settings.json` sets `cleanupPeriodDays` itself. */
  cleanupPeriodDaysSet: boolean;
  /** Everything that could not be read or made sense of, per account. */
  problems: AccountProblem[];
}
