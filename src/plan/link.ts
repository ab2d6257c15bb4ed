import { dirname, relative } from 'node:path';
import { ErrorCodes, SharedSessionsError } from '../errors.js';
import type { AccountSnapshot, Snapshot } from '../inspect/types.js';
import { assertSafeShared, PlanBuilder, type PlanContext } from './builder.js';
import { reportBadAccountFolder, reportBadShared } from './folder-problems.js';
import type { Plan } from './types.js';

export interface LinkOptions extends PlanContext {
  /**
   * Kind of link: `junction` on Windows (no administrator rights needed), `dir` elsewhere.
   * The async verbs choose by `process.platform`.
   * @default 'dir'
   */
  linkType?: 'dir' | 'junction';
  /**
   * Write each link as a path relative to the account's folder
   * (`~/.claude-2/projects -> ../.claude-shared/projects`) instead of the shared folder's
   * absolute path, so that a home folder copied with `cp -a` or restored from a backup to
   * another place still links to its own shared folder. Not possible with junctions.
   * @default false
   */
  relative?: boolean;
}

/** Adds the links: each account's folder becomes a link to the shared folder's real path. */
export function linkPhase(
  b: PlanBuilder,
  options: Pick<LinkOptions, 'linkType' | 'relative'>,
  only?: (account: AccountSnapshot, folder: string) => boolean,
): void {
  if (options.relative === true && options.linkType === 'junction') {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      'Relative links cannot be junctions (Windows junctions hold absolute paths). Leave out --relative (relative: true), or use linkType "dir" with Developer Mode enabled.',
    );
  }
  for (const folder of b.snapshot.folders) {
    if (reportBadShared(b, folder)) continue;
    const shared = b.snapshot.shared[folder];
    if (!shared) continue;
    let ensured = false;
    for (const account of b.snapshot.accounts) {
      if (!account.exists) continue;
      const f = account.folders[folder];
      if (!f || reportBadAccountFolder(b, account, folder)) continue;
      if (only && !only(account, folder)) continue;
      const cur = b.state.lookup(f.path);
      if (f.kind === 'linked' && cur.type === 'symlink') continue;
      if (cur.type === 'directory') {
        b.conflict({
          code: 'unmerged',
          message: `${f.path} is a real folder. Linking would hide what is in it: merge it into the shared folder and back it up first (share does all three), then link.`,
          paths: [f.path],
          resolution: 'skipped',
        });
        continue;
      }
      if (cur.type !== 'absent') continue;
      if (!ensured) {
        b.ensureDir(shared.path);
        ensured = true;
      }
      // Both paths are real (the account's real folder, the shared folder's realpath), so
      // the relative text resolves the same way the kernel follows it.
      const text = options.relative === true ? relative(dirname(f.path), shared.path) : undefined;
      b.add({
        type: 'symlink',
        reason: 'link',
        path: f.path,
        target: shared.path,
        ...(text !== undefined && text !== '' ? { linkText: text } : {}),
        linkType: options.linkType ?? 'dir',
        expect: { type: 'absent' },
        account: account.realPath,
      });
    }
  }
}

/**
 * Plans making each account's folder a link to the shared folder's real path (a junction
 * on Windows), creating the shared folder when it does not exist. Already linked: nothing
 * to do. A real folder (not merged and backed up yet), a link elsewhere, a dangling link
 * or a file is reported as a conflict and never overwritten.
 *
 * @example
 * ```ts
 * const plan = planLink(snapshot, { id: 'l1', now: Date.now() });
 * plan.conflicts.filter((c) => c.code === 'unmerged'); // accounts to run share for instead
 * ```
 */
export function planLink(snapshot: Snapshot, options: LinkOptions): Plan {
  assertSafeShared(snapshot, 'link accounts to it');
  const b = new PlanBuilder(snapshot, options);
  b.noteAccounts();
  linkPhase(b, options);
  return b.finish('link', options);
}
