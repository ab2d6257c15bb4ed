import { randomUUID } from 'node:crypto';
import { isSharedSessionsError } from '../../errors.js';
import type { Plan } from '../../plan/types.js';
import type { RetainedTotals } from '../../verbs/diagnose.js';
import { retain } from '../../verbs/retain.js';
import type { Context } from '../context.js';
import type { ExitCodeValue } from '../errors.js';
import { formatBytes, plural } from '../format.js';
import { applyPlan } from '../lib.js';
import { applyConcurrency, workersOption } from '../pool.js';
import { confirmAndApply } from './apply.js';
import { showPlan } from './plan.js';

/** A retain plan for the shared folders: the missing links, and with `recover` the deleted files back, or with `prune` their links let go. */
export async function retainPlan(ctx: Context, recover: boolean, prune = false): Promise<Plan> {
  return retain({ ...ctx.discoverOptions(), id: randomUUID(), now: ctx.io.now(), recover, prune });
}

/** The `status` line of the retained folder. */
export function retainedLine(ctx: Context, r: RetainedTotals): string {
  if (!r.exists) return `  ${ctx.tilde(r.path)}  ${ctx.c.dim('none yet (made by apply, doctor --fix or retain)')}`;
  const held =
    r.heldOnly.files === 0
      ? 'no space of its own'
      : `${formatBytes(r.heldOnly.bytes)} held only there (${plural(r.heldOnly.files, 'file')} deleted from the shared folder or rewritten since; \`retain --prune\` releases the deleted ones)`;
  const missing = r.unretained > 0 ? `; ${plural(r.unretained, 'shared file')} not retained yet` : '';
  return `  ${ctx.tilde(r.path)}  ${plural(r.files, 'retained link')}, ${held}${missing}`;
}

export interface RetainOptions {
  prune?: boolean;
  recover?: boolean;
  dryRun?: boolean;
}

/**
 * `retain`: makes the missing retained links (what a Claude Code SessionStart hook can
 * run), `--recover` brings back what was deleted since, `--prune` lets go of the links of
 * shared files deleted on purpose. Shown and confirmed like every plan; `--dry-run` shows it only.
 */
export async function runRetain(ctx: Context, options: RetainOptions): Promise<ExitCodeValue> {
  const plan = await retainPlan(ctx, options.recover === true, options.prune === true);
  if (options.dryRun) return showPlan(ctx, plan, { run: 'the same command without --dry-run' });
  if (options.prune && plan.operations.length > 0 && !ctx.json) {
    const bytes = plan.operations.reduce((sum, op) => sum + (op.type === 'removeFile' ? op.expect.size : 0), 0);
    ctx.say(
      `These retained links are all that is left of ${plural(plan.operations.filter((op) => op.type === 'removeFile').length, 'shared file')} deleted from ${ctx.tilde(ctx.sharedDir)} (up to ${formatBytes(bytes)}). Once pruned, doctor --fix cannot bring them back.`,
    );
  }
  return confirmAndApply(ctx, plan, 'retain');
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
    await applyPlan(plan, { fs: ctx.fs, concurrency: applyConcurrency(ctx.io.env), ...workersOption(ctx.io.env) });
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
