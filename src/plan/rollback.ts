import { dirname, join } from 'node:path';
import { ErrorCodes, SharedSessionsError } from '../errors.js';
import type { AccountSnapshot, BackupSnapshot, SettingsBefore, Snapshot, TreeEntry } from '../inspect/types.js';
import { DEFAULT_CLEANUP_PERIOD_DAYS, isSessionId, sessionIdOfFile } from '../layout/names.js';
import { asidePath, isPrefixOf } from './aside.js';
import { freeBackupPath } from './backup.js';
import { assertSafeShared, PlanBuilder, type PlanContext } from './builder.js';
import { createdSettingsText, rewriteSettings, settingsState } from './cleanup.js';
import { deriveForkSessionId } from './fingerprint.js';
import { planFork, sidecarsOf } from './fork.js';
import { removeCleanupPeriodDays, setCleanupPeriodDays } from './settings-text.js';
import type { Plan } from './types.js';

/**
 * Which sessions made or extended while shared are copied back into a restored folder.
 * - `none`: the backup comes back exactly as it was.
 * - `own` (the default): the account's own sessions, by what Claude Code records per
 *   account: every session its `history.jsonl` names (the TUI writes a line per prompt)
 *   that the backup lacks, in any project, with its sidecar folder; a session of the
 *   backup that grew (the backup's copy is a byte prefix of the shared copy); and a
 *   session of the backup whose shared copy diverged from it after the account prompted
 *   in it while shared, which comes back as a fork (a new id) beside the backup's copy.
 *   Files that are not sessions (memory notes, ...) come back when they are new inside
 *   the backup's own top-level folders and modified after the backup was made.
 *   Sessions no account's records name (print mode, `claude -p`, writes none) are not
 *   carried: the plan lists each one that no restored account will reach.
 * - `all`: every file of the shared folder the backup lacks, and every transcript that
 *   grew (the manual recipe's `rsync -a --update`, except that nothing the backup has is
 *   ever overwritten unless it is a prefix of the shared copy); a diverged session
 *   changed while shared comes back as a fork.
 */
export type Carry = 'none' | 'own' | 'all';

export interface RollbackOptions extends PlanContext {
  /**
   * @default 'own' (falls back to 'none', with a warning, when the snapshot lacks the
   * backups' trees or the shared folder is unsafe to carry from; given explicitly, those
   * are errors)
   */
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

/** The start of the backup's stamp second: a prompt at or after it was (or may have been) made while shared. */
function stampStartMs(stamp: string): number | undefined {
  const m = /^(\d+)(?:\.\d+)?$/.exec(stamp);
  return m ? Number(m[1]) * 1000 : undefined;
}

/** The session a path of `projects/` belongs to: `<p>/<id>.jsonl` or `<p>/<id>/...`; and whether it is the transcript. */
function sessionOfPath(parts: readonly string[]): { id: string; transcript: boolean } | undefined {
  const second = parts[1];
  if (second === undefined) return undefined;
  if (parts.length === 2) {
    const id = sessionIdOfFile(second);
    return id === undefined ? undefined : { id, transcript: true };
  }
  return isSessionId(second) ? { id: second, transcript: false } : undefined;
}

/** What each restored account will hold after the plan, to find sessions no account reaches. */
interface Reach {
  /** Shared-folder relative paths copied (or forked) into some account. */
  carried: Set<string>;
  /** Per restored account of `projects`: its backup's entries (undefined: no backup). */
  restored: { account: AccountSnapshot; entries: ReadonlyMap<string, TreeEntry> | undefined }[];
  /** False when a restored account's backup tree is unknown, so nothing can be counted. */
  known: boolean;
  /** `<folder>/<rel>` -> content hashes the restored backups hold there. */
  held: Map<string, string[]>;
  /** Shared copies that diverged from a backup's copy and were not carried to that account. */
  differs: { folder: string; rel: string; hash: string; to: string; from: string }[];
}

// Long on purpose: the phases (restore, carry, settings, unreached sessions) run in
// this order on one builder, each reading what the earlier ones planned.
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
  const explicit = options.carry !== undefined;
  let carry = options.carry ?? 'own';
  if (carry !== 'none' && carry !== 'own' && carry !== 'all') {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      `carry must be 'none', 'own' or 'all', not ${JSON.stringify(carry)}.`,
    );
  }
  // Putting the backups back is always allowed; carrying files out of a folder others
  // can write to is not (they could have planted them).
  if (carry !== 'none') {
    if (explicit || (snapshot.unsafe ?? []).length === 0)
      assertSafeShared(snapshot, `carry files back (carry: '${carry}')`);
    else {
      carry = 'none';
      b.warn(
        'carry-skipped',
        "The shared folder is not safe to carry files out of (see the unsafe-shared warnings), so no session made while shared is carried back (the default is carry: 'own'). The sessions listed as reachable from no account stay in the shared folder.",
      );
    }
  }
  for (const u of snapshot.unsafe ?? []) b.warn('unsafe-shared', u.reason, u.path);
  const settingsToRestore: { account: AccountSnapshot; before: SettingsBefore }[] = [];
  const reach: Reach = { carried: new Set(), restored: [], known: true, held: new Map(), differs: [] };
  // What the restored backups hold, to stay quiet about a shared copy another account gets back.
  for (const account of snapshot.accounts) {
    for (const folder of snapshot.folders) {
      if (!account.exists || account.folders[folder]?.kind !== 'linked') continue;
      for (const e of chooseBackup(account, folder, options.backup)?.entries ?? []) {
        if (e.hash === undefined) continue;
        const key = `${folder}/${e.path}`;
        reach.held.set(key, [...(reach.held.get(key) ?? []), e.hash]);
      }
    }
  }
  for (const account of snapshot.accounts) {
    if (!account.exists) continue;
    for (const folder of snapshot.folders) {
      const f = account.folders[folder];
      const shared = snapshot.shared[folder];
      if (!f || !shared || f.kind !== 'linked') continue;
      const backup = chooseBackup(account, folder, options.backup);
      let accountCarry = carry;
      if (carry !== 'none' && backup && !backup.entries) {
        if (explicit) {
          throw new SharedSessionsError(
            ErrorCodes.INVALID_OPTION,
            `To carry sessions back, the snapshot needs the tree of ${backup.path}: inspect with backups: true (or the stamp to restore).`,
            { path: backup.path },
          );
        }
        accountCarry = 'none';
      }
      if (folder === 'projects') {
        reach.restored.push({
          account,
          entries: backup ? (backup.entries ? new Map(backup.entries.map((e) => [e.path, e])) : undefined) : new Map(),
        });
        if (backup && !backup.entries) reach.known = false;
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
      if (accountCarry !== 'none' && shared.kind === 'directory') {
        carryBack(b, account, folder, shared.path, shared.entries, f.path, backup, accountCarry, reach);
      }
      if (folder === 'projects' && backup?.settingsBefore)
        settingsToRestore.push({ account, before: backup.settingsBefore });
    }
  }
  // Last, once every restored account reads its own folder again: its own cleanup period.
  for (const { account, before } of settingsToRestore) restoreCleanupPeriod(b, account, before);
  for (const d of reach.differs) {
    // Another restored account gets this copy back (as it is, or grown): nothing to say.
    if (reach.held.get(`${d.folder}/${d.rel}`)?.includes(d.hash)) continue;
    if (d.folder === 'projects' && sessionOfPath(d.rel.split('/'))?.transcript && reach.carried.has(d.rel)) continue;
    b.warn(
      'carry-differs',
      `${d.to} differs from the shared copy ${d.from} (neither is a prefix of the other); the backup's copy is restored and the shared copy stays where it is.`,
      d.to,
    );
  }
  reportUnreached(b, snapshot, reach);
  return b.finish('rollback', options);
}

/**
 * Every session of the shared `projects/` that no restored account holds after the plan
 * (in its backup, as the same or a longer copy, or carried), when no account stays
 * linked: one warning with the count and each session. A fork that `share` made of a
 * diverged copy is reached through the backup copy it was made from.
 */
function reportUnreached(b: PlanBuilder, snapshot: Snapshot, reach: Reach): void {
  const shared = snapshot.shared.projects;
  if (reach.restored.length === 0 || !shared || shared.kind !== 'directory') return;
  // Accounts of this snapshot that stay linked still reach everything.
  const rolledBack = new Set(reach.restored.map((r) => r.account.realPath));
  if (snapshot.accounts.some((a) => a.folders.projects?.kind === 'linked' && !rolledBack.has(a.realPath))) return;
  if (!reach.known) {
    b.warn(
      'unreached-unknown',
      "The snapshot lacks the backups' trees, so the sessions that no account will reach after this rollback cannot be listed (the rollback verb reads them; inspect with backups: true).",
      shared.path,
    );
    return;
  }
  const forksReached = new Set<string>();
  for (const r of reach.restored) {
    for (const e of r.entries?.values() ?? []) {
      const parts = e.path.split('/');
      const s = sessionOfPath(parts);
      if (!s?.transcript || e.hash === undefined) continue;
      forksReached.add(`${parts[0]}/${deriveForkSessionId(s.id, e.hash)}.jsonl\0${e.size}\0${e.mtimeMs}`);
    }
  }
  const unreached: TreeEntry[] = [];
  for (const e of shared.entries) {
    if (e.type !== 'file') continue;
    const parts = e.path.split('/');
    if (!sessionOfPath(parts)?.transcript) continue;
    if (reach.carried.has(e.path)) continue;
    if (forksReached.has(`${e.path}\0${e.size}\0${e.mtimeMs}`)) continue;
    const held = reach.restored.some(({ entries }) => {
      const be = entries?.get(e.path);
      if (be?.type !== 'file') return false;
      if (be.size === e.size && be.hash !== undefined && be.hash === e.hash) return true;
      return e.hash !== undefined && isPrefixOf({ size: e.size, hash: e.hash }, { size: be.size, entry: be });
    });
    if (!held) unreached.push(e);
  }
  if (unreached.length === 0) return;
  const n = unreached.length;
  b.warn(
    'unreached-sessions',
    `${n} session${n === 1 ? '' : 's'} of the shared folder will be reachable from no account after this rollback (no restored account holds ${n === 1 ? 'it' : 'them'}, and no account's history.jsonl names ${n === 1 ? 'it' : 'them'} as its own, as for sessions made with claude -p). ${n === 1 ? 'It stays' : 'They stay'} in ${shared.path}, which rollback never deletes, and \`doctor\` lists ${n === 1 ? 'it' : 'them'} afterwards; carry: 'all' copies every one into every account, or copy one into an account's projects/<project>/ by hand (cp -p): ${unreached
      .map((e) => `${join(shared.path, ...e.path.split('/'))} (modified ${new Date(e.mtimeMs).toISOString()})`)
      .join('; ')}.`,
    shared.path,
  );
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
  reach: Reach,
): void {
  const backupEntries = new Map((backup?.entries ?? []).map((e) => [e.path, e]));
  const since = backup ? sharedSinceMs(backup.stamp) : undefined;
  const promptedSince = backup ? stampStartMs(backup.stamp) : undefined;
  const records = account.sessionRecords ?? {};
  /** Copies a file of the shared folder back into the account (a session made or extended while shared). */
  const carryBack = (from: string, to: string, e: TreeEntry) => {
    b.add({
      type: 'copyFile',
      reason: 'carry',
      from,
      to,
      expectFrom: b.expectFile(e),
      expectTo: { type: 'absent' },
      account: account.realPath,
    });
    carried(e.path);
  };
  const carried = (rel: string) => {
    if (folder === 'projects') reach.carried.add(rel);
  };
  for (const e of sharedEntries) {
    if (e.type !== 'file' || e.unreadable !== undefined) continue;
    const parts = e.path.split('/');
    const session = folder === 'projects' ? sessionOfPath(parts) : undefined;
    const from = join(sharedRoot, ...parts);
    const to = join(dest, ...parts);
    const be = backupEntries.get(e.path);
    if (!be) {
      if (carry === 'own') {
        if (session) {
          // A session is the account's when its history names it (any project, new ones too).
          if (!Object.hasOwn(records, session.id)) continue;
        } else {
          const top = parts[0] ?? '';
          const ownFolder = parts.length >= 2 && backupEntries.get(top)?.type === 'directory';
          if (!ownFolder || since === undefined || e.mtimeMs < since) continue;
        }
      }
      if (!b.ensureDir(dirname(to), 0o700, account.realPath) || b.state.lookup(to).type !== 'absent') {
        b.warn(
          'type-clash',
          `${to} cannot receive ${from}: something else is in the way. It stays in the shared folder.`,
          to,
        );
        continue;
      }
      carryBack(from, to, e);
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
      carryBack(from, to, e);
      continue;
    }
    if (isPrefixOf({ size: e.size, hash: e.hash }, { size: be.size, entry: be })) continue;
    // Diverged from the backup's copy. When this account prompted in it while shared (or
    // with carry 'all', when it changed while shared), the shared version comes back
    // beside the backup's copy as a fork, so that what was added stays reachable.
    const promptedHere =
      session?.transcript === true &&
      promptedSince !== undefined &&
      (records[session.id] ?? Number.NEGATIVE_INFINITY) >= promptedSince;
    const changedWhileShared = carry === 'all' && since !== undefined && e.mtimeMs >= since;
    if (session?.transcript && (promptedHere || changedWhileShared)) {
      const project = parts[0] ?? '';
      const fork = planFork(b, {
        from,
        entry: e,
        sessionId: session.id,
        projectDir: join(dest, project),
        contentKey: e.hash,
        account: account.realPath,
        reason: 'carry',
        sidecars: sidecarsOf(sharedEntries, sharedRoot, project, session.id).filter(
          (s) => !backupEntries.has(`${project}/${session.id}/${s.rel}`),
        ),
      });
      carried(e.path);
      b.warn(
        'carried-as-fork',
        `${to} is restored from the backup, and the shared copy ${from}, which ${promptedHere ? `${account.path} prompted in` : 'changed'} while shared and which diverged from it, comes back beside it as session ${fork.newSessionId} (${fork.path}).`,
        fork.path,
      );
      continue;
    }
    reach.differs.push({ folder, rel: e.path, hash: e.hash, to, from });
  }
}

/**
 * Puts back the account's own `cleanupPeriodDays` as it was before the share that made
 * the restored backup raised it (`before`): the same value, or no value, or no
 * `settings.json` at all when the share created the file. Only that key changes (other
 * settings added since are kept), the file as it is now is kept as
 * `settings.json.bak.<stamp>`, and nothing is done when it already says the same.
 */
function restoreCleanupPeriod(b: PlanBuilder, account: AccountSnapshot, before: SettingsBefore): void {
  const s = account.settings;
  const beforeText =
    before.existed && before.cleanupPeriodDays !== undefined
      ? `${before.cleanupPeriodDays} days`
      : `unset (Claude Code's default, ${DEFAULT_CLEANUP_PERIOD_DAYS} days)${before.existed ? '' : `, with no ${s.path}`}`;
  const manual = `Before sharing it was ${beforeText} (${before.path}); set it back by hand if you want it.`;
  if (before.unreadable) {
    b.warn(
      'settings-not-restored',
      `${before.path}, the copy of ${s.path} kept when sharing, cannot be read as JSON, so cleanupPeriodDays is left as it is (${s.cleanupPeriodDaysSet ? s.cleanupPeriodDays : `unset, ${DEFAULT_CLEANUP_PERIOD_DAYS}`} days).`,
      s.path,
    );
    return;
  }
  const wantSet = before.existed && before.cleanupPeriodDays !== undefined;
  if (s.type === 'missing') {
    if (!wantSet) return; // no file: the default, as before
    b.warn(
      'settings-not-restored',
      `${s.path} was removed after sharing, so Claude Code's default (${DEFAULT_CLEANUP_PERIOD_DAYS} days) applies. ${manual}`,
      s.path,
    );
    return;
  }
  if (s.type !== 'file' || s.malformed || s.text === undefined || s.size === undefined || s.mtimeMs === undefined) {
    b.warn(
      'settings-not-restored',
      `${s.path} is ${s.type === 'symlink' ? "a link (a dotfile manager's?)" : s.malformed ? 'not valid JSON' : 'not a file rollback can edit'}, so cleanupPeriodDays is not restored. ${manual}`,
      s.path,
    );
    return;
  }
  // Already as before (a file the share created whose key was removed since counts as that).
  if (wantSet ? s.cleanupPeriodDaysSet && s.cleanupPeriodDays === before.cleanupPeriodDays : !s.cleanupPeriodDaysSet) {
    return;
  }
  const from = s.cleanupPeriodDaysSet ? s.cleanupPeriodDays : DEFAULT_CLEANUP_PERIOD_DAYS;
  const to = wantSet ? (before.cleanupPeriodDays as number) : DEFAULT_CLEANUP_PERIOD_DAYS;
  const change = { from, fromSet: s.cleanupPeriodDaysSet, to, toSet: wantSet, restore: true as const };
  const expect = settingsState({ size: s.size, mtimeMs: s.mtimeMs, mode: s.mode, hash: s.hash });

  // The share created the file and nothing was added since: it goes (kept as a backup).
  if (!before.existed && s.cleanupPeriodDaysSet && s.text === createdSettingsText(s.cleanupPeriodDays)) {
    b.add({
      type: 'rename',
      reason: 'cleanup-period',
      from: s.path,
      to: freeBackupPath(b, account, 'settings.json'),
      expectFrom: expect,
      expectTo: { type: 'absent' },
      account: account.realPath,
      cleanupPeriodDays: change,
    });
    return;
  }
  const content = wantSet
    ? setCleanupPeriodDays(s.text, before.cleanupPeriodDays as number)
    : removeCleanupPeriodDays(s.text);
  if (content === undefined) {
    b.warn('settings-not-restored', `${s.path} could not be edited safely. ${manual}`, s.path);
    return;
  }
  rewriteSettings(b, account, { path: s.path, mode: s.mode, expect, content, change });
}
