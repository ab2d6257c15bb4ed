import { cleanupSourceText } from '../../sync/findings.js';
import { type DiagnoseOptions, type Diagnosis, diagnose } from '../../verbs/diagnose.js';
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { formatBytes, plural, table } from '../format.js';
import { machineOf } from '../sync.js';
import { managedOption, printCleanup } from './cleanup.js';
import { retainedLine } from './retain.js';

/** What `status` shows; its `--json` leaves out the findings (`doctor` prints those). */
export type StatusReport = Pick<
  Diagnosis,
  'home' | 'sharedDirs' | 'accounts' | 'shared' | 'cleanup' | 'applyState' | 'copiedLinks' | 'retained' | 'findings'
>;

/** The options of {@link diagnose} for this command line. */
export function diagnoseOptions(ctx: Context, more: Partial<DiagnoseOptions> = {}): DiagnoseOptions {
  return { ...ctx.discoverOptions(), now: ctx.io.now(), machine: machineOf(ctx), ...managedOption(ctx), ...more };
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
  const d = await diagnose(diagnoseOptions(ctx, { deep: false, syncthing: true }));
  if (ctx.json) {
    // Several machines (docs/machines.md): the synced root's engine and the machines registry.
    const { home, sharedDirs, accounts, shared, cleanup, applyState, copiedLinks, retained, sync } = d;
    const report = { home, sharedDirs, accounts, shared, cleanup, applyState, copiedLinks, retained };
    ctx.emit(sync === undefined ? report : { ...report, sync });
    return ExitCode.OK;
  }
  printStatus(ctx, d);
  if (d.sync !== undefined) printMachines(ctx, d.sync, d);
  return ExitCode.OK;
}

function printMachines(ctx: Context, sync: NonNullable<Diagnosis['sync']>, report: Pick<Diagnosis, 'accounts'>): void {
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
          : `, smallest cleanupPeriodDays ${low ? c.yellow(String(min)) : String(min)}${cleanupSourceText(smallest?.source)}`
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
  printCleanup(ctx, report.cleanup, report.findings);
}
