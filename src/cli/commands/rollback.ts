import { basename } from 'node:path';
import type { Context } from '../context.js';
import type { ExitCodeValue } from '../errors.js';
import { type Carry, rollback } from '../lib.js';
import { confirmAndApply, plannerOptions } from './apply.js';

export type { Carry };

/** `rollback`: the rollback plan, shown, confirmed, applied. */
export async function runRollback(ctx: Context, options: { carry?: Carry; backup?: string }): Promise<ExitCodeValue> {
  // A backup is named by its folder name or stamp (`projects.bak.1795761125`); a path to it works too.
  const plan = await rollback({
    ...plannerOptions(ctx),
    ...(options.carry === undefined ? {} : { carry: options.carry }),
    ...(options.backup === undefined ? {} : { backup: basename(options.backup) }),
  });
  return confirmAndApply(ctx, plan, 'rollback');
}
