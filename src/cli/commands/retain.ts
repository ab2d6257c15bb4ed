import { randomUUID } from 'node:crypto';
import { readRetainState } from '../../doctor/retained.js';
import { isSharedSessionsError } from '../../errors.js';
import { planRetain, summariseRetain } from '../../plan/retain.js';
import type { Plan } from '../../plan/types.js';
import type { Context } from '../context.js';
import { plural } from '../format.js';
import { applyPlan } from '../lib.js';

/** A retain plan for the shared `projects` folder (and, with `recover`, the deleted files back). */
export async function retainPlan(ctx: Context, recover: boolean): Promise<Plan> {
  const state = await readRetainState(ctx.fs, ctx.sharedDir);
  return planRetain(state, { id: randomUUID(), now: ctx.io.now(), recover });
}

/** `doctor` findings about the retained links of the shared folder. */
export async function retainFindings(ctx: Context, linked: number) {
  if (linked === 0) return [];
  const state = await readRetainState(ctx.fs, ctx.sharedDir);
  if (state.sharedDirs.length === 0) return [];
  const s = summariseRetain(state);
  const findings = [];
  if (s.deleted.length > 0) {
    findings.push({
      code: 'SESSIONS_DELETED',
      severity: 'error' as const,
      message: `${plural(s.deleted.length, 'shared file')} (e.g. ${s.deleted[0]}) were deleted from ${ctx.tilde(ctx.sharedDir)} since they were retained: Claude Code's cleanup under a low cleanupPeriodDays, or by hand. They are recoverable: \`doctor --fix\` brings them back from ${ctx.tilde(state.retainedDir)}, with their bytes and mtime. If you deleted them on purpose, remove their retained links instead (see docs/safety.md, "After sharing").`,
      path: state.retainedDir,
      fixable: true,
    });
  }
  if (s.unretained.length > 0) {
    findings.push({
      code: 'NOT_RETAINED',
      // Every session made since the last refresh is in this state: a note, not a reason
      // for doctor to exit 2 in normal use.
      severity: 'info' as const,
      message: `${plural(s.unretained.length, 'shared file')} (e.g. ${s.unretained[0]}) have no retained link in ${ctx.tilde(state.retainedDir)}: if Claude Code's cleanup deletes them, nothing can bring them back. \`doctor --fix\` makes the links (no bytes copied).`,
      path: state.retainedDir,
      fixable: true,
    });
  }
  return findings;
}

/**
 * After a share: makes the retained links of the shared folder, through a plan applied
 * by the executor. A filesystem without hard links gets a warning, not an error: the
 * share itself is done.
 */
export async function retainAfterShare(ctx: Context): Promise<void> {
  try {
    const plan = await retainPlan(ctx, false);
    const links = plan.operations.filter((op) => op.type === 'hardLink').length;
    if (links === 0) return;
    await applyPlan(plan, { fs: ctx.fs });
    ctx.say(
      `Retained ${plural(links, 'shared file')} as hard links in ${ctx.tilde(plan.roots[0] ?? '')}/.retained (no bytes copied).`,
    );
  } catch (error) {
    const why = isSharedSessionsError(error) ? `${error.code}: ${error.message}` : String(error);
    ctx.note(
      `! The shared files could not be retained, so a deletion by Claude Code's cleanup could not be undone: ${why}`,
    );
  }
}
