import type { AccountSnapshot, Snapshot } from '../inspect/types.js';
import { backupPhase } from './backup.js';
import { assertSafeShared, PlanBuilder } from './builder.js';
import { cleanupPhase, defaultCleanupPeriodDays } from './cleanup.js';
import { sharedUsable } from './folder-problems.js';
import { type LinkOptions, linkPhase } from './link.js';
import { type MergeOptions, mergePhase } from './merge.js';
import type { Plan } from './types.js';

export interface ShareOptions extends MergeOptions, LinkOptions {
  /**
   * `cleanupPeriodDays` written to each shared account's `settings.json` (the old file kept
   * as `settings.json.bak.<stamp>`), or `false` to leave the
   * settings alone, which the plan then warns about. With one shared folder, the account
   * with the smallest value deletes everyone's older transcripts.
   * @default the largest value any account sets, and at least 3650 (ten years)
   */
  cleanupPeriodDays?: number | false;
  /**
   * Allow `cleanupPeriodDays` below an account's effective period (its own value, or 30
   * when it sets none). Without it such a value is refused with `EINVALID_OPTION`: a lower
   * period makes that account's Claude Code delete everyone's older shared sessions.
   * @default false
   */
  allowLowerCleanupPeriod?: boolean;
}

/** True when the account's folder can end up linked by a share: a real folder, nothing, or already the link. */
function shareable(snapshot: Snapshot, account: AccountSnapshot, folder: string): boolean {
  const kind = account.folders[folder]?.kind;
  return (
    account.exists &&
    sharedUsable(snapshot, folder) &&
    (kind === 'directory' || kind === 'missing' || kind === 'linked')
  );
}

/**
 * Plans the whole manual recipe in one plan, in an order that is safe to run step by
 * step: merge every account's folders into the shared folders (see {@link planMerge}),
 * raise `cleanupPeriodDays` in each shared account's `settings.json`, move each original
 * folder aside as `<folder>.bak.<stamp>`, then link each account's folder to the shared
 * folder. Accounts whose folder is a link elsewhere, a dangling link or a file are
 * reported and left out of every phase.
 *
 * @example
 * ```ts
 * const snapshot = await inspect({ accounts: ['~/.claude', '~/.claude-2'] });
 * const plan = planShare(snapshot, { id: 'share-1', now: Date.now() });
 * console.log(describePlan(plan));
 * ```
 */
export function planShare(snapshot: Snapshot, options: ShareOptions): Plan {
  assertSafeShared(snapshot, 'share into it');
  const b = new PlanBuilder(snapshot, options);
  b.noteAccounts();
  mergePhase(b, options, false);
  const linked = snapshot.accounts.filter((a) => shareable(snapshot, a, 'projects'));
  const days = options.cleanupPeriodDays ?? defaultCleanupPeriodDays(snapshot.accounts);
  cleanupPhase(b, linked, days, options.allowLowerCleanupPeriod === true);
  const only = (account: AccountSnapshot, folder: string) => shareable(snapshot, account, folder);
  backupPhase(b, only);
  linkPhase(b, options, only);
  return b.finish('share', options);
}
