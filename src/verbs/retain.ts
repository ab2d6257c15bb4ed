import { randomUUID } from 'node:crypto';
import { type DiscoverOptions, resolveCommonOptions } from '../accounts/discover.js';
import { type RetainState, readRetainState } from '../doctor/retained.js';
import type { FileSystem } from '../fs/types.js';
import { resolveFolders } from '../layout/folders.js';
import { NOT_RETAINED_FOLDERS, planRetain, type RetainPlanOptions } from '../plan/retain.js';
import type { Plan } from '../plan/types.js';
import { hostCaseInsensitive } from '../util/host.js';

/** The retained state of each shared folder that Claude Code's cleanup can delete from (not `memory`). */
export async function readRetainStates(
  fs: FileSystem,
  folders: readonly string[],
  sharedDirs: Readonly<Record<string, string>>,
): Promise<RetainState[]> {
  const states: RetainState[] = [];
  for (const folder of folders) {
    const dir = sharedDirs[folder];
    if (!NOT_RETAINED_FOLDERS.includes(folder) && dir !== undefined) states.push(await readRetainState(fs, dir));
  }
  return states;
}

/** Where the shared folders are ({@link DiscoverOptions}), and the retain plan's choices. */
export interface RetainOptions
  extends Pick<DiscoverOptions, 'fs' | 'home' | 'cwd' | 'sharedDir' | 'sharedDirs' | 'folders'>,
    Partial<RetainPlanOptions> {}

/**
 * Reads the retained links of the shared folders (`projects` and the `folders` shared
 * with it, never `memory`) and plans the missing ones ({@link planRetain}); with
 * `recover`, the shared files deleted since come back; with `prune`, their links go.
 *
 * @example
 * ```ts
 * const plan = await retain({ recover: true });
 * await applyPlan(plan);
 * ```
 */
export async function retain(options: RetainOptions = {}): Promise<Plan> {
  const folders = resolveFolders(options.folders);
  const { fs, sharedDirs } = resolveCommonOptions({ ...options, folders });
  return planRetain(await readRetainStates(fs, folders, sharedDirs), {
    ...options,
    id: options.id ?? randomUUID(),
    now: options.now ?? Date.now(),
    caseInsensitive: options.caseInsensitive ?? hostCaseInsensitive(),
  });
}
