import { join, win32 } from 'node:path';
import type { Account } from '../accounts/types.js';
import { errnoCode } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import { DEFAULT_CLEANUP_PERIOD_DAYS, SETTINGS_MAX_BYTES, sessionIdOfFile } from '../layout/names.js';

const DAY_MS = 86_400_000;
/** How much of a transcript's head is read to find its recorded `cwd`. */
const HEAD_BYTES = 64 * 1024;
/** Transcripts tried per project folder (newest first) before giving up on its `cwd`. */
const CWD_TRIES = 3;

/**
 * Where a `cleanupPeriodDays` that applies to a shared folder comes from.
 * - `account`: an account's own `settings.json` (or the default 30 days when it sets none);
 * - `managed`: the machine's managed settings (`managed-settings.json` or a file of
 *   `managed-settings.d/`), which override every other source;
 * - `project`, `project-local`: `.claude/settings.json` and `.claude/settings.local.json`
 *   of a project the shared sessions were recorded in; they override the account's value
 *   for every Claude Code run started in that project, and that run cleans the whole
 *   shared folder, every project of every account.
 */
export type CleanupSourceKind = 'account' | 'managed' | 'project' | 'project-local';

export interface CleanupSource {
  kind: CleanupSourceKind;
  /** The settings file. For an account that sets nothing, its `settings.json` path. */
  path: string;
  /** The period this source gives a Claude Code run. */
  days: number;
  /** False only for an account that does not set it (the default applies). */
  set: boolean;
  /** For `account`: the account's config dir. */
  account?: string;
  /** For `project` and `project-local`: the project folder (a recorded `cwd`). */
  project?: string;
  /** Shared transcripts older than `days` now: what the next cleanup under it deletes. */
  wouldDelete: number;
  /** True when `days` is below the period the shared folder is meant to keep (`keepDays`). */
  low: boolean;
}

export interface CleanupReport {
  /** The shared `projects` folder looked at. */
  sharedDir: string;
  /** Transcripts in it. */
  sessions: number;
  /**
   * The period the shared folder is meant to keep: the largest value among the linked
   * accounts (what `share` wrote). Any source below it lowers it.
   */
  keepDays: number;
  /** Project folders whose recorded `cwd` was found, and checked for project settings. */
  projectsChecked: number;
  /** Project folders of the shared folder with no recorded `cwd` (their settings unknown). */
  projectsWithoutCwd: number;
  /** Every source that applies, low or not; low ones first, then by path. */
  sources: CleanupSource[];
}

export interface FindCleanupSourcesOptions {
  fs: FileSystem;
  /** The shared `projects` folder. */
  sharedDir: string;
  /** Accounts as discovered; only those whose `projects/` is linked to `sharedDir` count. */
  accounts: readonly Account[];
  /** The clock, in ms since the epoch. */
  now: number;
  /**
   * Folders holding `managed-settings.json` and `managed-settings.d/`.
   * @default {@link defaultManagedSettingsDirs}() for this platform
   */
  managedSettingsDirs?: readonly string[];
}

/**
 * Folders where Claude Code 2.1.332 reads managed settings (`managed-settings.json` and the
 * drop-in folder `managed-settings.d/`), per platform. On Windows, the older
 * `C:\ProgramData\ClaudeCode` is listed too.
 *
 * @example
 * defaultManagedSettingsDirs('linux') // ['/etc/claude-code']
 */
export function defaultManagedSettingsDirs(platform: NodeJS.Platform = process.platform): string[] {
  switch (platform) {
    case 'darwin':
      return ['/Library/Application Support/ClaudeCode'];
    case 'win32':
      return [win32.join('C:\\Program Files', 'ClaudeCode'), win32.join('C:\\ProgramData', 'ClaudeCode')];
    default:
      return ['/etc/claude-code'];
  }
}

/**
 * Finds every settings source that sets the cleanup period for a shared folder: the
 * linked accounts' `settings.json`, the managed settings, and the `.claude/settings.json`
 * and `.claude/settings.local.json` of every project the shared sessions were recorded in
 * (the `cwd` in their transcripts). For each, how many shared transcripts a Claude Code
 * run under it would delete now. Reads only; never writes.
 *
 * Returns no sources when no account links to the shared folder.
 *
 * @example
 * const report = await findCleanupSources({ fs, sharedDir, accounts, now: Date.now() });
 * report.sources.filter((s) => s.low) // what lowers the period, with its file
 */
export async function findCleanupSources(options: FindCleanupSourcesOptions): Promise<CleanupReport> {
  const { fs, sharedDir, now } = options;
  const linked = options.accounts.filter((a) => a.projects.kind === 'linked');
  const report: CleanupReport = {
    sharedDir,
    sessions: 0,
    keepDays: DEFAULT_CLEANUP_PERIOD_DAYS,
    projectsChecked: 0,
    projectsWithoutCwd: 0,
    sources: [],
  };
  if (linked.length === 0) return report;
  report.keepDays = Math.max(...linked.map((a) => a.cleanupPeriodDays));

  const { mtimes, cwds, withoutCwd } = await readSharedFolder(fs, sharedDir);
  report.sessions = mtimes.length;
  report.projectsChecked = cwds.length;
  report.projectsWithoutCwd = withoutCwd;
  const wouldDelete = (days: number) => mtimes.filter((m) => m < now - days * DAY_MS).length;
  const source = (s: Omit<CleanupSource, 'wouldDelete' | 'low'>): CleanupSource => ({
    ...s,
    wouldDelete: wouldDelete(s.days),
    low: s.days < report.keepDays,
  });

  for (const a of linked) {
    report.sources.push(
      source({
        kind: 'account',
        path: join(a.path, 'settings.json'),
        days: a.cleanupPeriodDays,
        set: a.cleanupPeriodDaysSet,
        account: a.path,
      }),
    );
  }
  for (const dir of options.managedSettingsDirs ?? defaultManagedSettingsDirs()) {
    for (const path of await managedFiles(fs, dir)) {
      const days = await readCleanupDays(fs, path);
      if (days !== undefined) report.sources.push(source({ kind: 'managed', path, days, set: true }));
    }
  }
  for (const cwd of [...new Set(cwds)].sort()) {
    for (const [kind, name] of [
      ['project', 'settings.json'],
      ['project-local', 'settings.local.json'],
    ] as const) {
      const path = join(cwd, '.claude', name);
      const days = await readCleanupDays(fs, path);
      if (days !== undefined) report.sources.push(source({ kind, path, days, set: true, project: cwd }));
    }
  }
  report.sources.sort((x, y) => Number(y.low) - Number(x.low) || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return report;
}

/** The lowest period any Claude Code run of one account cleans the shared folder with, and where it comes from. */
export interface LowestCleanupPeriod {
  days: number;
  kind: CleanupSourceKind;
  /** The settings file (for an account that sets nothing, its `settings.json` path). */
  path: string;
  /** For `project` and `project-local`: the project folder. */
  project?: string;
}

/**
 * The smallest `cleanupPeriodDays` a Claude Code run of `account` can clean the shared
 * folder with, by Claude Code's precedence: managed settings override everything (the
 * smallest managed value); otherwise a run in a project takes the project's
 * `settings.local.json`, else its `settings.json`, else the account's value, so the
 * lowest is the smallest of the account's and every project's. Undefined when the
 * account is not among the report's linked accounts.
 *
 * @example
 * const report = await findCleanupSources({ fs, sharedDir, accounts, now: Date.now() });
 * lowestCleanupPeriod(report, '/home/me/.claude') // { days: 2, kind: 'project', path: '/home/me/app/.claude/settings.json', project: '/home/me/app' }
 */
export function lowestCleanupPeriod(report: CleanupReport, account: string): LowestCleanupPeriod | undefined {
  const own = report.sources.find((s) => s.kind === 'account' && s.account === account);
  if (own === undefined) return undefined;
  const smallest = (list: readonly CleanupSource[]) =>
    list.reduce((a, b) => (b.days < a.days ? b : a), list[0] as CleanupSource);
  const managed = report.sources.filter((s) => s.kind === 'managed');
  const byProject = new Map<string, CleanupSource>();
  for (const s of report.sources) if (s.kind === 'project-local' && s.project) byProject.set(s.project, s);
  for (const s of report.sources) {
    if (s.kind === 'project' && s.project && !byProject.has(s.project)) byProject.set(s.project, s);
  }
  const pick = managed.length > 0 ? smallest(managed) : smallest([own, ...byProject.values()]);
  return {
    days: pick.days,
    kind: pick.kind,
    path: pick.path,
    ...(pick.project === undefined ? {} : { project: pick.project }),
  };
}

/** `managed-settings.json`, then the `.json` files of `managed-settings.d/` in name order. */
async function managedFiles(fs: FileSystem, dir: string): Promise<string[]> {
  const files = [join(dir, 'managed-settings.json')];
  try {
    const entries = await fs.readdir(join(dir, 'managed-settings.d'));
    for (const e of entries.map((x) => x.name).sort()) {
      if (e.endsWith('.json') && !e.startsWith('.')) files.push(join(dir, 'managed-settings.d', e));
    }
  } catch {
    // No drop-in folder: the usual case.
  }
  return files;
}

/**
 * The `cleanupPeriodDays` a settings file sets, or undefined when it is absent, not a
 * regular file (a fifo would block), too large, not JSON, or not a whole number ≥ 1
 * (Claude Code rejects such a value).
 */
export async function readCleanupDays(fs: FileSystem, path: string): Promise<number | undefined> {
  try {
    const st = await fs.stat(path);
    if (st.type !== 'file' || st.size > SETTINGS_MAX_BYTES) return undefined;
    const text = new TextDecoder().decode(await fs.readFile(path)).replace(/^\uFEFF/, '');
    const value = (JSON.parse(text) as { cleanupPeriodDays?: unknown } | null)?.cleanupPeriodDays;
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? value : undefined;
  } catch {
    return undefined;
  }
}

interface SharedFacts {
  /** mtime of every transcript. */
  mtimes: number[];
  /** One recorded `cwd` per project folder that has one. */
  cwds: string[];
  withoutCwd: number;
}

async function readSharedFolder(fs: FileSystem, sharedDir: string): Promise<SharedFacts> {
  const facts: SharedFacts = { mtimes: [], cwds: [], withoutCwd: 0 };
  let projects: Awaited<ReturnType<FileSystem['readdir']>>;
  try {
    projects = await fs.readdir(sharedDir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return facts;
    throw error;
  }
  for (const project of projects) {
    if (project.type !== 'directory') continue;
    const dir = join(sharedDir, project.name);
    let entries: Awaited<ReturnType<FileSystem['readdir']>>;
    try {
      entries = await fs.readdir(dir);
    } catch {
      continue;
    }
    const transcripts: { path: string; mtimeMs: number }[] = [];
    for (const e of entries) {
      if (e.type !== 'file' || sessionIdOfFile(e.name) === undefined) continue;
      const path = join(dir, e.name);
      try {
        transcripts.push({ path, mtimeMs: (await fs.lstat(path)).mtimeMs });
      } catch {
        // Removed meanwhile (a cleanup running now): nothing left to delete.
      }
    }
    if (transcripts.length === 0) continue;
    for (const t of transcripts) facts.mtimes.push(t.mtimeMs);
    transcripts.sort((x, y) => y.mtimeMs - x.mtimeMs);
    let cwd: string | undefined;
    for (const t of transcripts.slice(0, CWD_TRIES)) {
      cwd = await recordedCwd(fs, t.path);
      if (cwd !== undefined) break;
    }
    if (cwd === undefined) facts.withoutCwd++;
    else facts.cwds.push(cwd);
  }
  return facts;
}

/** The first `cwd` recorded in a transcript's head (Claude Code writes it on every message). */
async function recordedCwd(fs: FileSystem, path: string): Promise<string | undefined> {
  let text: string;
  try {
    const handle = await fs.open(path, 'r');
    try {
      const buffer = new Uint8Array(HEAD_BYTES);
      const n = await handle.read(buffer, 0, HEAD_BYTES, 0);
      text = new TextDecoder().decode(buffer.subarray(0, n));
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"cwd"')) continue;
    try {
      const cwd = (JSON.parse(line) as { cwd?: unknown }).cwd;
      if (typeof cwd === 'string' && cwd.length > 0) return cwd;
    } catch {
      // A line cut at the end of the window, or not JSON: try the next.
    }
  }
  return undefined;
}
