/**
 * The commands' hooks for several machines: `apply` and `doctor --fix` extend their plan
 * with {@link extendPlan}; `doctor` and `status` report what {@link inspectSync} finds.
 */

import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { Account } from '../accounts/types.js';
import { type CleanupReport, lowestCleanupPeriod } from '../doctor/cleanup-sources.js';
import { defaultConflictsDir } from '../layout/config-dir.js';
import type { Plan } from '../plan/types.js';
import { inspectSync, type MachineRecord, type SyncSnapshot } from '../sync/inspect.js';
import { machineName, type PathMap, parsePathMap } from '../sync/layout.js';
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
