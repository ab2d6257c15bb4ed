import { isAbsolute, relative, resolve } from 'node:path';
import type { FolderState } from '../accounts/types.js';
import { tildePath } from '../util/text.js';

/**
 * An account's link that names another copy of the shared folder: a home folder copied
 * with `cp -a` or restored from a backup keeps absolute links, which still point into the
 * old home. Recognised by the link's target ending with the same path as the shared folder
 * has under the home (`.claude-shared/projects`), or with its last two names when the
 * shared folder is outside the home.
 */
export interface CopiedLink {
  account: string;
  folder: string;
  /** The account's folder (the link). */
  path: string;
  /** Where it points: the other copy. */
  linkTarget: string;
  /** This home's shared folder, which it should point to. */
  shared: string;
  /** Whether the other copy still exists. */
  dangling: boolean;
  /** What to do, in words. */
  advice: string;
}

function under(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function segments(path: string): string[] {
  return path.split(/[\\/]+/).filter((s) => s !== '');
}

/** The link's target when it looks like a copy of `sharedDir` elsewhere, else undefined. */
export function copiedSharedTarget(state: FolderState, sharedDir: string, home: string): string | undefined {
  if (state.kind !== 'symlink-elsewhere' && state.kind !== 'dangling-symlink') return undefined;
  if (state.linkText === undefined || state.linkTarget === undefined) return undefined;
  const target = resolve(state.linkTarget);
  const shared = resolve(sharedDir);
  if (target === shared) return undefined;
  const tail = under(resolve(home), shared) ? segments(relative(home, shared)) : segments(shared).slice(-2);
  if (tail.length === 0) return undefined;
  const own = segments(target);
  if (own.length <= tail.length) return undefined;
  const end = own.slice(-tail.length);
  return end.every((s, i) => s === tail[i]) ? target : undefined;
}

/** The explanation and fix for an account's link into another copy of the shared folder. */
export function copiedLinkAdvice(home: string, state: FolderState, sharedDir: string): string | undefined {
  const target = copiedSharedTarget(state, sharedDir, home);
  if (target === undefined) return undefined;
  const where = tildePath(home, state.path);
  const dangling = state.kind === 'dangling-symlink';
  const kind = state.linkText !== undefined && isAbsolute(state.linkText) ? 'an absolute link' : 'a link';
  const fix = dangling
    ? `rm ${where}`
    : `rm ${where} && cp -a ${target} ${where} (this keeps what Claude Code wrote there: apply merges it in, with a backup)`;
  return (
    `${where} is ${kind} to ${target}, another copy of the shared folder ${tildePath(home, sharedDir)}` +
    ` (this home was probably copied with cp -a or restored from a backup; the link still names the old place).` +
    ` Claude Code in this account ${dangling ? 'sees no sessions there, since that copy is gone' : 'reads and writes that copy, not this one'}.` +
    ` To link it to this home's shared folder: ${fix}, then \`claude-shared-sessions apply --relative\`` +
    ` (relative links keep working when the home is copied again).`
  );
}

/** Every account link into another copy of its shared folder. */
export function copiedLinks(
  where: { home: string; folders: readonly string[]; sharedDirs: Readonly<Record<string, string>> },
  accounts: readonly { path: string; folders: Record<string, FolderState> }[],
): CopiedLink[] {
  const { home } = where;
  const out: CopiedLink[] = [];
  for (const a of accounts) {
    for (const folder of where.folders) {
      const state = a.folders[folder];
      const shared = where.sharedDirs[folder];
      if (!state || shared === undefined) continue;
      const advice = copiedLinkAdvice(home, state, shared);
      const target = copiedSharedTarget(state, shared, home);
      if (advice === undefined || target === undefined) continue;
      out.push({
        account: a.path,
        folder,
        path: state.path,
        linkTarget: target,
        shared,
        dangling: state.kind === 'dangling-symlink',
        advice,
      });
    }
  }
  return out;
}
