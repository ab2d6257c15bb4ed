import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCodes, errnoCode, SharedSessionsError } from '../errors.js';
import { globNames } from '../fs/glob.js';
import { defaultFileSystem } from '../fs/node.js';
import type { FileStat, FileSystem } from '../fs/types.js';
import { absolutePath, defaultSharedDir, type Env } from '../layout/config-dir.js';
import {
  compareBackupsNewestFirst,
  DEFAULT_CLEANUP_PERIOD_DAYS,
  parseBackupName,
  SETTINGS_MAX_BYTES,
  sessionIdOfFile,
} from '../layout/names.js';
import { mapLimit } from '../util/limit.js';
import type { Account, AccountProblem, AccountSource, BackupInfo, FolderState } from './types.js';

export interface DiscoverOptions {
  /** Filesystem to read. @default the real disk */
  fs?: FileSystem;
  /** The home folder discovery looks in. @default os.homedir() */
  home?: string;
  /** Environment (for `CLAUDE_CONFIG_DIR`). @default process.env */
  env?: Env;
  /** Folder relative paths are resolved against. @default process.cwd() */
  cwd?: string;
  /**
   * Explicit config dirs. When given, discovery does not look for others unless
   * `discover` is true.
   * @example ['~/.claude', '~/.claude-work']
   */
  accounts?: readonly string[];
  /** Also look in the home folder when `accounts` is given. @default false */
  discover?: boolean;
  /** Glob of sibling config dirs in the home folder, besides `.claude`. @default '.claude-*' */
  pattern?: string;
  /**
   * Include `CLAUDE_CONFIG_DIR` when set. By default it is included unless `home` is
   * given without `env`: a library call pointed at another home (a sandbox, a test)
   * finds the accounts the command finds with `--home`, and never pulls in the caller's
   * own account from the process environment.
   * @default home === undefined || env !== undefined
   */
  includeEnv?: boolean;
  /** The shared folder of `projects`; a link to it counts as `linked`. @default ~/.claude-shared/projects */
  sharedDir?: string;
  /**
   * Shared folders of other names, by folder name (`{ memory: '/x/memory' }`); by
   * default each sits beside the shared `projects` folder.
   */
  sharedDirs?: Readonly<Record<string, string>>;
  /** Folders whose state is reported. @default ['projects'] */
  folders?: readonly string[];
  /** Tells whether a pid is a live process. @default process.kill(pid, 0) */
  isProcessAlive?: (pid: number) => boolean;
  /** How many folders are read at once. @default 16 */
  concurrency?: number;
}

/** Files or folders whose presence makes a `.claude-*` sibling look like a config dir. */
const CONFIG_MARKERS = [
  'projects',
  'settings.json',
  '.credentials.json',
  '.claude.json',
  'sessions',
  'history.jsonl',
  'statsig',
  'todos',
];

/**
 * Sibling names that look like a copy or backup of a config dir rather than an account:
 * `.claude-2.bak`, `.claude-backup`, `.claude-2.old`, `.claude-orig-2024`, `.claude-2~`
 * (and `<name>.bak.<stamp>`, see parseBackupName). Such folders are left out of automatic
 * discovery: sharing one would merge it and replace its `projects/` with a link. List one
 * explicitly to treat it as an account.
 */
const BACKUP_LOOKING_RE = /[.-](?:bak|backup|old|orig)(?=$|[^a-z])|~$/i;

export function defaultIsProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; still alive.
    return errnoCode(error) === 'EPERM';
  }
}

/** Resolves the options every verb shares into plain values. */
export function resolveCommonOptions(options: DiscoverOptions) {
  const fs = options.fs ?? defaultFileSystem();
  const home = options.home ?? homedir();
  const cwd = options.cwd ?? process.cwd();
  const sharedDir = absolutePath(options.sharedDir ?? defaultSharedDir(home), home, cwd);
  const folders = [...new Set(['projects', ...(options.folders ?? [])])];
  const sharedDirs: Record<string, string> = {};
  for (const folder of folders) {
    const given = options.sharedDirs?.[folder];
    sharedDirs[folder] =
      folder === 'projects' ? sharedDir : given ? absolutePath(given, home, cwd) : join(dirname(sharedDir), folder);
  }
  return { fs, home, cwd, sharedDir, sharedDirs, folders };
}

/**
 * Finds Claude Code config dirs (accounts) and reports, read-only, the state of each:
 * its `projects/` (and other folders asked about), sessions, backups, running Claude
 * Code processes, `cleanupPeriodDays` and any problem found. A problem in one account is
 * reported on that account; discovery itself does not fail on it.
 *
 * @example
 * ```ts
 * const accounts = await discoverAccounts();
 * for (const a of accounts) console.log(a.label, a.projects.kind, a.sessions);
 * ```
 */
export async function discoverAccounts(options: DiscoverOptions = {}): Promise<Account[]> {
  return discoverAccountsWith(options, { sessionSizes: true });
}

/** What only the library's own callers choose. */
export interface DiscoverInternals {
  /**
   * Whether `sessionBytes` is summed (one lstat per transcript). `inspect` walks every
   * file itself and never reads it, so it asks for `false` (`sessionBytes` is then 0).
   */
  sessionSizes: boolean;
  /** Whether sessions are counted at all (one `readdir` per project folder). @default true */
  countSessions?: boolean;
  /**
   * When given, what was read of each account's `settings.json` is kept here, by the
   * account's path, so that `inspect` reads the file once (it needs the text and hash).
   */
  settingsReads?: Map<string, SettingsRead>;
}

/** What discovery read of an account's `settings.json`. */
export interface SettingsRead {
  /** Its `lstat`; absent when it is missing or could not be examined. */
  stat?: FileStat;
  /** `lstat` failed for another reason than its absence. */
  unreadable?: boolean;
  /** Its bytes, when it is a regular file (not a link) of at most {@link SETTINGS_MAX_BYTES} that could be read. */
  bytes?: Uint8Array;
}

/** {@link discoverAccounts}, with the choices of {@link DiscoverInternals}. */
export async function discoverAccountsWith(options: DiscoverOptions, internals: DiscoverInternals): Promise<Account[]> {
  const { fs, home, cwd, sharedDirs, folders } = resolveCommonOptions(options);
  const env = options.env ?? process.env;
  const isAlive = options.isProcessAlive ?? defaultIsProcessAlive;
  const concurrency = options.concurrency ?? 16;

  const candidates: { path: string; source: AccountSource }[] = [];
  if (options.accounts) {
    for (const given of options.accounts) candidates.push({ path: absolutePath(given, home, cwd), source: 'explicit' });
  }
  if (!options.accounts || options.discover) {
    const includeEnv = options.includeEnv ?? (options.home === undefined || options.env !== undefined);
    if (includeEnv && env.CLAUDE_CONFIG_DIR !== undefined) {
      const value = env.CLAUDE_CONFIG_DIR === '' ? '.' : env.CLAUDE_CONFIG_DIR;
      candidates.push({ path: absolutePath(value, home, cwd), source: 'env' });
    }
    const defaultDir = join(home, '.claude');
    if (await isDirectory(fs, defaultDir)) candidates.push({ path: defaultDir, source: 'default' });
    // The shared folders and their parents are never accounts; neither is the default
    // `~/.claude-shared`, even when this run shares somewhere else.
    const sharedParents = new Set([
      ...Object.values(sharedDirs).flatMap((d) => [d, dirname(d)]),
      dirname(defaultSharedDir(home)),
    ]);
    for (const name of await globNames(fs, home, options.pattern ?? '.claude-*')) {
      const path = join(home, name);
      if (parseBackupName(name) || BACKUP_LOOKING_RE.test(name)) continue;
      if (sharedParents.has(path)) continue;
      if (!(await isDirectory(fs, path))) continue;
      if (!(await looksLikeConfigDir(fs, path))) continue;
      candidates.push({ path, source: 'sibling' });
    }
  }

  // Deduplicate by real path, keeping the first source that found each folder. A shared
  // folder or its parent found through the environment is skipped too (listed
  // explicitly, it is kept and inspected like any folder).
  const sharedReal = new Set(
    await Promise.all(Object.values(sharedDirs).flatMap((d) => [realpathOr(fs, d), realpathOr(fs, dirname(d))])),
  );
  const seen = new Set<string>();
  const unique: { path: string; realPath: string; source: AccountSource }[] = [];
  for (const c of candidates) {
    const realPath = await realpathOr(fs, c.path);
    if (seen.has(realPath)) continue;
    if (c.source !== 'explicit' && sharedReal.has(realPath)) continue;
    seen.add(realPath);
    unique.push({ ...c, realPath });
  }

  const accounts = await mapLimit(unique, concurrency, (c) =>
    inspectAccount(fs, c.path, c.realPath, c.source, folders, sharedDirs, isAlive, concurrency, internals),
  );
  assertNamedAccountsExist(accounts);
  return accounts;
}

/**
 * An account named in `accounts` must be a folder that can be read: a typo, a file or a
 * folder the user cannot read would otherwise be left out of a plan that then goes ahead
 * without it. What discovery merely guessed (`~/.claude-*`, `CLAUDE_CONFIG_DIR`) is only
 * reported on the account.
 *
 * @throws SharedSessionsError `ENOTFOUND_ACCOUNT` for a named path that does not exist or
 * is not a folder; `EPERMISSION` for one that cannot be read.
 */
function assertNamedAccountsExist(accounts: readonly Account[]): void {
  const bad = accounts.filter((a) => a.source === 'explicit' && !a.exists);
  const first = bad[0];
  if (!first) return;
  const problem = first.problems.find((p) => p.path === first.path);
  const code = problem?.code === ErrorCodes.PERMISSION ? ErrorCodes.PERMISSION : ErrorCodes.NOT_FOUND;
  const others = bad.slice(1).map((a) => a.path);
  throw new SharedSessionsError(
    code,
    `${problem?.message ?? `${first.path} is not a Claude Code config dir.`} It was named as an account${others.length > 0 ? `, as were ${others.join(', ')}, which cannot be used either` : ''}; check the account list (without it, discovery finds the accounts in the home folder).`,
    {
      path: first.path,
      details: bad.map((a) => ({ path: a.path, problems: a.problems.filter((p) => p.path === a.path) })),
    },
  );
}

async function inspectAccount(
  fs: FileSystem,
  path: string,
  realPath: string,
  source: AccountSource,
  folders: readonly string[],
  sharedDirs: Record<string, string>,
  isAlive: (pid: number) => boolean,
  concurrency: number,
  internals: DiscoverInternals,
): Promise<Account> {
  const problems: AccountProblem[] = [];
  let exists = false;
  let unreadable = false;
  try {
    const st = await fs.stat(path);
    exists = st.type === 'directory';
    if (!exists) {
      problems.push({
        code: ErrorCodes.NOT_A_DIRECTORY,
        message: `${path} is not a folder; a Claude Code config dir must be one. Remove it from the account list.`,
        path,
      });
    }
  } catch (error) {
    problems.push(
      errnoCode(error) === 'ENOENT'
        ? {
            code: ErrorCodes.NOT_FOUND,
            message: `${path} does not exist. Start Claude Code once with CLAUDE_CONFIG_DIR=${path}, or drop it from the account list.`,
            path,
          }
        : problemOf(error, path, 'reading the config dir'),
    );
    const code = errnoCode(error);
    unreadable = code !== 'ENOENT' && code !== 'ENOTDIR';
  }

  const folderStates: Record<string, FolderState> = {};
  for (const folder of folders) {
    const sharedDir = sharedDirs[folder] ?? '';
    folderStates[folder] = exists
      ? await folderState(fs, join(path, folder), folder, sharedDir, problems)
      : { name: folder, path: join(path, folder), kind: unreadable ? 'unreadable' : 'missing' };
  }
  const projects = folderStates.projects as FolderState;

  let sessions = 0;
  let sessionBytes = 0;
  let projectCount = 0;
  const countable =
    projects.kind === 'directory' || projects.kind === 'linked' || projects.kind === 'symlink-elsewhere';
  if (countable && internals.countSessions !== false) {
    const counted = await countSessions(fs, projects.path, problems, concurrency, internals.sessionSizes);
    ({ sessions, sessionBytes, projectCount } = counted);
  }

  const backups = exists ? await listBackups(fs, path, problems) : [];
  const runningPids = exists ? await livePids(fs, path, isAlive, problems) : [];
  let cleanup = { days: DEFAULT_CLEANUP_PERIOD_DAYS, set: false };
  if (exists) {
    const read: SettingsRead = {};
    cleanup = await readCleanupPeriod(fs, path, problems, read);
    internals.settingsReads?.set(path, read);
  }

  return {
    path,
    realPath,
    label: basename(path) || path,
    source,
    exists,
    folders: folderStates,
    projects,
    sessions,
    sessionBytes,
    projectCount,
    backups,
    runningPids,
    cleanupPeriodDays: cleanup.days,
    cleanupPeriodDaysSet: cleanup.set,
    problems,
  };
}

/** Examines one account folder with lstat first, so that links are seen as links. */
export async function folderState(
  fs: FileSystem,
  path: string,
  name: string,
  sharedDir: string,
  problems: AccountProblem[] = [],
): Promise<FolderState> {
  let st: Awaited<ReturnType<FileSystem['lstat']>>;
  try {
    st = await fs.lstat(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { name, path, kind: 'missing' };
    problems.push(problemOf(error, path, `examining ${name}/`));
    return { name, path, kind: 'unreadable' };
  }
  if (st.type === 'directory') return { name, path, kind: 'directory' };
  if (st.type !== 'symlink') return { name, path, kind: 'not-a-directory' };

  let linkText: string;
  try {
    linkText = await fs.readlink(path);
  } catch (error) {
    // Gone or replaced since the lstat (a concurrent rollback), or not readable.
    if (errnoCode(error) === 'ENOENT') return { name, path, kind: 'missing' };
    problems.push(problemOf(error, path, `reading the ${name} link`));
    return { name, path, kind: 'unreadable' };
  }
  const linkTarget = resolve(dirname(path), linkText);
  const base = { name, path, linkText, linkTarget };
  let targetStat: Awaited<ReturnType<FileSystem['stat']>>;
  try {
    targetStat = await fs.stat(path);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') return { ...base, kind: 'dangling-symlink' };
    problems.push(problemOf(error, path, `following the ${name}/ link`));
    return { ...base, kind: 'unreadable' };
  }
  if (targetStat.type !== 'directory') return { ...base, kind: 'not-a-directory' };
  const [real, sharedReal] = await Promise.all([realpathOr(fs, path), realpathOr(fs, sharedDir)]);
  return { ...base, kind: real === sharedReal ? 'linked' : 'symlink-elsewhere' };
}

async function countSessions(
  fs: FileSystem,
  projectsDir: string,
  problems: AccountProblem[],
  concurrency: number,
  sizes: boolean,
): Promise<{ sessions: number; sessionBytes: number; projectCount: number }> {
  let entries: Awaited<ReturnType<FileSystem['readdir']>>;
  try {
    entries = await fs.readdir(projectsDir);
  } catch (error) {
    problems.push(problemOf(error, projectsDir, 'listing projects/'));
    return { sessions: 0, sessionBytes: 0, projectCount: 0 };
  }
  const projectDirs = entries.filter((e) => e.type === 'directory').map((e) => join(projectsDir, e.name));
  const perProject = await mapLimit(projectDirs, concurrency, async (dir) => {
    let files: Awaited<ReturnType<FileSystem['readdir']>>;
    try {
      files = await fs.readdir(dir);
    } catch (error) {
      problems.push(problemOf(error, dir, 'listing a project folder'));
      return { count: 0, bytes: 0 };
    }
    let count = 0;
    let bytes = 0;
    for (const f of files) {
      if (f.type !== 'file' || sessionIdOfFile(f.name) === undefined) continue;
      count++;
      if (!sizes) continue;
      try {
        bytes += (await fs.lstat(join(dir, f.name))).size;
      } catch {
        // Vanished between readdir and lstat (cleanup, a rename): counted, size unknown.
      }
    }
    return { count, bytes };
  });
  return {
    sessions: perProject.reduce((n, p) => n + p.count, 0),
    sessionBytes: perProject.reduce((n, p) => n + p.bytes, 0),
    projectCount: projectDirs.length,
  };
}

async function listBackups(fs: FileSystem, configDir: string, problems: AccountProblem[]): Promise<BackupInfo[]> {
  try {
    const entries = await fs.readdir(configDir);
    return entries
      .map((e) => ({ e, parsed: parseBackupName(e.name) }))
      .filter((x) => x.parsed !== undefined && (x.e.type === 'directory' || x.e.type === 'symlink'))
      .map(({ e, parsed }) => ({
        name: e.name,
        path: join(configDir, e.name),
        folder: parsed?.folder ?? '',
        stamp: parsed?.stamp ?? '',
      }))
      .sort((a, b) => compareBackupsNewestFirst(a.name, b.name));
  } catch (error) {
    problems.push(problemOf(error, configDir, 'listing the config dir'));
    return [];
  }
}

/**
 * The live Claude Code processes of an account, ascending: the pids among
 * `<configDir>/sessions/<pid>.json` that `isAlive` confirms. Reads only file names, never
 * their contents (the files belong to Claude Code). No `sessions/` folder means none;
 * any other error is thrown as it came, for the caller to report in its own terms.
 */
export async function runningClaudePids(
  fs: FileSystem,
  configDir: string,
  isAlive: (pid: number) => boolean,
): Promise<number[]> {
  let entries: Awaited<ReturnType<FileSystem['readdir']>>;
  try {
    entries = await fs.readdir(join(configDir, 'sessions'));
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
  const pids: number[] = [];
  for (const e of entries) {
    const m = /^(\d+)\.json$/.exec(e.name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (isAlive(pid)) pids.push(pid);
  }
  return pids.sort((a, b) => a - b);
}

async function livePids(
  fs: FileSystem,
  configDir: string,
  isAlive: (pid: number) => boolean,
  problems: AccountProblem[],
): Promise<number[]> {
  try {
    return await runningClaudePids(fs, configDir, isAlive);
  } catch (error) {
    const dir = join(configDir, 'sessions');
    problems.push(problemOf(error, dir, 'listing sessions/'));
    return [];
  }
}

/** `cleanupPeriodDays` of `<configDir>/settings.json`; what was read is left in `read`. */
async function readCleanupPeriod(
  fs: FileSystem,
  configDir: string,
  problems: AccountProblem[],
  read: SettingsRead,
): Promise<{ days: number; set: boolean }> {
  const path = join(configDir, 'settings.json');
  let text: string;
  try {
    // Links are followed (dotfile managers link it), but only a regular file of sane size
    // is read: a fifo would block forever, /dev/zero would never end.
    let st: FileStat;
    try {
      st = await fs.lstat(path);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') read.unreadable = true;
      throw error;
    }
    read.stat = st;
    if (st.type === 'symlink') st = await fs.stat(path);
    if (st.type === 'other' || (st.type === 'file' && st.size > SETTINGS_MAX_BYTES)) {
      problems.push({
        code: 'ESETTINGS_NOT_A_FILE',
        message: `${path} is ${st.type === 'file' ? `${st.size} bytes, too large for a settings file` : 'not a regular file (a fifo or a device)'}; it is not read, and cleanupPeriodDays is taken as ${DEFAULT_CLEANUP_PERIOD_DAYS} (what Claude Code falls back to). Replace it with a JSON file.`,
        path,
      });
      return { days: DEFAULT_CLEANUP_PERIOD_DAYS, set: false };
    }
    const bytes = await fs.readFile(path);
    if (read.stat.type === 'file') read.bytes = bytes;
    text = new TextDecoder().decode(bytes);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') problems.push(problemOf(error, path, 'reading settings.json'));
    return { days: DEFAULT_CLEANUP_PERIOD_DAYS, set: false };
  }
  let settings: unknown;
  try {
    settings = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    problems.push({
      code: 'ESETTINGS_MALFORMED',
      message: `${path} is not valid JSON (${(error as Error).message}); Claude Code will ignore it too. Fix or remove it.`,
      path,
    });
    return { days: DEFAULT_CLEANUP_PERIOD_DAYS, set: false };
  }
  const value =
    typeof settings === 'object' && settings !== null
      ? (settings as Record<string, unknown>).cleanupPeriodDays
      : undefined;
  if (value === undefined) return { days: DEFAULT_CLEANUP_PERIOD_DAYS, set: false };
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    problems.push({
      code: 'ESETTINGS_CLEANUP',
      message: `${path}: cleanupPeriodDays is ${JSON.stringify(value)}, which Claude Code rejects; it falls back to 30. Set a positive number of days.`,
      path,
    });
    return { days: DEFAULT_CLEANUP_PERIOD_DAYS, set: false };
  }
  return { days: value, set: true };
}

async function isDirectory(fs: FileSystem, path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).type === 'directory';
  } catch {
    return false;
  }
}

async function looksLikeConfigDir(fs: FileSystem, path: string): Promise<boolean> {
  try {
    const names = new Set((await fs.readdir(path)).map((e) => e.name));
    return CONFIG_MARKERS.some((m) => names.has(m));
  } catch {
    return false;
  }
}

/** realpath, or the resolved path itself when it cannot be resolved (missing, loop). */
export async function realpathOr(fs: FileSystem, path: string): Promise<string> {
  try {
    return await fs.realpath(path);
  } catch {
    return resolve(path);
  }
}

function problemOf(error: unknown, path: string, what: string): AccountProblem {
  const code = errnoCode(error);
  if (code === 'EACCES' || code === 'EPERM') {
    return {
      code: ErrorCodes.PERMISSION,
      message: `Permission denied ${what} at ${path}. Check its owner and mode (ls -ld ${path}).`,
      path,
    };
  }
  return {
    code: ErrorCodes.IO,
    message: `${code ?? 'Error'} ${what} at ${path}: ${(error as Error)?.message ?? error}`,
    path,
  };
}
