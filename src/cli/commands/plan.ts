import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { plural } from '../format.js';
import { describePlan } from '../lib.js';
import { type ShareFlags, sharePlan, writePlanFile } from './apply.js';

/** `plan`: what `share` would do. Writes nothing but the `--out` file. Exit 2 when there is work. */
export async function runPlan(ctx: Context, options: { out?: string } & ShareFlags): Promise<ExitCodeValue> {
  const plan = await sharePlan(ctx, options);
  if (options.out !== undefined) await writePlanFile(options.out, plan);
  const work = plan.operations.length > 0;
  if (ctx.json) ctx.emit(plan);
  else {
    ctx.say(describePlan(plan, { verbose: ctx.verbose }).trimEnd());
    if (!work) {
      // describePlan has said "Nothing to do."; say why when there is a reason to.
      if (plan.conflicts.length + plan.warnings.length > 0) {
        ctx.say('Deal with the conflicts and warnings above, then plan again.');
      }
    } else if (options.out !== undefined) {
      ctx.say();
      ctx.say(
        `${plural(plan.operations.length, 'operation')} saved to ${options.out}. Apply it with: claude-shared-sessions apply --plan ${options.out}`,
      );
    } else ctx.say(`${plural(plan.operations.length, 'operation')}. Nothing was changed; run \`apply\` to do it.`);
  }
  return work ? ExitCode.WORK_TO_DO : ExitCode.OK;
}
