import { basename } from 'node:path';
import type { Context } from '../context.js';
import type { ExitCodeValue } from '../errors.js';
import { type Carry, rollback } from '../lib.js';
import { confirmAndApply, plannerOptions, requireNamedAccounts } from './apply.js';
import { showPlan } from './plan.js';

export type { Carry };

/** `rollback`: the rollback plan, shown, confirmed, applied. */
export async function runRollback(
  ctx: Context,
  options: { carry?: Carry; backup?: string; dryRun?: boolean },
): Promise<ExitCodeValue> {
  await requireNamedAccounts(ctx);
  // A backup is named by its folder name or stamp (`projects.bak.1795761125`); a path to it works too.
  const plan = await rollback({
    ...plannerOptions(ctx),
    ...(options.carry === undefined ? {} : { carry: options.carry }),
    ...(options.backup === undefined ? {} : { backup: basename(options.backup) }),
  });
  if (options.dryRun) return showPlan(ctx, plan, { run: 'the same command without --dry-run' });
  return confirmAndApply(ctx, plan, 'rollback');
}
