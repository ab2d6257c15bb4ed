import type { DiscoverOptions } from '../accounts/discover.js';
import type { Account } from '../accounts/types.js';
import type { ListProblemCode } from '../codes.js';

/**
 * The fields of the official Agent SDK's `SDKSessionInfo`, with the same names and
 * meaning (`@anthropic-ai/claude-agent-sdk` 0.3.x, file-based listing). Optional fields
 * are absent, never `undefined`, so that `JSON.stringify` of a row has the SDK's shape.
 * docs/listing.md says how each one is derived.
 */
export interface SdkSessionInfo {
  /** The session's UUID (the transcript's file name without `.jsonl`). */
  sessionId: string;
  /** What a picker shows: custom title, else last prompt, else summary line, else first prompt. */
  summary: string;
  /** The transcript's mtime in ms since the epoch (`stat.mtime.getTime()`). */
  lastModified: number;
  /** The transcript's size in bytes. */
  fileSize: number;
  /** Title set by `/rename`, `--name` or `renameSession`, else the AI title. */
  customTitle?: string;
  /** The first meaningful prompt in the first 64 KB, cut to 200 characters. */
  firstPrompt?: string;
  /** The last git branch recorded. */
  gitBranch?: string;
  /** The working directory (the first one recorded, or where the session was relocated). */
  cwd?: string;
  /** The last tag set with `tagSession`. */
  tag?: string;
  /** ms since the epoch of the first timestamp in the file. */
  createdAt?: number;
  /** Set from `<id>/archived.json`: true while no prompt was typed after archiving. */
  archived?: boolean;
}

/** The official SDK's `SDKSessionInfo` field names, in the order its JSON has them. */
export const SDK_SESSION_FIELDS = [
  'sessionId',
  'summary',
  'lastModified',
  'fileSize',
  'customTitle',
  'firstPrompt',
  'gitBranch',
  'cwd',
  'tag',
  'createdAt',
  'archived',
] as const satisfies readonly (keyof SdkSessionInfo)[];

/** How a copy of a session compares with the row's own file (the newest copy). */
export type CopyRelation =
  /** Same size and the same bytes (see {@link ListSessionsOptions.compareCopies}). */
  | 'identical'
  /** Shorter, and its bytes are the start of the newest copy: the newest grew from it. */
  | 'prefix'
  /** Longer, and the newest copy is the start of it: this copy holds more. */
  | 'extends'
  /** Neither is the start of the other: both were written to after they parted. */
  | 'diverged'
  /** It could not be read to compare (see the listing's problems). */
  | 'unknown';

/** Another physical file holding the same session id. */
export interface SessionCopy {
  /** Absolute path of the transcript (its real path). */
  path: string;
  /** Its project folder's name under `projects/`. */
  projectDir: string;
  /** Config dirs that see this file, in the order the sources were given. */
  accounts: string[];
  fileSize: number;
  lastModified: number;
  relation: CopyRelation;
}

/** One session: the SDK's fields, plus what only a multi-account listing can say. */
export interface SessionInfo extends SdkSessionInfo {
  /** Absolute path of the transcript the fields come from (its real path). */
  path: string;
  /** Its project folder's name under `projects/` (the encoded working directory). */
  projectDir: string;
  /**
   * Config dirs whose `projects/` shows this very file (through symlinks, resolved by
   * realpath), in the order the sources were given. Empty when listing one `projects/`
   * folder given as `projectsDir`.
   */
  accounts: string[];
  /**
   * Other physical files with the same session id (another account's own copy, a
   * backup listed as a source, ...). Absent when there are none.
   */
  copies?: SessionCopy[];
  /**
   * Other names its project folder is reached by: alias links beside it in the same
   * `projects/` folder (`-Users-alice-app -> -home-alice-app`, made by `--map-path` for a
   * project kept under another path on another machine), sorted. The session is still
   * one row, under its real folder (`projectDir`). Absent when there are none.
   */
  aliases?: string[];
}

/** Something that kept a file or folder out of the listing. The rest is still listed. */
export interface ListProblem {
  /**
   * `EPERMISSION` (permission denied), `EIO_UNEXPECTED` (any other read error),
   * `ENOT_A_FILE` (a `<uuid>.jsonl` that is a folder or a device), `ELINKED_ENTRY` (a
   * transcript or project folder that is a symlink: Claude Code does not list those).
   */
  code: ListProblemCode;
  /** What happened and what to do. */
  message: string;
  path: string;
  /** The config dirs whose `projects/` holds the path, when known. */
  accounts?: string[];
}

/** Where sessions are listed from. */
export type SessionSource = Account | string;

export interface ListSessionsOptions extends Omit<DiscoverOptions, 'accounts'> {
  /**
   * The accounts to list: `Account`s from `discoverAccounts()`, or config dir paths (`~`
   * and relative paths allowed). When neither this nor `projectsDir` is given, accounts
   * are discovered with the other options (as `discoverAccounts` does).
   * @example ['~/.claude', '~/.claude-2']
   */
  accounts?: readonly SessionSource[];
  /**
   * List one `projects/` folder instead of accounts (a backup, the shared folder, ...).
   * Rows then have `accounts: []`.
   * @example '~/.claude-shared/projects'
   */
  projectsDir?: string;
  /**
   * Only sessions of this working directory, as the SDK's `listSessions({ dir })` and
   * the `/resume` picker opened there list them: the project folder Claude Code uses for
   * it (the directory's real path, encoded; names cut at 200 characters match by
   * prefix), followed when it is a symlink inside `projects/` (only the all-projects
   * view hides such a folder), and the folders of the directory's git worktrees (see
   * {@link includeWorktrees}).
   * @example '/home/me/src/app'
   */
  project?: string;
  /**
   * With `project`: also list the sessions of the project's other git worktrees, as the
   * SDK's `listSessions({ dir })` does by default (the `/resume` picker opened in the
   * folder shows only its own). Found with `git worktree list --porcelain` on the real
   * disk; without git, or outside a repository, there are none.
   * @default true
   */
  includeWorktrees?: boolean;
  /**
   * With `project`: the worktree paths to use instead of asking git (a filesystem other
   * than the real disk, or tests). The project's own path may be among them.
   */
  worktrees?: readonly string[];
  /** Most rows returned (after `offset`); 0 or absent means all. */
  limit?: number;
  /** Rows skipped first. @default 0 */
  offset?: number;
  /**
   * Include sessions begun from `claude -p` or the SDK (entrypoint `sdk-cli`, `sdk-ts`,
   * `sdk-py`, or a daemon session). `false` gives what the `/resume` picker shows.
   * @default true
   */
  includeProgrammatic?: boolean;
  /**
   * How copies of one session in several files are compared. `windows` compares the
   * bytes already read (first and last 64 KB) plus at most 64 KB more of the longer copy,
   * which is exact for files up to 128 KB; `full` reads both files to the end.
   * @default 'windows'
   */
  compareCopies?: 'windows' | 'full';
  /** Files read at once (in the calling thread). @default 64 */
  concurrency?: number;
  /**
   * Worker threads that stat, read and describe transcripts of the real disk (when the
   * library runs from its built files; otherwise, and for any other filesystem, the
   * listing runs in the calling thread). 0 lists in the calling thread. By default,
   * one per CPU (at most 4) for 5,000 transcripts or more, none below.
   * @default automatic
   */
  workers?: number;
  /** Stops the listing; the promise rejects with an `EABORTED` error. */
  signal?: AbortSignal;
}

export interface IterateSessionsOptions extends ListSessionsOptions {
  /**
   * Called for each file or folder left out because it could not be read (the streaming
   * form's counterpart of {@link ListSessionsResult.problems}).
   */
  onProblem?: (problem: ListProblem) => void;
}

export interface ListSessionsResult {
  /** Newest first (by `lastModified`, ties by session id as the SDK orders them). */
  sessions: SessionInfo[];
  /** Files and folders that could not be read; they are missing from `sessions`. */
  problems: ListProblem[];
}
