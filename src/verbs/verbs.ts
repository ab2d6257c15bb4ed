/**
 * The public verbs: each inspects (read-only) and returns a plan. Nothing here writes to
 * disk; apply a plan with `applyPlan`. These are the only plan functions that read the
 * clock or make random ids, and only as defaults.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCodes, SharedSessionsError } from '../errors.js';
import { type InspectOptions, inspect } from '../inspect/inspect.js';
import { type BackupOptions, planBackup } from '../plan/backup.js';
import { type LinkOptions, planLink } from '../plan/link.js';
import { type MergeOptions, planMerge } from '../plan/merge.js';
import { planRollback, type RollbackOptions } from '../plan/rollback.js';
import { planShare, type ShareOptions } from '../plan/share.js';
import type { Plan } from '../plan/types.js';

/** What every verb takes: where to look ({@link InspectOptions}) and, optionally, the plan's id and time. */
export interface VerbOptions extends InspectOptions {
  /** @default crypto.randomUUID() */
  id?: string;
  /** ms since the epoch, a Date or an ISO 8601 string. @default Date.now() */
  now?: number | Date | string;
}

type Pure<T> = Omit<T, 'id' | 'now'>;

function context(options: VerbOptions): { id: string; now: number | Date } {
  const now = typeof options.now === 'string' ? Date.parse(options.now) : (options.now ?? Date.now());
  if (typeof now === 'number' ? !Number.isFinite(now) : Number.isNaN(now.getTime())) {
    throw new SharedSessionsError(ErrorCodes.INVALID_OPTION, `now must be a date, not ${JSON.stringify(options.now)}.`);
  }
  return { id: options.id ?? randomUUID(), now };
}

/** Sharing is opt-in per account: the verbs that make sessions visible to other accounts need them named. */
function requireChosenAccounts(options: VerbOptions, verb: string): void {
  if (options.accounts === undefined && options.discover !== true) {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      `${verb} makes one account's sessions visible to the others, so it needs the accounts named: pass accounts: ['~/.claude', '~/.claude-2', ...], or discover: true to share every account found.`,
    );
  }
}

function defaultLinkType(): 'dir' | 'junction' {
  return process.platform === 'win32' ? 'junction' : 'dir';
}

/**
 * Inspects the accounts and plans merging their folders into the shared folder
 * ({@link planMerge}). Applying it only adds to the shared and conflicts folders.
 *
 * @example
 * ```ts
 * const plan = await mergeInto({ accounts: ['~/.claude', '~/.claude-2'], onDiverged: 'fork' });
 * ```
 */
export async function mergeInto(options: VerbOptions & Pure<MergeOptions>): Promise<Plan> {
  requireChosenAccounts(options, 'mergeInto');
  return planMerge(await inspect(options), { ...options, ...context(options) });
}

/**
 * Inspects the accounts and plans moving their original folders aside as backups
 * ({@link planBackup}).
 *
 * @example
 * ```ts
 * const plan = await backup({ accounts: ['~/.claude-2'] });
 * ```
 */
export async function backup(options: VerbOptions & Pure<BackupOptions> = {}): Promise<Plan> {
  return planBackup(await inspect(options), context(options));
}

/**
 * Inspects the accounts and plans linking their folders to the shared folder
 * ({@link planLink}); a junction on Windows.
 *
 * @example
 * ```ts
 * const plan = await linkShared({ accounts: ['~/.claude', '~/.claude-2'] });
 * ```
 */
export async function linkShared(options: VerbOptions & Pure<LinkOptions>): Promise<Plan> {
  requireChosenAccounts(options, 'linkShared');
  return planLink(await inspect(options), { linkType: defaultLinkType(), ...options, ...context(options) });
}

/**
 * Inspects the accounts (with the trees of the backups to restore) and plans undoing
 * the share ({@link planRollback}).
 *
 * @example
 * ```ts
 * const plan = await rollback({ accounts: ['~/.claude-2'], carry: 'own' });
 * ```
 */
export async function rollback(options: VerbOptions & Pure<RollbackOptions> = {}): Promise<Plan> {
  const backups =
    typeof options.backup === 'string' ? options.backup : options.backup ? 'all' : (options.backups ?? true);
  const snapshot = await inspect({ ...options, backups, records: options.records ?? true });
  return planRollback(snapshot, { ...options, ...context(options) });
}

/**
 * Inspects the accounts and plans the whole share: merge, raise `cleanupPeriodDays`,
 * back up, link ({@link planShare}).
 *
 * @example
 * ```ts
 * const plan = await share({ accounts: ['~/.claude', '~/.claude-2'] });
 * console.log(describePlan(plan));
 * ```
 */
export async function share(options: VerbOptions & Pure<ShareOptions>): Promise<Plan> {
  requireChosenAccounts(options, 'share');
  return planShare(await inspect(options), { linkType: defaultLinkType(), ...options, ...context(options) });
}
