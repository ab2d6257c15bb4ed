/**
 * What is wrong with an account's folder or a shared folder, reported as a plan conflict:
 * merge, backup and link all leave such a folder alone and say why.
 */
import type { AccountSnapshot, Snapshot } from '../inspect/types.js';
import type { PlanBuilder } from './builder.js';

/** True when an account's folder of this name can take part (merged, backed up, linked). */
export function sharedUsable(snapshot: Snapshot, folder: string): boolean {
  const kind = snapshot.shared[folder]?.kind;
  return kind === 'directory' || kind === 'missing';
}

/** Reports an account folder that cannot be merged, backed up or linked; true when it was one. */
export function reportBadAccountFolder(b: PlanBuilder, account: AccountSnapshot, folder: string): boolean {
  const f = account.folders[folder];
  if (!f) return true;
  const shared = b.snapshot.shared[folder]?.path ?? '';
  switch (f.kind) {
    case 'symlink-elsewhere':
      b.conflict({
        code: 'link-elsewhere',
        message: `${f.path} is a link to ${f.linkTarget ?? f.linkText}, not to the shared folder ${shared}. It is left alone; if that folder holds sessions, point the account at it yourself or remove the link and plan again.`,
        paths: [f.path, f.linkTarget ?? f.linkText ?? ''],
        resolution: 'skipped',
      });
      return true;
    case 'dangling-symlink':
      b.conflict({
        code: 'dangling-link',
        message: `${f.path} is a link to ${f.linkTarget ?? f.linkText}, which does not exist. It is left alone; remove the link (rm ${f.path}) and plan again.`,
        paths: [f.path],
        resolution: 'skipped',
      });
      return true;
    case 'not-a-directory':
      b.conflict({
        code: 'not-a-directory',
        message: `${f.path} is not a folder. It is left alone; move it away and plan again.`,
        paths: [f.path],
        resolution: 'skipped',
      });
      return true;
    case 'unreadable':
      b.conflict({
        code: 'unreadable',
        message: `${f.path} could not be read. It is left alone; check its owner and mode (ls -ld ${f.path}).`,
        paths: [f.path],
        resolution: 'skipped',
      });
      return true;
    default:
      return false;
  }
}

/** Reports a shared folder that is not usable; true when it is not. */
export function reportBadShared(b: PlanBuilder, folder: string): boolean {
  const tree = b.snapshot.shared[folder];
  if (!tree || sharedUsable(b.snapshot, folder)) return false;
  const code =
    tree.kind === 'dangling-symlink' ? 'dangling-link' : tree.kind === 'unreadable' ? 'unreadable' : 'not-a-directory';
  b.conflict({
    code,
    message: `The shared ${folder} folder ${tree.path} is ${tree.kind === 'dangling-symlink' ? 'a link to nothing' : tree.kind === 'unreadable' ? 'unreadable' : 'not a folder'}. Nothing is shared into it; fix or move it and plan again.`,
    paths: [tree.path],
    resolution: 'skipped',
  });
  return true;
}
