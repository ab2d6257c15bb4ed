import { join } from 'node:path';
import { discoverAccounts } from '../../accounts/discover.js';
import type { Account } from '../../accounts/types.js';
import type { CleanupReport } from '../../doctor/cleanup-sources.js';
import { errnoCode } from '../../errors.js';
import type { FileSystem } from '../../fs/types.js';
import { sessionIdOfFile } from '../../layout/names.js';
import { syncthingConfigCandidates, syncthingStatus } from '../../sync/engine.js';
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { formatBytes, plural, table } from '../format.js';
import { type CopiedLink, copiedLinks } from '../links.js';
import { inspectSyncFor, sourceText, syncInUse } from '../sync.js';
import { type ApplyStateReport, readApplyState } from './apply-state.js';
import { cleanupReport, printCleanup } from './cleanup.js';
import { type RetainedTotals, retainedLine, retainedTotals } from './retain.js';

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

export interface StatusReport {
  home: string;
  sharedDirs: Record<string, string>;
  accounts: Account[];
  shared: SharedFolderTotals[];
  /** Every settings source of the shared folder's cleanup period, and what it would delete. */
  cleanup: CleanupReport;
  /** A journal or lock an apply left beside the shared folder, and what to do about it. */
  applyState: ApplyStateReport;
  /**
   * Account links into another copy of the shared folder (a home copied with `cp -a` or
   * restored from a backup, with absolute links into the old home), each with advice.
   */
  copiedLinks: CopiedLink[];
  /** The retained links of the shared `projects` folder, and the space only they hold. */
  retained: RetainedTotals;
}

export async function collectStatus(ctx: Context): Promise<StatusReport> {
  const accounts = await discoverAccounts(ctx.discoverOptions());
  const shared = await Promise.all(
    ctx.folders.map((folder) => sharedTotals(ctx.fs, folder, ctx.sharedDirs[folder] ?? '', accounts)),
  );
  const cleanup = await cleanupReport(ctx, accounts);
  const applyState = await readApplyState(ctx);
  const retained = await retainedTotals(ctx);
  return {
    home: ctx.home,
    sharedDirs: ctx.sharedDirs,
    accounts,
    shared,
    cleanup,
    applyState,
    copiedLinks: copiedLinks(ctx, accounts),
    retained,
  };
}

async function sharedTotals(
  fs: FileSystem,
  folder: string,
  path: string,
  accounts: Account[],
): Promise<SharedFolderTotals> {
  const linkedAccounts = accounts.filter((a) => a.folders[folder]?.kind === 'linked').map((a) => a.path);
  const totals = { folder, path, exists: false, sessions: 0, bytes: 0, projects: 0, linkedAccounts };
  let entries: Awaited<ReturnType<FileSystem['readdir']>>;
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

const KIND_COLOR: Record<string, 'green' | 'yellow' | 'red' | 'dim'> = {
  linked: 'green',
  directory: 'yellow',
  missing: 'dim',
  'symlink-elsewhere': 'red',
  'dangling-symlink': 'red',
  'not-a-directory': 'red',
  unreadable: 'red',
};

export async function runStatus(ctx: Context): Promise<ExitCodeValue> {
  const report = await collectStatus(ctx);
  // Several machines (docs/machines.md): the synced root's engine and the machines registry.
  const machines = await readMachines(ctx);
  if (ctx.json) {
    ctx.emit(machines === undefined ? report : { ...report, sync: machines });
    return ExitCode.OK;
  }
  printStatus(ctx, report);
  if (machines !== undefined) printMachines(ctx, machines, report);
  return ExitCode.OK;
}

async function readMachines(ctx: Context) {
  const sharedDir = await ctx.fs.realpath(ctx.sharedDir).catch(() => ctx.sharedDir);
  const snap = await inspectSyncFor(ctx, [], sharedDir, undefined, false);
  if (!syncInUse(snap) && !snap.projectsIsRoot) return undefined;
  const engineStatus =
    snap.engine === 'syncthing'
      ? await syncthingStatus({
          fs: ctx.fs,
          root: snap.root,
          configs: syncthingConfigCandidates(ctx.home, ctx.io.env),
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

function printMachines(
  ctx: Context,
  sync: NonNullable<Awaited<ReturnType<typeof readMachines>>>,
  report: StatusReport,
): void {
  const { c } = ctx;
  ctx.say();
  ctx.say(c.bold(`Synced root (${sync.engine === 'syncthing' ? 'Syncthing' : 'no engine marker'})`));
  ctx.say(`  ${ctx.tilde(sync.root)}; this machine: ${sync.machine}`);
  if (sync.projectsIsRoot) {
    ctx.say(`  ${c.red('!')} Syncthing's root is projects/ itself: see \`doctor\` (SYNC_ROOT_IS_PROJECTS).`);
  }
  const e = sync.engineStatus;
  if (e?.error !== undefined)
    ctx.say(`  ${c.yellow('!')} Syncthing status unknown: ${ctx.tilde(e.config)}: ${e.error}`);
  else if (e?.inSync === true) ctx.say(`  Syncthing: ${c.green('in sync')} (folder ${e.folderId}, ${e.state})`);
  else if (e !== undefined) {
    const away = (e.devices ?? []).filter((d) => !d.connected || d.paused);
    ctx.say(
      `  Syncthing: ${c.yellow('not in sync')} (folder ${e.folderId}, ${e.state}): ${plural(e.needItems ?? 0, 'item')} to receive (${formatBytes(e.needBytes ?? 0)}), ${plural(e.remoteNeedItems ?? 0, 'item')} other devices still need (${formatBytes(e.remoteNeedBytes ?? 0)})${
        away.length === 0
          ? ''
          : `; ${away.map((d) => `${d.id.slice(0, 7)} ${d.paused ? 'paused' : 'not connected'}`).join(', ')}`
      }. Hand a session over once it is in sync.`,
    );
  }
  for (const m of sync.pathMaps) ctx.say(`  path map: ${m.from} = ${m.to}`);
  const ownMin = Math.min(
    Number.POSITIVE_INFINITY,
    ...report.accounts.filter((a) => a.projects.kind === 'linked').map((a) => a.cleanupPeriodDays),
  );
  for (const m of sync.machines) {
    if ('error' in m && m.error !== undefined) {
      ctx.say(`  ${c.yellow('!')} ${ctx.tilde(m.file)}: unreadable (${m.error})`);
      continue;
    }
    const r = m as {
      name: string;
      lastSeen: string;
      accounts?: { cleanupPeriodDays: number; source?: { kind?: unknown; path?: unknown } }[];
    };
    const accounts = r.accounts ?? [];
    const smallest = accounts.reduce<(typeof accounts)[number] | undefined>(
      (a, b) => (a === undefined || b.cleanupPeriodDays < a.cleanupPeriodDays ? b : a),
      undefined,
    );
    const min = smallest?.cleanupPeriodDays;
    const low = min !== undefined && min < ownMin && r.name !== sync.machine;
    ctx.say(
      `  ${r.name}${r.name === sync.machine ? c.dim(' (this one)') : ''}: last seen ${r.lastSeen}, ${plural(accounts.length, 'account')}${
        min === undefined
          ? ''
          : `, smallest cleanupPeriodDays ${low ? c.yellow(String(min)) : String(min)}${sourceText(smallest?.source)}`
      }`,
    );
    if (low)
      ctx.say(
        `    ${c.yellow('!')} its cleanup deletes shared sessions here too: see \`doctor\` (SYNC_REMOTE_CLEANUP)`,
      );
  }
}

export function printStatus(ctx: Context, report: StatusReport): void {
  const { c } = ctx;
  const kind = (k: string) => c[KIND_COLOR[k] ?? 'dim'](k);
  if (report.accounts.length === 0) {
    ctx.say(`No Claude Code config dirs found in ${ctx.tilde(report.home)}. Name them with --accounts.`);
  } else {
    ctx.say(c.bold(`Accounts (${report.accounts.length})`));
    const many = ctx.folders.length > 1;
    const rows = report.accounts.map((a) => [
      ctx.tilde(a.path),
      many ? ctx.folders.map((f) => `${f}:${kind(a.folders[f]?.kind ?? 'missing')}`).join(' ') : kind(a.projects.kind),
      String(a.sessions),
      formatBytes(a.sessionBytes),
      a.projects.kind === 'linked' ? c.green('yes') : 'no',
      a.runningPids.length > 0 ? c.yellow(`yes (pid ${a.runningPids.join(', ')})`) : 'no',
      `${a.cleanupPeriodDays}d${a.cleanupPeriodDaysSet ? '' : c.dim(' (default)')}`,
      a.backups.length === 0 ? '-' : `${a.backups.length} (newest ${a.backups[0]?.name})`,
    ]);
    const columns = [
      { header: 'ACCOUNT' },
      { header: many ? 'FOLDERS' : 'PROJECTS/' },
      { header: 'SESSIONS', align: 'right' as const },
      { header: 'SIZE', align: 'right' as const },
      { header: 'LINKED' },
      { header: 'RUNNING' },
      { header: 'CLEANUP' },
      { header: 'BACKUPS' },
    ];
    for (const line of table(columns, rows, '  ')) ctx.say(line);
    for (const a of report.accounts) {
      for (const f of ctx.folders) {
        const state = a.folders[f];
        if (state?.linkTarget !== undefined && state.kind !== 'linked') {
          ctx.say(`  ${c.red('!')} ${ctx.tilde(state.path)} -> ${state.linkTarget} (${state.kind})`);
          const copied = report.copiedLinks.find((l) => l.path === state.path);
          if (copied) ctx.say(`    ${copied.advice}`);
        }
      }
      for (const p of a.problems) ctx.say(`  ${c.red('!')} ${p.code}: ${p.message}`);
    }
  }
  ctx.say();
  ctx.say(c.bold('Shared'));
  for (const s of report.shared) {
    const who = `linked from ${s.linkedAccounts.length} of ${report.accounts.length} accounts`;
    if (!s.exists) ctx.say(`  ${ctx.tilde(s.path)}  ${c.dim('not created yet')}`);
    else if (s.folder === 'projects') {
      ctx.say(
        `  ${ctx.tilde(s.path)}  ${plural(s.sessions, 'session')} in ${plural(s.projects, 'project')}, ${formatBytes(s.bytes)}; ${who}`,
      );
    } else ctx.say(`  ${ctx.tilde(s.path)}  ${who}`);
  }
  if (report.shared.some((s) => s.folder === 'projects' && s.exists)) ctx.say(retainedLine(ctx, report.retained));
  if (report.applyState.advice !== undefined) ctx.say(`  ${c.red('!')} ${report.applyState.advice}`);
  printCleanup(ctx, report.cleanup);
}
