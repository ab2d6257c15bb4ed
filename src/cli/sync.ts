/**
 * The commands' hooks for several machines: `apply` and `doctor --fix` extend their plan
 * with {@link extendPlan}; `doctor` and `status` report what {@link inspectSync} finds.
 */

import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Account } from '../accounts/types.js';
import type { FindingCode } from '../codes.js';
import { type CleanupReport, lowestCleanupPeriod } from '../doctor/cleanup-sources.js';
import { defaultConflictsDir } from '../layout/config-dir.js';
import type { Plan } from '../plan/types.js';
import { inspectSync, type MachineRecord, type SyncSnapshot } from '../sync/inspect.js';
import { machineName, type PathMap, parsePathMap, STIGNORE, STIGNORE_LOCAL, stignoreText } from '../sync/layout.js';
import { extendPlan } from '../sync/plan.js';
import { VERSION } from '../version.js';
import { cleanupReport } from './commands/cleanup.js';
import type { Context } from './context.js';

/** This machine's name in the registry: `CLAUDE_SHARED_SESSIONS_MACHINE`, else the host name. */
export function machineOf(ctx: Context): string {
  return machineName(ctx.io.env.CLAUDE_SHARED_SESSIONS_MACHINE || hostname());
}

export function parseMaps(values: readonly string[] | undefined): PathMap[] {
  return (values ?? []).map(parsePathMap);
}

export async function inspectSyncFor(
  ctx: Context,
  maps: readonly PathMap[],
  sharedDir = ctx.sharedDir,
  conflictsDir = defaultConflictsDir(sharedDir),
  folds = true,
): Promise<SyncSnapshot> {
  return inspectSync({
    folds,
    fs: ctx.fs,
    sharedDir,
    conflictsDir,
    machine: machineOf(ctx),
    maps,
    nowMs: ctx.io.now().getTime(),
  });
}

/** True when the root is synced (an engine's marker) or the user made it so (maps, registry). */
export function syncInUse(snap: SyncSnapshot): boolean {
  return snap.engine !== 'none' || snap.maps.length > 0 || snap.machinesDir.type === 'directory';
}

/**
 * This machine's record. Each linked account's period is the lowest any run of it cleans
 * the shared folder with (`report`: account, managed and project settings), with its
 * source; without a report, the account's own value.
 */
export function machineRecord(
  ctx: Context,
  snap: SyncSnapshot,
  accounts: readonly Account[],
  report?: CleanupReport,
): MachineRecord {
  return {
    name: snap.machine,
    tool: 'claude-shared-sessions',
    version: VERSION,
    pathMaps: snap.maps,
    accounts: accounts
      .filter((a) => a.exists && a.projects.kind === 'linked')
      .map((a) => {
        const lowest = report === undefined ? undefined : lowestCleanupPeriod(report, a.path);
        return lowest === undefined
          ? { path: a.path, cleanupPeriodDays: a.cleanupPeriodDays }
          : { path: a.path, cleanupPeriodDays: lowest.days, source: { kind: lowest.kind, path: lowest.path } };
      }),
    lastSeen: ctx.io.now().toISOString(),
  };
}

/**
 * Adds the sync operations to a plan made for this shared folder. With `fold`, conflict
 * copies are folded too (`doctor --fix`).
 */
export async function withSync(
  ctx: Context,
  plan: Plan,
  maps: readonly PathMap[],
  accounts: () => Promise<readonly Account[]>,
  fold: boolean,
): Promise<Plan> {
  const sharedDir = plan.sharedDirs.projects ?? ctx.sharedDir;
  const snap = await inspectSyncFor(ctx, maps, sharedDir, plan.conflictsDir || defaultConflictsDir(sharedDir), fold);
  if (!syncInUse(snap) && snap.folds.length === 0) {
    if (snap.projectsIsRoot) return extendPlan(plan, snap, { nowMs: 0, setup: false, aliases: false, fold: false });
    return plan;
  }
  // The record states what holds once this plan is applied: linked accounts, raised periods.
  const raised = new Map<string, number>();
  for (const op of plan.operations) {
    if (op.type !== 'writeFile' || op.reason !== 'cleanup-period') continue;
    try {
      const days = (JSON.parse(op.content) as { cleanupPeriodDays?: unknown }).cleanupPeriodDays;
      if (typeof days === 'number') raised.set(dirname(op.path), days);
    } catch {
      // not JSON: the record keeps the value read
    }
  }
  const linkedAfter = (await accounts()).map((a) => {
    const days = raised.get(a.realPath) ?? raised.get(a.path) ?? a.cleanupPeriodDays;
    return plan.accounts.includes(a.realPath) || plan.accounts.includes(a.path)
      ? { ...a, cleanupPeriodDays: days, projects: { ...a.projects, kind: 'linked' as const } }
      : a;
  });
  const linked = linkedAfter as Account[];
  const report = await cleanupReport(ctx, linked, sharedDir);
  return extendPlan(plan, snap, {
    nowMs: ctx.io.now().getTime(),
    setup: true,
    aliases: true,
    fold,
    machineRecord: machineRecord(ctx, snap, linked, report),
  });
}

export interface SyncFinding {
  code: FindingCode;
  severity: 'error' | 'warning' | 'info';
  message: string;
  path?: string;
  fixable: boolean;
}

/** What `doctor` reports about the synced layout, conflict copies, aliases and other machines. */
export function syncFindings(ctx: Context, snap: SyncSnapshot, ownAccounts: readonly Account[]): SyncFinding[] {
  const out: SyncFinding[] = [];
  if (snap.projectsIsRoot) {
    out.push({
      code: 'SYNC_ROOT_IS_PROJECTS',
      severity: 'error',
      message: `${ctx.tilde(join(snap.sharedDir, '.stfolder'))} exists: Syncthing syncs the shared projects/ folder itself. Claude Code's cleanup deletes empty subfolders of projects/, Syncthing's marker included, and Syncthing then stops ("folder marker missing"). Make ${ctx.tilde(snap.root)} the Syncthing folder instead (see docs/machines.md).`,
      path: join(snap.sharedDir, '.stfolder'),
      fixable: false,
    });
  }
  if (snap.engine === 'syncthing') {
    if (snap.stignore.type !== 'file' || snap.stignore.text !== stignoreText()) {
      out.push({
        code: 'SYNC_IGNORE',
        severity: 'warning',
        message: `${ctx.tilde(snap.stignore.path)} ${snap.stignore.type === 'missing' ? 'is missing' : 'is not the one this tool writes'}: without it Syncthing also syncs per-machine files beside projects/ (backups, conflicts, journal). \`doctor --fix\` writes it${snap.stignore.type === 'file' ? ' (the old one is kept)' : ''}; own patterns go to ${STIGNORE_LOCAL}.`,
        path: snap.stignore.path,
        fixable: true,
      });
    } else if (snap.stignoreLocal.type !== 'file') {
      out.push({
        code: 'SYNC_IGNORE',
        severity: 'warning',
        message: `${ctx.tilde(snap.stignoreLocal.path)} is missing; the ${STIGNORE} includes it and Syncthing reports an error without it. \`doctor --fix\` creates an empty one.`,
        path: snap.stignoreLocal.path,
        fixable: true,
      });
    }
  }
  const busy = snap.folds.filter((f) => f.busy !== undefined);
  const ready = snap.folds.filter((f) => f.busy === undefined);
  if (ready.length > 0) {
    const diverged = ready.filter((f) => f.relation === 'diverged').length;
    out.push({
      code: 'SYNC_CONFLICT_COPIES',
      severity: 'warning',
      message: `${ready.length} sync-conflict cop${ready.length === 1 ? 'y' : 'ies'} in ${ctx.tilde(snap.sharedDir)} (e.g. ${ctx.tilde(ready[0]?.copy.path ?? '')})${diverged > 0 ? `, ${diverged} diverged` : ''}: the picker never lists them and Claude Code's cleanup later deletes them. \`doctor --fix\` folds them back (a shorter copy goes to the conflicts folder, a longer one replaces the original, a diverged transcript becomes a new resumable session).`,
      path: ready[0]?.copy.path ?? '',
      fixable: true,
    });
  }
  if (busy.length > 0) {
    out.push({
      code: 'SYNC_BUSY',
      severity: 'warning',
      message: `${busy.length} conflict cop${busy.length === 1 ? 'y is' : 'ies are'} still being written by the sync engine (${busy[0]?.busy}). Wait until it is in sync, then run \`doctor --fix\`.`,
      path: busy[0]?.copy.path ?? '',
      fixable: false,
    });
  }
  const missingAliases = snap.aliases.filter((a) => a.toState.type === 'missing' || a.merge !== undefined);
  if (missingAliases.length > 0) {
    out.push({
      code: 'SYNC_ALIAS_MISSING',
      severity: 'warning',
      message: `${missingAliases.length} project folder${missingAliases.length === 1 ? '' : 's'} from another machine ha${missingAliases.length === 1 ? 's' : 've'} no alias under this machine's path (e.g. ${missingAliases[0]?.from} for ${missingAliases[0]?.to}): Claude Code here does not list ${missingAliases.length === 1 ? 'its' : 'their'} sessions. \`doctor --fix\` links ${missingAliases.some((a) => a.merge) ? 'them (merging folders that exist under both names)' : 'them'}.`,
      path: join(snap.sharedDir, missingAliases[0]?.to ?? ''),
      fixable: true,
    });
  }
  const ownMin = Math.min(Number.POSITIVE_INFINITY, ...ownAccounts.map((a) => a.cleanupPeriodDays));
  for (const m of snap.machines) {
    if (m.name === snap.machine) continue;
    if (!m.record) {
      out.push({
        code: 'SYNC_MACHINE_RECORD',
        severity: 'info',
        message: `${ctx.tilde(m.path)} is not a readable machine record (${m.error}).`,
        path: m.path,
        fixable: false,
      });
      continue;
    }
    const accounts = Array.isArray(m.record.accounts) ? m.record.accounts : [];
    const low = accounts.filter((a) => typeof a.cleanupPeriodDays === 'number' && a.cleanupPeriodDays < ownMin);
    for (const a of low) {
      out.push({
        code: 'SYNC_REMOTE_CLEANUP',
        severity: 'warning',
        message: `Machine ${m.name} (last seen ${m.record.lastSeen}) runs the account ${a.path} with cleanupPeriodDays ${a.cleanupPeriodDays}${sourceText(a.source)}, lower than any here (${Number.isFinite(ownMin) ? ownMin : 'none'}): its Claude Code deletes shared sessions older than ${a.cleanupPeriodDays} days, and the sync engine deletes them here too. ${remoteFix(a.source, m.name)}`,
        path: m.path,
        fixable: false,
      });
    }
  }
  return out;
}

/** ` (set by <file>, <kind>)` for a record's source, or nothing for a record without one. */
export function sourceText(source: { kind?: unknown; path?: unknown } | undefined): string {
  if (source === undefined || typeof source.path !== 'string') return '';
  const kind =
    source.kind === 'managed'
      ? 'managed settings'
      : source.kind === 'project' || source.kind === 'project-local'
        ? 'project settings'
        : source.kind === 'account'
          ? "the account's settings"
          : 'settings';
  return ` (from ${source.path}, ${kind})`;
}

/** What to do on the other machine about a low period from `source`. */
function remoteFix(source: { kind?: unknown; path?: unknown } | undefined, machine: string): string {
  if (source?.kind === 'managed') {
    return `Ask whoever manages Claude Code on ${machine} to remove or raise cleanupPeriodDays in ${String(source.path)}.`;
  }
  if (source?.kind === 'project' || source?.kind === 'project-local') {
    return `On ${machine}, remove "cleanupPeriodDays" from ${String(source.path)} or raise it (\`doctor\` there reports it).`;
  }
  return `Run \`claude-shared-sessions doctor --fix\` on ${machine}.`;
}
