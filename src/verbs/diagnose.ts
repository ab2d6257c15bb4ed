/**
 * `diagnose()`: everything `status` and `doctor` learn from the disk, as plain data. The
 * command only formats what this returns; a script gets the same facts and findings.
 */
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { type DiscoverOptions, discoverAccounts, resolveCommonOptions } from '../accounts/discover.js';
import type { Account } from '../accounts/types.js';
import { type ApplyState, inspectApplyState } from '../apply/apply-state.js';
import type { LockOwner } from '../apply/lock.js';
import { cleanupSourceFindings } from '../doctor/cleanup-findings.js';
import { type CleanupReport, findCleanupSources } from '../doctor/cleanup-sources.js';
import { type CopiedLink, copiedLinkAdvice, copiedLinks } from '../doctor/copied-links.js';
import { type Finding, sortFindings } from '../doctor/finding.js';
import { linkFindings } from '../doctor/links.js';
import { orphanFindings } from '../doctor/orphans.js';
import type { RetainState } from '../doctor/retained.js';
import { ErrorCodes, errnoCode, SharedSessionsError } from '../errors.js';
import type { DirEntry, FileSystem } from '../fs/types.js';
import { defaultConflictsDir, RETAINED_DIR } from '../layout/config-dir.js';
import { resolveFolders } from '../layout/folders.js';
import { SESSIONS_INDEX, sessionIdOfFile } from '../layout/names.js';
import { summariseRetain } from '../plan/retain.js';
import { type SyncthingStatus, syncthingConfigCandidates, syncthingStatus } from '../sync/engine.js';
import { syncFindings } from '../sync/findings.js';
import { inspectSync, type MachineRecord, type SyncSnapshot } from '../sync/inspect.js';
import { machineName, type PathMap } from '../sync/layout.js';
import { plural, tildePath } from '../util/text.js';
import { readRetainStates } from './retain.js';

export interface DiagnoseOptions extends DiscoverOptions {
  /** The clock, for what cleanup would delete and the age of sync temp files. ms, a Date or ISO 8601. @default Date.now() */
  now?: number | Date | string;
  /** This machine's name in a synced root's registry. @default the host name */
  machine?: string;
  /** Other machines' path prefixes and this machine's (`--map-path`), besides the stored ones. */
  maps?: readonly PathMap[];
  /** Folders holding managed settings. @default {@link defaultManagedSettingsDirs}() */
  managedSettingsDirs?: readonly string[];
  /**
   * Also run the checks that walk the shared folder on their own: links inside it,
   * sessions only in it, stale `sessions-index.json` files, kept conflict copies and
   * sync-conflict copies (which may wait a few seconds for a sync engine's temp file).
   * `false` keeps what `status` shows; the findings of these checks are then absent.
   * @default true
   */
  deep?: boolean;
  /**
   * Ask a running Syncthing (its REST API, found through its `config.xml`) whether the
   * synced root is in sync: `sync.engineStatus`. Network; up to 3 s per request.
   * @default false
   */
  syncthing?: boolean | { fetch?: typeof fetch; timeoutMs?: number; configs?: readonly string[] };
}

/** Totals of one shared folder. */
export interface SharedFolderTotals {
  folder: string;
  path: string;
  exists: boolean;
  /** For `projects`: transcripts, their bytes and project folders. */
  sessions: number;
  bytes: number;
  projects: number;
  /** Config dirs whose folder is a link to this one. */
  linkedAccounts: string[];
}

/** What applies left beside the shared folder, and what to do about it. */
export interface ApplyStateReport extends ApplyState {
  /** What to do about it, in words; absent when there is nothing to report. */
  advice?: string;
}

/** The retained links of the shared folders, added up. */
export interface RetainedTotals {
  /** `<shared parent>/.retained`. */
  path: string;
  exists: boolean;
  /** Files under the retained folder. */
  files: number;
  /** Shared files with no retained link yet. */
  unretained: number;
  /** Retained files whose shared name is gone. */
  deleted: number;
  /** Retained files that nothing else names (link count 1), and their bytes: the space only the retained folder holds. */
  heldOnly: { files: number; bytes: number };
}

/** A synced root (docs/machines.md): its engine and the machines registry. */
export interface SyncReport {
  /** With `syncthing: true`: whether Syncthing reports the root in sync. */
  engineStatus?: SyncthingStatus;
  engine: SyncSnapshot['engine'];
  root: string;
  projectsIsRoot: boolean;
  machine: string;
  pathMaps: PathMap[];
  /** Each machine's record (`file`: where it was read), or why it could not be read. */
  machines: ({ file: string } & (MachineRecord | { error?: string | undefined }))[];
}

/** What {@link diagnose} found. Plain data: `JSON.stringify` keeps all of it. */
export interface Diagnosis {
  home: string;
  /** The shared `projects` folder. */
  sharedDir: string;
  /** The shared folder of each folder looked at. */
  sharedDirs: Record<string, string>;
  folders: string[];
  accounts: Account[];
  shared: SharedFolderTotals[];
  /** Every settings source of the shared folder's cleanup period, and what it would delete. */
  cleanup: CleanupReport;
  /** A journal or lock an apply left beside the shared folder, and what to do about it. */
  applyState: ApplyStateReport;
  /** Account links into another copy of the shared folder (a home copied with `cp -a`), each with advice. */
  copiedLinks: CopiedLink[];
  /** The retained links of the shared folders, added up. */
  retained: RetainedTotals;
  /** The retained state of each shared folder that is retained, as `planRetain` takes it. */
  retainStates: RetainState[];
  /** Present when the shared folder's root is synced (an engine marker, maps or a machines registry). */
  sync?: SyncReport;
  /** Errors first, then warnings, then notes. */
  findings: Finding[];
}

/**
 * Reads, and changes nothing: the accounts and their links, the shared folders' totals,
 * the cleanup period's sources, what an apply left (journal, lock), the retained links,
 * a synced root and its machines, and every finding `doctor` reports, each with a code
 * from `FINDING_CODES`, a severity and what to do. Each tree is walked once.
 *
 * @example
 * ```ts
 * const { findings } = await diagnose({ home: '/home/me' });
 * for (const f of findings) console.log(f.severity, f.code, f.message);
 * ```
 */
export async function diagnose(options: DiagnoseOptions = {}): Promise<Diagnosis> {
  const folders = resolveFolders(options.folders);
  const { fs, home, sharedDir, sharedDirs } = resolveCommonOptions({ ...options, folders });
  const nowMs = nowOf(options.now);
  const deep = options.deep !== false;
  const tilde = (path: string) => tildePath(home, path);

  const accounts = await discoverAccounts({ ...options, fs, folders, sharedDirs });
  const shared = await Promise.all(folders.map((f) => sharedTotals(fs, f, sharedDirs[f] ?? '', accounts)));
  const cleanup = await findCleanupSources({
    fs,
    sharedDir,
    accounts,
    now: nowMs,
    ...(options.managedSettingsDirs === undefined ? {} : { managedSettingsDirs: options.managedSettingsDirs }),
  });
  const applyState = withAdvice(await inspectApplyState({ fs, sharedDir }), tilde);
  const retainStates = await readRetainStates(fs, folders, sharedDirs);
  const where = { home, folders, sharedDirs };
  const linkedCount = accounts.filter((a) => a.projects.kind === 'linked').length;

  const findings: Finding[] = [...accountFindings(accounts, where)];
  findings.push(...cleanupSourceFindings(home, cleanup));
  if (deep) findings.push(...(await orphanFindings(fs, sharedDir, home, accounts)));
  if (linkedCount > 0) findings.push(...retainFindings(retainStates, tilde));
  const projectsShared = shared.find((s) => s.folder === 'projects');
  if (deep) {
    if (projectsShared?.exists) findings.push(...(await linkFindings(fs, sharedDir, home)));
    findings.push(...(await leftoverFindings(fs, sharedDir, projectsShared?.exists === true, accounts, tilde)));
  }

  // Several machines through a sync engine (docs/machines.md).
  const sharedReal = await fs.realpath(sharedDir).catch(() => sharedDir);
  const snap = await inspectSync({
    folds: deep,
    fs,
    sharedDir: sharedReal,
    conflictsDir: defaultConflictsDir(sharedReal),
    machine: options.machine ?? machineName(hostname()),
    maps: options.maps ?? [],
    nowMs,
  });
  if (deep) findings.push(...syncFindings(home, snap, accounts));
  const sync = await syncReport(fs, snap, home, options);

  findings.push(...applyStateFindings(applyState, tilde));
  return {
    home,
    sharedDir,
    sharedDirs,
    folders,
    accounts,
    shared,
    cleanup,
    applyState,
    copiedLinks: copiedLinks(where, accounts),
    retained: retainedTotals(sharedDir, retainStates),
    retainStates,
    ...(sync === undefined ? {} : { sync }),
    findings: sortFindings(findings),
  };
}

function nowOf(now: DiagnoseOptions['now']): number {
  const ms = now === undefined ? Date.now() : typeof now === 'number' ? now : new Date(now).getTime();
  if (!Number.isFinite(ms)) {
    throw new SharedSessionsError(ErrorCodes.INVALID_OPTION, `now must be a date, not ${JSON.stringify(now)}.`);
  }
  return ms;
}

async function sharedTotals(
  fs: FileSystem,
  folder: string,
  path: string,
  accounts: readonly Account[],
): Promise<SharedFolderTotals> {
  const linkedAccounts = accounts.filter((a) => a.folders[folder]?.kind === 'linked').map((a) => a.path);
  const totals = { folder, path, exists: false, sessions: 0, bytes: 0, projects: 0, linkedAccounts };
  let entries: DirEntry[];
  try {
    entries = await fs.readdir(path);
    totals.exists = true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return totals;
    throw error;
  }
  if (folder !== 'projects') return totals;
  for (const project of entries.filter((e) => e.type === 'directory')) {
    totals.projects++;
    for (const file of await fs.readdir(join(path, project.name))) {
      if (file.type !== 'file' || sessionIdOfFile(file.name) === undefined) continue;
      totals.sessions++;
      try {
        totals.bytes += (await fs.lstat(join(path, project.name, file.name))).size;
      } catch {
        // Removed while counting (Claude Code's cleanup): counted, size unknown.
      }
    }
  }
  return totals;
}

type Where = { home: string; folders: readonly string[]; sharedDirs: Readonly<Record<string, string>> };

/** Per account: problems, links that lead elsewhere or nowhere, not sharing, Claude Code running, backups. */
function accountFindings(accounts: readonly Account[], where: Where): Finding[] {
  const tilde = (path: string) => tildePath(where.home, path);
  const out: Finding[] = [];
  for (const a of accounts) {
    for (const p of a.problems)
      out.push({ code: p.code, severity: 'error', message: p.message, account: a.path, path: p.path, fixable: false });
    for (const folder of where.folders) {
      const state = a.folders[folder];
      if (!state) continue;
      const at = tilde(state.path);
      const shared = where.sharedDirs[folder] ?? '';
      const base = { account: a.path, path: state.path, fixable: false };
      if (state.kind === 'dangling-symlink') {
        out.push({
          code: 'LINK_DANGLING',
          severity: 'error',
          message:
            copiedLinkAdvice(where.home, state, shared) ??
            `${at} is a link to ${state.linkTarget}, which does not exist: Claude Code sees no sessions there. Restore that folder, or remove the link and run \`rollback\` or \`apply\`.`,
          ...base,
        });
      } else if (state.kind === 'symlink-elsewhere') {
        out.push({
          code: 'LINK_ELSEWHERE',
          severity: 'warning',
          message:
            copiedLinkAdvice(where.home, state, shared) ??
            `${at} is a link to ${state.linkTarget}, not to the shared folder ${tilde(shared)}. Leave it if you made it on purpose; otherwise point --shared there or replace the link by hand.`,
          ...base,
        });
      } else if (state.kind === 'not-a-directory' || state.kind === 'unreadable') {
        out.push({
          code: state.kind === 'unreadable' ? 'FOLDER_UNREADABLE' : 'FOLDER_NOT_A_DIRECTORY',
          severity: 'error',
          message: `${at} is ${state.kind === 'unreadable' ? 'unreadable' : 'not a folder'}; Claude Code cannot keep sessions there. Move it aside and start Claude Code once with this account.`,
          ...base,
        });
      } else if ((state.kind === 'directory' || state.kind === 'missing') && a.exists) {
        out.push({
          code: 'NOT_SHARING',
          severity: 'info',
          message: `${tilde(a.path)} does not share ${folder}/ yet. Sharing is opt-in: run \`plan\` then \`apply\` to share it, or leave it out.`,
          ...base,
        });
      }
    }
    if (a.runningPids.length > 0) {
      out.push({
        code: 'CLAUDE_RUNNING',
        severity: 'warning',
        message: `Claude Code is running with ${tilde(a.path)} (pid ${a.runningPids.join(', ')}). Quit it before apply, rollback or recover.`,
        account: a.path,
        fixable: false,
      });
    }
    if (a.backups.length > 0) {
      out.push({
        code: 'BACKUPS_LEFT',
        severity: 'info',
        message: `${tilde(a.path)} keeps ${plural(a.backups.length, 'backup')} (${a.backups.map((b) => b.name).join(', ')}). Rollback needs them; remove them by hand once you no longer want to roll back.`,
        account: a.path,
        path: a.backups[0]?.path ?? a.path,
        fixable: false,
      });
    }
  }
  return out;
}

/** Shared files deleted since they were retained, and shared files not retained yet. */
function retainFindings(states: readonly RetainState[], tilde: (path: string) => string): Finding[] {
  const out: Finding[] = [];
  for (const state of states) {
    if (state.sharedDirs.length === 0) continue;
    const s = summariseRetain(state);
    if (s.deleted.length > 0) {
      out.push({
        code: 'SESSIONS_DELETED',
        severity: 'error',
        message: `${plural(s.deleted.length, 'shared file')} (e.g. ${s.deleted[0]}) were deleted from ${tilde(state.sharedDir)} since they were retained: Claude Code's cleanup under a low cleanupPeriodDays, or by hand. They are recoverable: \`doctor --fix\` brings them back from ${tilde(state.retainedDir)}, with their bytes and mtime. If you deleted them on purpose, \`retain --prune\` lets their retained links go and releases their space.`,
        path: state.retainedDir,
        fixable: true,
      });
    }
    if (s.unretained.length > 0) {
      out.push({
        code: 'NOT_RETAINED',
        // Every session made since the last refresh is in this state: a note, not a reason
        // for doctor to exit 2 in normal use.
        severity: 'info',
        message: `${plural(s.unretained.length, 'shared file')} (e.g. ${s.unretained[0]}) have no retained link in ${tilde(state.retainedDir)}: if Claude Code's cleanup deletes them, nothing can bring them back. \`doctor --fix\` makes the links (no bytes copied).`,
        path: state.retainedDir,
        fixable: true,
      });
    }
  }
  return out;
}

function retainedTotals(sharedDir: string, states: readonly RetainState[]): RetainedTotals {
  const totals: RetainedTotals = {
    path: join(dirname(sharedDir), RETAINED_DIR),
    exists: false,
    files: 0,
    unretained: 0,
    deleted: 0,
    heldOnly: { files: 0, bytes: 0 },
  };
  for (const state of states) {
    totals.exists ||= state.retainedDirs.length > 0;
    totals.files += state.retainedFiles;
    totals.unretained += Object.keys(state.unretained).length;
    totals.deleted += Object.keys(state.deleted).length;
    totals.heldOnly.files += state.heldOnly.files;
    totals.heldOnly.bytes += state.heldOnly.bytes;
  }
  return totals;
}

/** Frozen `sessions-index.json` files, and conflict copies kept beside the shared folder. */
async function leftoverFindings(
  fs: FileSystem,
  sharedDir: string,
  sharedExists: boolean,
  accounts: readonly Account[],
  tilde: (path: string) => string,
): Promise<Finding[]> {
  const out: Finding[] = [];
  const indexRoots = [
    ...(sharedExists ? [sharedDir] : []),
    ...accounts.filter((a) => a.projects.kind === 'directory').map((a) => a.projects.path),
  ];
  const indexes = (await Promise.all(indexRoots.map((r) => findSessionIndexes(fs, r)))).flat();
  if (indexes.length > 0) {
    out.push({
      code: 'STALE_SESSIONS_INDEX',
      severity: 'info',
      message: `${plural(indexes.length, 'sessions-index.json file')} found (e.g. ${tilde(indexes[0] ?? '')}). Claude Code stopped reading them in 2.1.30 and they are frozen; tools that still trust them miss sessions. Safe to delete by hand.`,
      path: indexes[0] ?? '',
      fixable: false,
    });
  }
  const conflictsDir = defaultConflictsDir(sharedDir);
  const kept = await countFiles(fs, conflictsDir);
  if (kept > 0) {
    out.push({
      code: 'CONFLICT_COPIES',
      severity: 'info',
      message: `${plural(kept, 'conflicting copy', 'conflicting copies')} of sessions kept in ${tilde(conflictsDir)}. Look through them, keep what you need, then remove the folder by hand.`,
      path: conflictsDir,
      fixable: false,
    });
  }
  return out;
}

async function findSessionIndexes(fs: FileSystem, projectsDir: string): Promise<string[]> {
  const found: string[] = [];
  let entries: DirEntry[];
  try {
    entries = await fs.readdir(projectsDir);
  } catch {
    return found;
  }
  for (const e of entries) {
    if (e.type !== 'directory') continue;
    const candidate = join(projectsDir, e.name, SESSIONS_INDEX);
    try {
      if ((await fs.lstat(candidate)).type === 'file') found.push(candidate);
    } catch {
      // absent: the usual case
    }
  }
  return found;
}

/** Files under `dir`, at any depth; 0 when it cannot be read. */
async function countFiles(fs: FileSystem, dir: string): Promise<number> {
  let entries: DirEntry[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let n = 0;
  for (const e of entries) {
    if (e.type === 'directory') n += await countFiles(fs, join(dir, e.name));
    else n++;
  }
  return n;
}

function withAdvice(state: ApplyState, tilde: (path: string) => string): ApplyStateReport {
  const report: ApplyStateReport = state;
  const by = (o: LockOwner | undefined) =>
    o ? ` (${o.purpose}, pid ${o.pid} on ${o.host}, since ${o.acquiredAt})` : '';
  if (report.journal !== undefined) {
    report.advice = `An apply was interrupted and left its journal at ${tilde(report.journal)}; every apply refuses until it is dealt with. Run \`claude-shared-sessions recover\`.`;
    if (report.lock?.state === 'held') {
      report.advice += ` An apply or recover holds the lock${by(report.lock.owner)}: let it finish first.`;
    }
  } else if (report.lock?.state === 'held') {
    report.advice = `An apply or recover is running${by(report.lock.owner)}: the shared folder is changing; wait for it to finish.`;
  } else if (report.lock?.state === 'stale') {
    report.advice = `A stale lock${by(report.lock.owner)} was left at ${tilde(report.lock.path)} by an apply that is gone. Run \`claude-shared-sessions recover\` to clear it (the next apply also takes it over).`;
  }
  return report;
}

/** An interrupted apply's journal (applies refuse until recover), else a lock left or held. */
function applyStateFindings(state: ApplyStateReport, tilde: (path: string) => string): Finding[] {
  const out: Finding[] = [];
  if (state.journal !== undefined) {
    out.push({
      code: 'DIRTY_JOURNAL',
      severity: 'error',
      message: `An apply was interrupted and left its journal at ${tilde(state.journal)}; every apply refuses until it is dealt with. Run \`claude-shared-sessions recover\`.`,
      path: state.journal,
      fixable: false,
    });
  } else if (state.lock !== undefined && state.advice !== undefined) {
    out.push({
      code: state.lock.state === 'stale' ? 'STALE_LOCK' : 'LOCK_HELD',
      severity: state.lock.state === 'stale' ? 'warning' : 'info',
      message: state.advice,
      path: state.lock.path,
      fixable: false,
    });
  }
  return out;
}

/** The synced root's engine and machines, when the root is synced; else undefined. */
async function syncReport(
  fs: FileSystem,
  snap: SyncSnapshot,
  home: string,
  options: DiagnoseOptions,
): Promise<SyncReport | undefined> {
  const inUse = snap.engine !== 'none' || snap.maps.length > 0 || snap.machinesDir.type === 'directory';
  if (!inUse && !snap.projectsIsRoot) return undefined;
  const asked = options.syncthing;
  const engineStatus =
    asked && snap.engine === 'syncthing'
      ? await syncthingStatus({
          fs,
          root: snap.root,
          configs:
            (typeof asked === 'object' ? asked.configs : undefined) ??
            syncthingConfigCandidates(home, options.env ?? process.env, {
              homeOnly: !(options.includeEnv ?? (options.home === undefined || options.env !== undefined)),
            }),
          ...(typeof asked === 'object' && asked.fetch ? { fetch: asked.fetch } : {}),
          ...(typeof asked === 'object' && asked.timeoutMs !== undefined ? { timeoutMs: asked.timeoutMs } : {}),
        })
      : undefined;
  return {
    ...(engineStatus === undefined ? {} : { engineStatus }),
    engine: snap.engine,
    root: snap.root,
    projectsIsRoot: snap.projectsIsRoot,
    machine: snap.machine,
    pathMaps: snap.maps,
    machines: snap.machines.map((m) => (m.record ? { file: m.path, ...m.record } : { file: m.path, error: m.error })),
  };
}
