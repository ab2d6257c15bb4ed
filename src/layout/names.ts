/**
 * Names Claude Code gives things under a config dir, as pure functions. See
 * docs/claude-code-layout.md for the facts behind each.
 */

/** Longest encoded project folder name Claude Code keeps before cutting and hashing. */
export const MAX_PROJECT_DIR_LENGTH = 200;

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const UUID_RE = new RegExp(`^${UUID}$`);
const SESSION_FILE_RE = new RegExp(`^(${UUID})\\.jsonl$`);
const LEGACY_AGENT_RE = /^agent-[0-9a-zA-Z]+\.jsonl$/;
const BACKUP_RE = /^(.+)\.bak\.(.+)$/;

/**
 * Suffix of the record `settings.json.bak.<stamp>.absent` that `share` leaves when it
 * creates an account's `settings.json` (there was none to back up), so that `rollback`
 * can restore "no settings.json" exactly.
 */
export const SETTINGS_ABSENT_SUFFIX = '.absent';

/**
 * `cleanupPeriodDays` Claude Code uses when no settings file sets one (and when the value
 * set is not a positive number): transcripts older than this are deleted at startup.
 */
export const DEFAULT_CLEANUP_PERIOD_DAYS = 30;

/** Settings files above this size are not read (Claude Code's are a few KB; /dev/zero never ends). */
export const SETTINGS_MAX_BYTES = 1 << 20;

/** Files holding an account's credentials or state: never copied, moved or named by a plan, in any folder. */
export const CREDENTIAL_FILES = Object.freeze(['.credentials.json', '.claude.json'] as const);

/** True for a file name that holds credentials or account state: never copied, moved or named by a plan. */
export function isCredentialFile(name: string): boolean {
  return (CREDENTIAL_FILES as readonly string[]).includes(name);
}

/** Folder and file names that are per-account and must never be shared or read. */
export const NEVER_SHARED = Object.freeze([
  'sessions',
  ...CREDENTIAL_FILES,
  'settings.json',
  'settings.local.json',
  'ide',
  'statsig',
  'plugins',
  'commands',
  'agents',
  'skills',
  'hooks',
  'CLAUDE.md',
]);

/** Folders that may be shared on request, besides `projects`. */
export const SHAREABLE_FOLDERS = Object.freeze([
  'projects',
  'memory',
  'file-history',
  'session-env',
  'todos',
  'tasks',
  'plans',
  'image-cache',
  'debug',
  'shell-snapshots',
]);

export const SESSIONS_INDEX = 'sessions-index.json';
export const MEMORY_DIR = 'memory';

/**
 * Encodes a working directory into its `projects/` folder name the way Claude Code
 * does: every UTF-16 code unit that is not ASCII `[A-Za-z0-9]` becomes `-`. Names longer
 * than 200 units are cut to 200 and Claude Code appends `-<hash>`; that hash differs
 * between builds and cannot be reproduced, so for those this returns the 200-unit cut
 * with `truncated: true` and callers match by prefix ({@link projectDirMatches}).
 *
 * @example
 * encodeProjectDir('/Users/x/my.proj') // { name: '-Users-x-my-proj', truncated: false }
 */
export function encodeProjectDir(cwd: string): { name: string; truncated: boolean } {
  // String.replace with a per-code-unit class: astral characters (two units) give two '-'.
  let encoded = '';
  for (let i = 0; i < cwd.length; i++) {
    const c = cwd.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    encoded += ok ? cwd[i] : '-';
  }
  if (encoded.length <= MAX_PROJECT_DIR_LENGTH) return { name: encoded, truncated: false };
  return { name: encoded.slice(0, MAX_PROJECT_DIR_LENGTH), truncated: true };
}

const HASH_SUFFIX_RE = /^[0-9A-Za-z]+$/;

/**
 * True when `folderName` is the `projects/` folder Claude Code uses for `cwd`. For a cut
 * name, any `-<hash>` suffix matches (the hash cannot be reproduced), as long as it is
 * one alphanumeric word (base 36 in the builds seen): `<cut>-ab12-x` is not a match.
 * Two long paths that share their first 200 encoded characters match each other's
 * folders; use the transcripts' `cwd` to tell them apart.
 */
export function projectDirMatches(folderName: string, cwd: string): boolean {
  const { name, truncated } = encodeProjectDir(cwd);
  if (!truncated) return folderName === name;
  return folderName.startsWith(`${name}-`) && HASH_SUFFIX_RE.test(folderName.slice(name.length + 1));
}

export function isSessionId(value: string): boolean {
  return UUID_RE.test(value);
}

/** The session id of a `<uuid>.jsonl` file name, or undefined for any other name. */
export function sessionIdOfFile(fileName: string): string | undefined {
  return SESSION_FILE_RE.exec(fileName)?.[1];
}

/** Legacy flat subagent transcripts (`agent-<hex>.jsonl`) written by older releases. */
export function isLegacyAgentFile(fileName: string): boolean {
  return LEGACY_AGENT_RE.test(fileName);
}

export type ProjectEntryKind = 'session' | 'session-sidecar' | 'legacy-agent' | 'memory' | 'sessions-index' | 'other';

/**
 * What an entry directly inside `projects/<project>/` is: a transcript, a session's
 * sidecar folder (`<uuid>/` with `subagents/`, `tool-results/`, `custom-title.json`, ...),
 * a legacy flat agent transcript, the `memory/` folder, the stale `sessions-index.json`
 * cache, or something else.
 */
export function classifyProjectEntry(name: string, isDirectory: boolean): ProjectEntryKind {
  if (isDirectory) {
    if (name === MEMORY_DIR) return 'memory';
    if (isSessionId(name)) return 'session-sidecar';
    return 'other';
  }
  if (sessionIdOfFile(name) !== undefined) return 'session';
  if (isLegacyAgentFile(name)) return 'legacy-agent';
  if (name === SESSIONS_INDEX) return 'sessions-index';
  return 'other';
}

/** Backup name of a folder: `<folder>.bak.<timestamp>`, with a counter when taken. */
export function backupName(folder: string, timestamp: string, counter = 0): string {
  return counter === 0 ? `${folder}.bak.${timestamp}` : `${folder}.bak.${timestamp}.${counter}`;
}

/**
 * The stamp of a backup name: whole seconds since the epoch, as in the manual recipe's
 * `projects.bak.$(date +%s)`, so that backups made by hand and by this library sort
 * together.
 */
export function backupTimestamp(date: Date | number): string {
  const ms = typeof date === 'number' ? date : date.getTime();
  return String(Math.floor(ms / 1000));
}

/** Orders backup names newest first: by stamp (numeric seconds), then by counter. */
export function compareBackupsNewestFirst(a: string, b: string): number {
  const key = (name: string): [number, number] => {
    const parsed = parseBackupName(name);
    const m = parsed ? /^(\d+)(?:\.(\d+))?$/.exec(parsed.stamp) : null;
    return m ? [Number(m[1]), Number(m[2] ?? 0)] : [-1, 0];
  };
  const [sa, ca] = key(a);
  const [sb, cb] = key(b);
  return sb - sa || cb - ca || (a < b ? 1 : a > b ? -1 : 0);
}

/** Parses a backup folder name back into the folder it backs up and its stamp. */
export function parseBackupName(name: string): { folder: string; stamp: string } | undefined {
  const m = BACKUP_RE.exec(name);
  if (!m?.[1] || !m[2]) return undefined;
  return { folder: m[1], stamp: m[2] };
}
