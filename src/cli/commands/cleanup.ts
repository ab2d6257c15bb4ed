import { delimiter } from 'node:path';
import type { Account } from '../../accounts/types.js';
import { type CleanupReport, type CleanupSource, findCleanupSources } from '../../doctor/cleanup-sources.js';
import type { Context } from '../context.js';
import { plural } from '../format.js';

/**
 * The environment variable that replaces the platform's managed-settings folders (a list
 * separated like PATH): for tests, and for machines whose policy lives elsewhere.
 */
export const MANAGED_DIR_ENV = 'CLAUDE_SHARED_SESSIONS_MANAGED_DIR';

/** The cleanup sources of the shared `projects` folder, as `status` and `doctor` report them. */
export async function cleanupReport(
  ctx: Context,
  accounts: readonly Account[],
  sharedDir = ctx.sharedDir,
): Promise<CleanupReport> {
  const managed = ctx.io.env[MANAGED_DIR_ENV];
  return findCleanupSources({
    fs: ctx.fs,
    sharedDir,
    accounts,
    now: ctx.io.now().getTime(),
    ...(managed === undefined || managed === '' ? {} : { managedSettingsDirs: managed.split(delimiter) }),
  });
}

/** Finding codes, one per kind of source. */
export const CLEANUP_CODES = {
  account: 'CLEANUP_PERIOD',
  managed: 'CLEANUP_PERIOD_MANAGED',
  project: 'CLEANUP_PERIOD_PROJECT',
  'project-local': 'CLEANUP_PERIOD_PROJECT',
} as const;

/** Which file, which value, what it deletes now, and the fix. */
export function describeLowSource(ctx: Context, report: CleanupReport, s: CleanupSource): string {
  const file = ctx.tilde(s.path);
  const what = s.set
    ? `${file} sets cleanupPeriodDays ${s.days}.`
    : `${file} sets no cleanupPeriodDays: the default ${s.days} days applies.`;
  const who =
    s.kind === 'account'
      ? `Every Claude Code run of ${ctx.tilde(s.account ?? '')}`
      : s.kind === 'managed'
        ? 'Every Claude Code run on this machine (managed settings override accounts and projects)'
        : `Any Claude Code run started in ${ctx.tilde(s.project ?? '')}, with any account (project settings override the account's),`;
  const now =
    s.wouldDelete > 0
      ? `Today that is ${s.wouldDelete} of ${plural(report.sessions, 'shared session')}.`
      : `Today none of the ${plural(report.sessions, 'shared session')} is that old.`;
  return `${what} ${who} deletes shared sessions older than ${plural(s.days, 'day')}, in every project and for every account. ${now} The shared folder keeps ${report.keepDays} days. Fix: ${fixOf(ctx, s, report.keepDays)}`;
}

function fixOf(ctx: Context, s: CleanupSource, keep: number): string {
  const file = ctx.tilde(s.path);
  switch (s.kind) {
    case 'account':
      return `\`doctor --fix\` raises it to ${keep} (the old file is kept as settings.json.bak.<stamp>).`;
    case 'managed':
      return `ask whoever manages Claude Code on this machine to remove cleanupPeriodDays from ${file} or raise it to at least ${keep} (it needs administrator rights).`;
    default:
      return `remove "cleanupPeriodDays" from ${file}, or set it to at least ${keep}. \`doctor --fix\` does not edit project files.`;
  }
}

/** Low sources as `doctor` findings: an error when the next cleanup would delete something. */
export function cleanupSourceFindings(ctx: Context, report: CleanupReport) {
  return report.sources
    .filter((s) => s.low)
    .map((s) => ({
      code: CLEANUP_CODES[s.kind],
      severity: s.wouldDelete > 0 ? ('error' as const) : ('warning' as const),
      message: describeLowSource(ctx, report, s),
      ...(s.account === undefined ? {} : { account: s.account }),
      path: s.path,
      fixable: s.kind === 'account',
    }));
}

/** The `Cleanup` section of `status`. */
export function printCleanup(ctx: Context, report: CleanupReport | undefined): void {
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
    ctx.say(`  ${mark} ${describeLowSource(ctx, report, s)}`);
  }
}
