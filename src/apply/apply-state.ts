import { join } from 'node:path';
import { defaultIsProcessAlive } from '../accounts/discover.js';
import { errnoCode } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import { DEFAULT_LOCK_STALE_MS } from './apply.js';
import { inspectLock, type LockOwner } from './lock.js';
import { JOURNAL_NAME, LOCK_NAME, stateDirOf } from './paths.js';

/** What applies left beside a shared folder, read-only. */
export interface ApplyState {
  /**
   * The journal's path when there is one: an apply or recover was interrupted, and every
   * apply refuses until `recover` deals with it.
   */
  journal?: string;
  /**
   * The lock, when there is one: `held` by an apply or recover that runs now, or `stale`
   * (its owner is gone; `recover` or the next apply takes it over).
   */
  lock?: { path: string; state: 'held' | 'stale'; owner?: LockOwner };
}

export interface ApplyStateOptions {
  fs: FileSystem;
  /** The shared `projects` folder; the state sits beside it. */
  sharedDir: string;
  /** @default the executor's own test (signal 0 to the pid) */
  isProcessAlive?: (pid: number) => boolean;
  /** @default the executor's */
  lockStaleMs?: number;
}

/**
 * Whether an interrupted apply left its journal, and whether the lock is held or stale,
 * as the executor would judge them; nothing is changed.
 *
 * @example
 * ```ts
 * const state = await inspectApplyState({ fs: createNodeFileSystem(), sharedDir });
 * if (state.journal) console.log('run recover');
 * ```
 */
export async function inspectApplyState(options: ApplyStateOptions): Promise<ApplyState> {
  const { fs } = options;
  const stateDir = stateDirOf(options.sharedDir);
  const out: ApplyState = {};
  const journal = join(stateDir, JOURNAL_NAME);
  try {
    await fs.lstat(journal);
    out.journal = journal;
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
  }
  const path = join(stateDir, LOCK_NAME);
  let lock: Awaited<ReturnType<typeof inspectLock>>;
  try {
    lock = await inspectLock(fs, path, {
      staleMs: options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS,
      isProcessAlive: options.isProcessAlive ?? defaultIsProcessAlive,
    });
  } catch (error) {
    if (errnoCode(error) !== 'ENOTDIR') throw error;
    lock = { state: 'gone' };
  }
  if (lock.state !== 'gone') out.lock = { path, state: lock.state, ...(lock.owner ? { owner: lock.owner } : {}) };
  return out;
}
