import { dirname, join } from 'node:path';
import { ErrorCodes, SharedSessionsError } from '../errors.js';
import type { AccountSnapshot, BackupSnapshot, Snapshot, TreeEntry } from '../inspect/types.js';
import { assertSafeShared, PlanBuilder, type PlanContext } from './builder.js';
import { asidePath, isPrefixOf } from './merge.js';
import type { Plan } from './types.js';

/**
 * Which sessions made or extended while shared are copied back into a restored folder.
 * - `none`: the backup comes back exactly as it was.
 * - `own`: files of the backup that grew since (a transcript whose backup copy is a byte
 *   prefix of the shared copy), plus new files, modified after the backup was made, inside
 *   the backup's own top-level folders (for `projects/`: new sessions, with their sidecars
 *   and memory notes, in the projects the account had). Transcripts do not record which
 *   account wrote them, so a session another account started in one of those projects
 *   after the share is carried too.
 * - `all`: every file of the shared folder the backup lacks, and every transcript that
 *   grew (the manual recipe's `rsync -a --update`, except that nothing the backup has is
 *   ever overwritten unless it is a prefix of the shared copy).
 */
export type Carry = 'none' | 'own' | 'all';

export interface RollbackOptions extends PlanContext {
  /** @default 'none' */
  carry?: Carry;
  /**
   * The backup to restore instead of the newest: a stamp (`'1795761125'`,
   * `'1795761125.1'`) or a name (`'projects.bak.1795761125'`), for every account, or a
   * map from account (path, real path or label) to one.
   */
  backup?: string | Readonly<Record<string, string>>;
}

function chooseBackup(
  account: AccountSnapshot,
  folder: string,
  option: RollbackOptions['backup'],
): BackupSnapshot | undefined {
  const spec =
    typeof option === 'string'
      ? option
      : (option?.[account.path] ?? option?.[account.realPath] ?? option?.[account.label]);
  const candidates = account.backups.filter((b) => b.folder === folder);
  if (spec !== undefined) {
    const found = candidates.find((b) => b.name === spec || b.stamp === spec);
    if (found?.type !== 'directory') {
      throw new SharedSessionsError(
        ErrorCodes.INVALID_OPTION,
        `${account.path} has no backup folder ${JSON.stringify(spec)} of ${folder}/. Its backups: ${candidates.map((b) => b.name).join(', ') || 'none'}.`,
        { path: account.path },
      );
    }
    return found;
  }
  return candidates.find((b) => b.type === 'directory');
}

/** The moment after which a file counts as made while shared: the second after the backup's stamp. */
function sharedSinceMs(stamp: string): number | undefined {
  const m = /^(\d+)(?:\.\d+)?$/.exec(stamp);
  return m ? (Number(m[1]) + 1) * 1000 : undefined;
}

/**
 * Plans undoing a share, per account whose folder is a link to the shared folder: remove
 * that link (only the link) and rename the newest backup of the folder (or the one
 * asked for) back into place; then, with `carry`, copy back sessions made or extended
 * while shared (see {@link Carry}). A shorter copy replaced by a longer one is moved to
 * the conflicts folder, never deleted. The shared folder and other backups are never
 * touched. Accounts that are not linked need nothing. Without any backup, an empty
 * folder is created in the link's place (and a warning says so).
 *
 * @throws SharedSessionsError `EINVALID_OPTION` when the chosen backup does not exist, or
 * when `carry` is asked and the snapshot lacks the backup's tree (inspect with `backups`).
 * @example
 * ```ts
 * const snapshot = await inspect({ accounts, backups: true });
 * const plan = planRollback(snapshot, { id: 'r1', now: Date.now(), carry: 'own' });
 * ```
 */
export function planRollback(snapshot: Snapshot, options: RollbackOptions): Plan {
  const b = new PlanBuilder(snapshot, options);
  b.noteAccounts();
  const carry = options.carry ?? 'none';
  if (carry !== 'none' && carry !== 'own' && carry !== 'all') {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      `carry must be 'none', 'own' or 'all', not ${JSON.stringify(carry)}.`,
    );
  }
  // Putting the backups back is always allowed; carrying files out of a folder others
  // can write to is not (they could have planted them).
  if (carry !== 'none') assertSafeShared(snapshot, `carry files back (carry: '${carry}')`);
  for (const u of snapshot.unsafe ?? []) b.warn('unsafe-shared', u.reason, u.path);
  for (const account of snapshot.accounts) {
    if (!account.exists) continue;
    for (const folder of snapshot.folders) {
      const f = account.folders[folder];
      const shared = snapshot.shared[folder];
      if (!f || !shared || f.kind !== 'linked') continue;
      const backup = chooseBackup(account, folder, options.backup);
      if (carry !== 'none' && backup && !backup.entries) {
        throw new SharedSessionsError(
          ErrorCodes.INVALID_OPTION,
          `To carry sessions back, the snapshot needs the tree of ${backup.path}: inspect with backups: true (or the stamp to restore).`,
          { path: backup.path },
        );
      }
      b.add({
        type: 'unlinkSymlink',
        reason: 'unlink',
        path: f.path,
        expect: { type: 'symlink', target: f.linkText ?? shared.path },
        account: account.realPath,
      });
      if (backup) {
        b.add({
          type: 'rename',
          reason: 'restore',
          from: backup.path,
          to: f.path,
          expectFrom: { type: 'directory' },
          expectTo: { type: 'absent' },
          account: account.realPath,
        });
      } else {
        b.add({
          type: 'mkdir',
          reason: 'restore',
          path: f.path,
          mode: 0o700,
          expect: { type: 'absent' },
          account: account.realPath,
        });
        b.warn(
          'no-backup',
          `${account.path} has no ${folder}.bak.* backup; an empty ${folder}/ takes the link's place${carry === 'all' ? ' and the shared files are carried into it' : ". Use carry: 'all' to copy the shared files into it"}.`,
          f.path,
        );
      }
      if (carry !== 'none' && shared.kind === 'directory') {
        carryBack(b, account, folder, shared.path, shared.entries, f.path, backup, carry);
      }
    }
  }
  return b.finish('rollback', options);
}

function carryBack(
  b: PlanBuilder,
  account: AccountSnapshot,
  folder: string,
  sharedRoot: string,
  sharedEntries: readonly TreeEntry[],
  dest: string,
  backup: BackupSnapshot | undefined,
  carry: 'own' | 'all',
): void {
  const backupEntries = new Map((backup?.entries ?? []).map((e) => [e.path, e]));
  const since = backup ? sharedSinceMs(backup.stamp) : undefined;
  for (const e of sharedEntries) {
    if (e.type !== 'file' || e.unreadable !== undefined) continue;
    const parts = e.path.split('/');
    const from = join(sharedRoot, ...parts);
    const to = join(dest, ...parts);
    const be = backupEntries.get(e.path);
    if (!be) {
      if (carry === 'own') {
        const top = parts[0] ?? '';
        const ownFolder = parts.length >= 2 && backupEntries.get(top)?.type === 'directory';
        if (!ownFolder || since === undefined || e.mtimeMs < since) continue;
      }
      if (!b.ensureDir(dirname(to), 0o700, account.realPath) || b.state.lookup(to).type !== 'absent') {
        b.warn(
          'type-clash',
          `${to} cannot receive ${from}: something else is in the way. It stays in the shared folder.`,
          to,
        );
        continue;
      }
      b.add({
        type: 'copyFile',
        reason: 'carry',
        from,
        to,
        expectFrom: b.expectFile(e),
        expectTo: { type: 'absent' },
        account: account.realPath,
      });
      continue;
    }
    if (be.type !== 'file') {
      b.warn('type-clash', `${to} is not a file in the backup; ${from} is not carried back.`, to);
      continue;
    }
    if (be.hash !== undefined && be.hash === e.hash) continue;
    if (be.hash === undefined || e.hash === undefined) continue;
    const grew = isPrefixOf({ size: be.size, hash: be.hash }, { size: e.size, entry: e });
    if (grew && e.path.endsWith('.jsonl')) {
      const aside = asidePath(b, folder, e.path, { hash: be.hash, key: be.hash, size: be.size, entry: be }, false);
      b.ensureDir(dirname(aside));
      b.add({
        type: 'rename',
        reason: 'superseded',
        from: to,
        to: aside,
        expectFrom: b.expectFile(be),
        expectTo: { type: 'absent' },
        account: account.realPath,
      });
      b.add({
        type: 'copyFile',
        reason: 'carry',
        from,
        to,
        expectFrom: b.expectFile(e),
        expectTo: { type: 'absent' },
        account: account.realPath,
      });
      continue;
    }
    if (isPrefixOf({ size: e.size, hash: e.hash }, { size: be.size, entry: be })) continue;
    b.warn(
      'carry-differs',
      `${to} differs from the shared copy ${from} (neither is a prefix of the other); the backup's copy is restored and the shared copy stays where it is.`,
      to,
    );
  }
}
