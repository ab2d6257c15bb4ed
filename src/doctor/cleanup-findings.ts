import { plural, tildePath } from '../util/text.js';
import type { CleanupReport, CleanupSource } from './cleanup-sources.js';
import type { Finding } from './finding.js';

/** Finding codes, one per kind of source. */
export const CLEANUP_CODES = {
  account: 'CLEANUP_PERIOD',
  managed: 'CLEANUP_PERIOD_MANAGED',
  project: 'CLEANUP_PERIOD_PROJECT',
  'project-local': 'CLEANUP_PERIOD_PROJECT',
} as const;

/** Which file, which value, what it deletes now, and the fix. */
export function describeLowSource(home: string, report: CleanupReport, s: CleanupSource): string {
  const tilde = (path: string) => tildePath(home, path);
  const file = tilde(s.path);
  const what = s.set
    ? `${file} sets cleanupPeriodDays ${s.days}.`
    : `${file} sets no cleanupPeriodDays: the default ${s.days} days applies.`;
  const who =
    s.kind === 'account'
      ? `Every Claude Code run of ${tilde(s.account ?? '')}`
      : s.kind === 'managed'
        ? 'Every Claude Code run on this machine (managed settings override accounts and projects)'
        : `Any Claude Code run started in ${tilde(s.project ?? '')}, with any account (project settings override the account's),`;
  const now =
    s.wouldDelete > 0
      ? `Today that is ${s.wouldDelete} of ${plural(report.sessions, 'shared session')}.`
      : `Today none of the ${plural(report.sessions, 'shared session')} is that old.`;
  return `${what} ${who} deletes shared sessions older than ${plural(s.days, 'day')}, in every project and for every account. ${now} The shared folder keeps ${report.keepDays} days. Fix: ${fixOf(tilde(s.path), s, report.keepDays)}`;
}

function fixOf(file: string, s: CleanupSource, keep: number): string {
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
export function cleanupSourceFindings(home: string, report: CleanupReport): Finding[] {
  return report.sources
    .filter((s) => s.low)
    .map((s) => ({
      code: CLEANUP_CODES[s.kind],
      severity: s.wouldDelete > 0 ? ('error' as const) : ('warning' as const),
      message: describeLowSource(home, report, s),
      ...(s.account === undefined ? {} : { account: s.account }),
      path: s.path,
      fixable: s.kind === 'account',
    }));
}
