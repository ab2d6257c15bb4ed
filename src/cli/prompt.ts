import { createInterface } from 'node:readline/promises';
import type { Context } from './context.js';
import { CliError, CliErrorCodes } from './errors.js';

/**
 * Asks before changing anything. `--yes` skips the question; without a terminal to ask on
 * and without `--yes` the command refuses, so that a script never changes a disk by
 * accident. The question goes to stderr, so stdout stays clean for `--json`.
 */
export async function confirm(ctx: Context, question: string): Promise<void> {
  if (ctx.options.yes) return;
  if (!ctx.interactive) {
    throw new CliError(
      CliErrorCodes.NEEDS_CONFIRMATION,
      'Not on a terminal, so nobody can confirm: nothing was changed. Review the plan, then run again with --yes.',
    );
  }
  ctx.io.stderr.write(`${question} ${ctx.ce.dim('[y/N]')} `);
  // The terminal echoes and edits the line itself (cooked mode); read one line of it.
  const rl = createInterface({ input: ctx.io.stdin, terminal: false });
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) {
    throw new CliError(CliErrorCodes.DECLINED, 'Not confirmed: nothing was changed.');
  }
}
