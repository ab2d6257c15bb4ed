import { join } from 'node:path';
import { ErrorCodes, SharedSessionsError } from '../errors.js';
import { treeDigest } from '../inspect/digest.js';
import type { AccountSnapshot, Snapshot } from '../inspect/types.js';
import { backupName, backupTimestamp } from '../layout/names.js';
import { PlanBuilder, type PlanContext } from './builder.js';
import { reportBadAccountFolder, reportBadShared } from './folder-problems.js';
import type { Plan } from './types.js';

export type BackupOptions = PlanContext;

/**
 * A free name in the account's config dir: `<base>.bak.<epoch seconds>`, then `.1`, `.2`,
 * ... when a file or folder of that name exists or the plan already uses it.
 */
export function freeBackupPath(b: PlanBuilder, account: AccountSnapshot, base: string): string {
  const stamp = backupTimestamp(b.nowMs);
  for (let counter = 0; counter < 10_000; counter++) {
    const path = join(account.realPath, backupName(base, stamp, counter));
    if (b.state.lookup(path).type === 'absent') return path;
  }
  throw new SharedSessionsError(
    ErrorCodes.INVALID_PLAN,
    `No free backup name for ${base} in ${account.realPath}: tidy its ${base}.bak.* entries and plan again.`,
    { path: account.realPath },
  );
}

/**
 * Refuses a backup stamped earlier than one already there: rollback restores the backup
 * with the newest stamp, so the new one (which holds the newest sessions) would lose to
 * an older one. It happens when the clock was moved back (or was ahead when the older
 * backup was made).
 */
function assertClockAhead(b: PlanBuilder, account: AccountSnapshot, folder: string): void {
  const stamp = Number(backupTimestamp(b.nowMs));
  const later = account.backups.filter((x) => x.folder === folder && Number(x.stamp.split('.')[0]) > stamp);
  if (later.length === 0) return;
  throw new SharedSessionsError(
    ErrorCodes.CLOCK,
    `The clock says ${new Date(b.nowMs).toISOString()}, but ${later.map((x) => x.path).join(', ')} ${later.length === 1 ? 'is' : 'are'} stamped later (${later.map((x) => new Date(Number(x.stamp.split('.')[0]) * 1000).toISOString()).join(', ')}). A backup made now would sort older and rollback would restore the wrong one. Set the clock right (or rename ${later.length === 1 ? 'that backup' : 'those backups'} to the time ${later.length === 1 ? 'it was' : 'they were'} really made), then plan again.`,
    { path: later[0]?.path, details: later.map((x) => ({ path: x.path, stamp: x.stamp })) },
  );
}

/** Adds the backup renames: each account's real folder moved aside to `<folder>.bak.<stamp>`. */
export function backupPhase(b: PlanBuilder, only?: (account: AccountSnapshot, folder: string) => boolean): void {
  for (const account of b.snapshot.accounts) {
    if (!account.exists) continue;
    for (const folder of b.snapshot.folders) {
      const f = account.folders[folder];
      if (!f || reportBadAccountFolder(b, account, folder)) continue;
      if (only && !only(account, folder)) continue;
      if (b.state.lookup(f.path).type !== 'directory') continue;
      assertClockAhead(b, account, folder);
      b.add({
        type: 'rename',
        reason: 'backup',
        from: f.path,
        to: freeBackupPath(b, account, folder),
        expectFrom: { type: 'directory', tree: treeDigest(f.entries) },
        expectTo: { type: 'absent' },
        account: account.realPath,
      });
    }
  }
}

/**
 * Plans moving each account's original folders (those that are real folders, not links)
 * aside to `<folder>.bak.<epoch seconds>` in the same config dir, as the manual recipe's
 * `mv projects projects.bak.$(date +%s)` does, with `.1`, `.2`, ... when a name is taken
 * (two runs in one second). Links and missing folders need no backup; links elsewhere,
 * dangling links and files are reported as conflicts and left alone. No plan of this
 * library ever deletes a backup.
 *
 * @example
 * ```ts
 * const plan = planBackup(snapshot, { id: 'b1', now: Date.parse('2026-01-01T00:00:00Z') });
 * // rename ~/.claude/projects -> ~/.claude/projects.bak.1767225600
 * ```
 */
export function planBackup(snapshot: Snapshot, options: BackupOptions): Plan {
  const b = new PlanBuilder(snapshot, options);
  b.noteAccounts();
  for (const folder of snapshot.folders) reportBadShared(b, folder);
  backupPhase(b);
  return b.finish('backup', options);
}
