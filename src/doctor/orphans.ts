import { join } from 'node:path';
import type { Account } from '../accounts/types.js';
import type { FileSystem } from '../fs/types.js';
import { sessionIdOfFile } from '../layout/names.js';
import { plural, tildePath } from '../util/text.js';
import type { Finding } from './finding.js';

/** How many of the sessions are named one by one in the finding. */
const LISTED = 20;

/**
 * After a rollback, no account is linked to the shared folder any more: a session that is
 * in the shared folder but in no account's `projects/<project>/` is one no Claude Code
 * lists or resumes by id (made with `claude -p`, which records nothing per account, or
 * left there with `--carry none`). One finding names them.
 */
export async function orphanFindings(
  fs: FileSystem,
  sharedDir: string,
  home: string,
  accounts: readonly Account[],
): Promise<Finding[]> {
  if (accounts.some((a) => a.projects.kind === 'linked')) return [];
  const tilde = (path: string) => tildePath(home, path);
  const orphans = await sessionsOnlyIn(fs, sharedDir, accounts);
  if (orphans.length === 0) return [];
  const shown = orphans.slice(0, LISTED).map((p) => `    ${tilde(p)}`);
  if (orphans.length > LISTED) shown.push(`    ... and ${orphans.length - LISTED} more`);
  return [
    {
      code: 'SESSIONS_ONLY_IN_SHARED',
      severity: 'warning',
      message: `${plural(orphans.length, 'session')} ${orphans.length === 1 ? 'is' : 'are'} only in the old shared folder ${tilde(sharedDir)}, which no account links to: no Claude Code lists or resumes ${orphans.length === 1 ? 'it' : 'them'}. Copy each into the projects/<project>/ folder of the account it belongs to (cp -p keeps the mtime the picker sorts by), or share again with \`apply\`:\n${shown.join('\n')}`,
      path: sharedDir,
      fixable: false,
    },
  ];
}

/** Top-level transcripts of `shared` (`<project>/<uuid>.jsonl`) that no account's real `projects/` folder has. */
async function sessionsOnlyIn(fs: FileSystem, shared: string, accounts: readonly Account[]): Promise<string[]> {
  const projects = await names(fs, shared, 'directory');
  const homes = accounts.filter((a) => a.projects.kind === 'directory').map((a) => a.projects.path);
  const out: string[] = [];
  for (const project of projects) {
    const files = (await names(fs, join(shared, project), 'file')).filter((n) => sessionIdOfFile(n) !== undefined);
    if (files.length === 0) continue;
    const held = new Set<string>();
    for (const home of homes) for (const n of await names(fs, join(home, project), 'file')) held.add(n);
    for (const n of files) if (!held.has(n)) out.push(join(shared, project, n));
  }
  return out;
}

async function names(fs: FileSystem, dir: string, type: 'file' | 'directory'): Promise<string[]> {
  try {
    return (await fs.readdir(dir))
      .filter((e) => e.type === type)
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
