import { dirname, join } from 'node:path';
import type { Plan } from '../plan/types.js';

/** The folder beside the shared folders where the executor keeps its lock and journal. */
export const STATE_DIR_NAME = '.claude-shared-sessions';
export const JOURNAL_NAME = 'journal.jsonl';
export const LOCK_NAME = 'lock';

/**
 * The executor's state folder for a shared `projects` folder:
 * `<parent of sharedDir>/.claude-shared-sessions`.
 *
 * @example
 * stateDirOf('/home/u/.claude-shared/projects') // '/home/u/.claude-shared/.claude-shared-sessions'
 */
export function stateDirOf(sharedDir: string): string {
  return join(dirname(sharedDir), STATE_DIR_NAME);
}

/** The shared folder a plan's lock and journal belong to: `projects`, else the first by name. */
export function primarySharedDir(plan: Pick<Plan, 'sharedDirs'>): string | undefined {
  const dirs = plan.sharedDirs ?? {};
  if (typeof dirs.projects === 'string') return dirs.projects;
  const first = Object.keys(dirs).sort()[0];
  return first === undefined ? undefined : dirs[first];
}
