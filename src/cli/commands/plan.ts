import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { plural } from '../format.js';
import { describePlan, share } from '../lib.js';
import { plannerOptions, writePlanFile } from './apply.js';

/** `plan`: what `share` would do. Writes nothing but the `--out` file. Exit 2 when there is work. */
export async function runPlan(ctx: Context, options: { out?: string }): Promise<ExitCodeValue> {
  const plan = await share(plannerOptions(ctx));
  if (options.out !== undefined) await writePlanFile(options.out, plan);
  const work = plan.operations.length > 0;
  if (ctx.json) ctx.emit(plan);
  else {
    ctx.say(describePlan(plan).trimEnd());
    ctx.say();
    if (!work) ctx.say(ctx.c.green('Nothing to do: every account already shares.'));
    else if (options.out !== undefined) {
      ctx.say(
        `${plural(plan.operations.length, 'operation')} saved to ${options.out}. Apply it with: claude-shared-sessions apply --plan ${options.out}`,
      );
    } else ctx.say(`${plural(plan.operations.length, 'operation')}. Nothing was changed; run \`apply\` to do it.`);
  }
  return work ? ExitCode.WORK_TO_DO : ExitCode.OK;
}
