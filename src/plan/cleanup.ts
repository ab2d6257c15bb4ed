import { ErrorCodes, SharedSessionsError } from '../errors.js';
import type { AccountSnapshot } from '../inspect/types.js';
import { DEFAULT_CLEANUP_PERIOD_DAYS, SETTINGS_ABSENT_SUFFIX } from '../layout/names.js';
import type { CleanupPeriodChange, ExpectedFile } from '../operations/base.js';
import { freeBackupPath } from './backup.js';
import type { PlanBuilder } from './builder.js';
import { setCleanupPeriodDays } from './settings-text.js';

/** The least `cleanupPeriodDays` a shared folder gets by default: ten years. */
export const SAFE_CLEANUP_PERIOD_DAYS = 3650;

/**
 * The common `cleanupPeriodDays` a share plan writes when the caller does not choose
 * one: the largest value any of the accounts already sets, and at least
 * {@link SAFE_CLEANUP_PERIOD_DAYS}. Every Claude Code process deletes transcripts older
 * than its own account's setting from the folder it sees; once that folder is shared, the
 * smallest setting among the accounts decides for all of them.
 *
 * @example
 * defaultCleanupPeriodDays(snapshot.accounts) // 3650, or more if an account sets more
 */
export function defaultCleanupPeriodDays(accounts: readonly AccountSnapshot[]): number {
  let days = SAFE_CLEANUP_PERIOD_DAYS;
  for (const a of accounts) {
    if (a.exists && a.settings.cleanupPeriodDaysSet && a.settings.cleanupPeriodDays > days) {
      days = a.settings.cleanupPeriodDays;
    }
  }
  return days;
}

/** The `settings.json` that `share` creates in an account that had none. */
export function createdSettingsText(days: number): string {
  return `{\n  "cleanupPeriodDays": ${days}\n}\n`;
}

/**
 * Adds the `settings.json` rewrites that set `cleanupPeriodDays` to `days` in each
 * account, or, when `days` is false, a warning that explains the hazard. The old file is
 * kept as `settings.json.bak.<stamp>`. A `days` below an account's effective period (its
 * value, or 30 when unset) is refused unless `allowLower`.
 *
 * @throws SharedSessionsError `EINVALID_OPTION` for a `days` that is not a whole number
 * above 0, or that would lower an account's period without `allowLower`.
 */
export function cleanupPhase(
  b: PlanBuilder,
  accounts: readonly AccountSnapshot[],
  days: number | false,
  allowLower = false,
): void {
  if (accounts.length === 0) return;
  if (days === false) {
    const smallest = [...accounts].sort((x, y) => x.settings.cleanupPeriodDays - y.settings.cleanupPeriodDays)[0];
    if (smallest) {
      b.warn(
        'cleanup-hazard',
        `cleanupPeriodDays is left as it is. With one shared folder, every Claude Code process deletes everyone's transcripts older than its own account's setting: here ${smallest.settings.cleanupPeriodDays} days (${smallest.path}${smallest.settings.cleanupPeriodDaysSet ? '' : ', the default'}). Set the same, large cleanupPeriodDays in every shared account's settings.json.`,
      );
    }
    return;
  }
  if (!Number.isSafeInteger(days) || days <= 0) {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      `cleanupPeriodDays must be a positive whole number of days (Claude Code rejects 0), not ${JSON.stringify(days)}. Pass false to leave the settings alone.`,
    );
  }
  const effective = (a: AccountSnapshot) =>
    a.settings.cleanupPeriodDaysSet ? a.settings.cleanupPeriodDays : DEFAULT_CLEANUP_PERIOD_DAYS;
  const lowered = accounts.filter((a) => days < effective(a));
  if (lowered.length > 0 && !allowLower) {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      `cleanupPeriodDays ${days} would lower the period of ${lowered.map((a) => `${a.path} (${effective(a)} days${a.settings.cleanupPeriodDaysSet ? '' : ', the default'})`).join(', ')}. With a shared folder, that account's Claude Code would delete every account's sessions older than ${days} days. Choose at least ${Math.max(...lowered.map(effective))} days, leave the option out (the default keeps the largest, at least ${SAFE_CLEANUP_PERIOD_DAYS}), or allow it explicitly (--allow-lower, allowLowerCleanupPeriod: true).`,
      { details: lowered.map((a) => ({ account: a.path, days: effective(a), requested: days })) },
    );
  }
  for (const account of accounts) {
    const s = account.settings;
    if (s.cleanupPeriodDaysSet && s.cleanupPeriodDays === days) continue;
    const change = { from: effective(account), fromSet: s.cleanupPeriodDaysSet, to: days };
    const manual = `Set "cleanupPeriodDays": ${days} in it by hand.`;
    if (s.type === 'missing') {
      b.add({
        type: 'writeFile',
        reason: 'cleanup-period',
        path: s.path,
        content: createdSettingsText(days),
        mode: 0o600,
        expect: { type: 'absent' },
        account: account.realPath,
        cleanupPeriodDays: change,
      });
      // There is nothing to back up: a record says so, for rollback to restore "no file".
      const record = `${freeBackupPath(b, account, 'settings.json')}${SETTINGS_ABSENT_SUFFIX}`;
      if (b.state.lookup(record).type === 'absent') {
        b.add({
          type: 'writeFile',
          reason: 'cleanup-period',
          path: record,
          content: `${JSON.stringify({ claudeSharedSessions: `settings.json did not exist before share created it to set cleanupPeriodDays ${days}; rollback removes it again (keeping it as a backup) or, if other settings were added since, removes only cleanupPeriodDays.` }, null, 2)}\n`,
          mode: 0o600,
          expect: { type: 'absent' },
          account: account.realPath,
        });
      }
      continue;
    }
    if (s.type === 'symlink') {
      b.warn(
        'settings-symlink',
        `${s.path} is a link (a dotfile manager's?); it is not rewritten. ${manual} Until then, this account deletes shared transcripts older than ${s.cleanupPeriodDays} days.`,
        s.path,
      );
      continue;
    }
    if (s.malformed) {
      b.warn(
        'settings-malformed',
        `${s.path} is not valid JSON, so it is not rewritten. Fix it, then ${manual}`,
        s.path,
      );
      continue;
    }
    const content = s.type === 'file' && s.text !== undefined ? setCleanupPeriodDays(s.text, days) : undefined;
    if (content === undefined || s.size === undefined || s.mtimeMs === undefined) {
      b.warn('settings-not-rewritten', `${s.path} could not be read or edited safely. ${manual}`, s.path);
      continue;
    }
    const expect = settingsState({ size: s.size, mtimeMs: s.mtimeMs, mode: s.mode, hash: s.hash });
    rewriteSettings(b, account, { path: s.path, mode: s.mode, expect, content, change });
  }
}

/** What a plan expects of a settings.json it read. */
export function settingsState(s: {
  size: number;
  mtimeMs: number;
  mode?: number | undefined;
  hash?: string | undefined;
}): ExpectedFile {
  return {
    type: 'file',
    size: s.size,
    mtimeMs: s.mtimeMs,
    ...(s.mode === undefined ? {} : { mode: s.mode }),
    ...(s.hash === undefined ? {} : { hash: s.hash }),
  };
}

/** Rewrites an account's settings.json with its period changed, the old file kept under a backup name. */
export function rewriteSettings(
  b: PlanBuilder,
  account: AccountSnapshot,
  w: { path: string; mode: number | undefined; expect: ExpectedFile; content: string; change: CleanupPeriodChange },
): void {
  b.add({
    type: 'writeFile',
    reason: 'cleanup-period',
    path: w.path,
    content: w.content,
    mode: w.mode ?? 0o600,
    expect: w.expect,
    backupTo: freeBackupPath(b, account, 'settings.json'),
    account: account.realPath,
    cleanupPeriodDays: w.change,
  });
}
