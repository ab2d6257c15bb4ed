import type { Plan } from '../../plan/types.js';
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { plural } from '../format.js';
import { describePlan } from '../lib.js';
import { type ShareFlags, sharePlan, writePlanFile } from './apply.js';

/** `plan`: what `share` would do. Writes nothing but the `--out` file. Exit 2 when there is work. */
export async function runPlan(ctx: Context, options: { out?: string } & ShareFlags): Promise<ExitCodeValue> {
  const plan = await sharePlan(ctx, options);
  if (options.out !== undefined) await writePlanFile(options.out, plan);
  return showPlan(ctx, plan, { out: options.out, run: 'apply' });
}

/**
 * Shows a plan and changes nothing: `plan`, and `apply`/`rollback` with `--dry-run`.
 * `--json` prints the whole plan. Exit 2 when there is work.
 */
export function showPlan(ctx: Context, plan: Plan, hint: { out?: string | undefined; run: string }): ExitCodeValue {
  const work = plan.operations.length > 0;
  if (ctx.json) ctx.emit(plan);
  else {
    ctx.say(describePlan(plan, { verbose: ctx.verbose }).trimEnd());
    if (!work) {
      // describePlan has said "Nothing to do."; say why when there is a reason to.
      if (plan.conflicts.length + plan.warnings.length > 0) {
        ctx.say('Deal with the conflicts and warnings above, then plan again.');
      }
    } else if (hint.out !== undefined) {
      ctx.say();
      ctx.say(
        `${plural(plan.operations.length, 'operation')} saved to ${hint.out}. Apply it with: claude-shared-sessions apply --plan ${hint.out}`,
      );
    } else {
      ctx.say(`${plural(plan.operations.length, 'operation')}. Nothing was changed; run \`${hint.run}\` to do it.`);
    }
  }
  return work ? ExitCode.WORK_TO_DO : ExitCode.OK;
}
