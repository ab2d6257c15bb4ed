import { join } from 'node:path';
import type { DirEntry } from '../fs/types.js';
import { resolveFolders } from '../layout/folders.js';
import { type DiscoverOptions, discoverAccountsWith, folderState, resolveCommonOptions } from './discover.js';

/**
 * The folders the accounts share, as `share` left them on disk: `projects`, then every
 * other top-level folder of an account that is a link to the shared folder of the same
 * name (beside the shared `projects` folder, or where `sharedDirs` puts it), sorted by
 * name. The links are the record: a folder shared once with `folders: ['todos']` is found
 * again without naming it, and one whose links `rollback` removed is not. Reads only.
 *
 * @example
 * ```ts
 * await sharedFolders({ home: '/home/me' }); // ['projects', 'todos']
 * ```
 */
export async function sharedFolders(options: DiscoverOptions = {}): Promise<string[]> {
  const { fs, sharedDir } = resolveCommonOptions(options);
  const accounts = await discoverAccountsWith(
    { ...options, fs, folders: ['projects'] },
    {
      sessionSizes: false,
      countSessions: false,
    },
  );
  const found = new Set<string>();
  for (const account of accounts) {
    if (!account.exists) continue;
    let entries: DirEntry[];
    try {
      entries = await fs.readdir(account.path);
    } catch {
      continue; // discovery reported why
    }
    for (const e of entries) {
      if (e.type !== 'symlink' || e.name === 'projects' || found.has(e.name) || !shareable(e.name)) continue;
      const shared = resolveCommonOptions({ ...options, sharedDir, folders: [e.name] }).sharedDirs[e.name];
      if (shared === undefined) continue;
      const state = await folderState(fs, join(account.path, e.name), e.name, shared);
      if (state.kind === 'linked') found.add(e.name);
    }
  }
  return resolveFolders([...found].sort());
}

/** A name `resolveFolders` accepts: not per-account (credentials, settings, `sessions/`, ...). */
function shareable(name: string): boolean {
  try {
    resolveFolders([name]);
    return true;
  } catch {
    return false;
  }
}
