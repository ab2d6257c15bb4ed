import { delimiter } from 'node:path';
import type { Account } from '../../accounts/types.js';
import { type CleanupReport, findCleanupSources } from '../../doctor/cleanup-sources.js';
import type { Finding } from '../../doctor/finding.js';
import type { Context } from '../context.js';
import { plural } from '../format.js';

/**
 * The environment variable that replaces the platform's managed-settings folders (a list
 * separated like PATH): for tests, and for machines whose policy lives elsewhere.
 */
export const MANAGED_DIR_ENV = 'CLAUDE_SHARED_SESSIONS_MANAGED_DIR';

/** `{ managedSettingsDirs }` from {@link MANAGED_DIR_ENV} when it is set, else nothing (the platform's). */
export function managedOption(ctx: Context): { managedSettingsDirs?: string[] } {
  const managed = ctx.io.env[MANAGED_DIR_ENV];
  return managed === undefined || managed === '' ? {} : { managedSettingsDirs: managed.split(delimiter) };
}

/** The cleanup sources of the shared `projects` folder, for the machine record of a synced root. */
export async function cleanupReport(
  ctx: Context,
  accounts: readonly Account[],
  sharedDir = ctx.sharedDir,
): Promise<CleanupReport> {
  return findCleanupSources({ fs: ctx.fs, sharedDir, accounts, now: ctx.io.now().getTime(), ...managedOption(ctx) });
}

/** The `Cleanup` section of `status`. */
export function printCleanup(ctx: Context, report: CleanupReport | undefined, findings: readonly Finding[]): void {
  if (!report || report.sources.length === 0) return;
  const { c } = ctx;
  const low = report.sources.filter((s) => s.low);
  ctx.say();
  ctx.say(c.bold('Cleanup'));
  const others = report.sources.filter((s) => s.kind !== 'account').length;
  ctx.say(
    `  shared sessions are kept ${report.keepDays} days; checked ${plural(report.sources.length - others, 'account')}, managed settings and the settings of ${plural(report.projectsChecked, 'project')}` +
      (report.projectsWithoutCwd > 0 ? c.dim(` (${report.projectsWithoutCwd} without a recorded cwd)`) : ''),
  );
  if (low.length === 0) ctx.say(`  ${c.green('nothing lowers it')}`);
  for (const s of low) {
    const mark = s.wouldDelete > 0 ? c.red('✗') : c.yellow('!');
    const described = findings.find((f) => f.path === s.path && f.code.startsWith('CLEANUP_PERIOD'));
    ctx.say(`  ${mark} ${described?.message ?? ''}`);
  }
}
