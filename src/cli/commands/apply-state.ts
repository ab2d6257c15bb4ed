import { type ApplyState, inspectApplyState, type LockOwner } from '../../apply/index.js';
import type { Context } from '../context.js';

/** What `status` and `doctor` report of the state applies left: the state and what to do. */
export interface ApplyStateReport extends ApplyState {
  /** What to do about it, in words; absent when there is nothing to report. */
  advice?: string;
}

export async function readApplyState(ctx: Context): Promise<ApplyStateReport> {
  const state: ApplyStateReport = await inspectApplyState({ fs: ctx.fs, sharedDir: ctx.sharedDir });
  const by = (o: LockOwner | undefined) =>
    o ? ` (${o.purpose}, pid ${o.pid} on ${o.host}, since ${o.acquiredAt})` : '';
  if (state.journal !== undefined) {
    state.advice = `An apply was interrupted and left its journal at ${ctx.tilde(state.journal)}; every apply refuses until it is dealt with. Run \`claude-shared-sessions recover\`.`;
    if (state.lock?.state === 'held') {
      state.advice += ` An apply or recover holds the lock${by(state.lock.owner)}: let it finish first.`;
    }
  } else if (state.lock?.state === 'held') {
    state.advice = `An apply or recover is running${by(state.lock.owner)}: the shared folder is changing; wait for it to finish.`;
  } else if (state.lock?.state === 'stale') {
    state.advice = `A stale lock${by(state.lock.owner)} was left at ${ctx.tilde(state.lock.path)} by an apply that is gone. Run \`claude-shared-sessions recover\` to clear it (the next apply also takes it over).`;
  }
  return state;
}
