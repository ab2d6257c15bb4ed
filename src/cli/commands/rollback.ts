import { absolutePath } from '../../layout/config-dir.js';
import type { Context } from '../context.js';
import type { ExitCodeValue } from '../errors.js';
import { type RollbackOptions, rollback } from '../lib.js';
import { confirmAndApply, plannerOptions } from './apply.js';

export type Carry = 'none' | 'own' | 'all';

/** `rollback`: the rollback plan, shown, confirmed, applied. */
export async function runRollback(ctx: Context, options: { carry?: Carry; backup?: string }): Promise<ExitCodeValue> {
  const rollbackOptions: RollbackOptions = {
    ...plannerOptions(ctx),
    ...(options.carry === undefined ? {} : { carry: options.carry }),
    ...(options.backup === undefined ? {} : { backup: absolutePath(options.backup, ctx.home, ctx.io.cwd) }),
  };
  const plan = await rollback(rollbackOptions);
  return confirmAndApply(ctx, plan, 'rollback');
}
