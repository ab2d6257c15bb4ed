import { inspectApplyState } from '../../apply/index.js';
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { plural } from '../format.js';
import { type RecoverReport, recover } from '../lib.js';
import { confirm } from '../prompt.js';

/**
 * `recover`: finishes or undoes an interrupted apply from its journal. Undoing changes the
 * accounts, so it asks first like every mutating command (or needs `--yes` in a script);
 * with no journal there is nothing to undo and it only clears a dead apply's leftovers.
 */
export async function runRecover(ctx: Context): Promise<ExitCodeValue> {
  const { journal } = await inspectApplyState({ fs: ctx.fs, sharedDir: ctx.sharedDir });
  if (journal !== undefined) {
    if (!ctx.json) {
      ctx.say(`An apply was interrupted and left its journal at ${ctx.tilde(journal)}.`);
      ctx.say(
        'recover undoes every operation it started, in reverse (or, if it had finished, only removes the journal).',
      );
      ctx.say();
    }
    await confirm(ctx, 'Undo the interrupted apply?');
  }
  const report = await recover({ fs: ctx.fs, home: ctx.home, sharedDir: ctx.sharedDir });
  if (ctx.json) ctx.emit(report);
  else for (const line of describeRecovery(ctx, report)) ctx.say(line);
  return ExitCode.OK;
}

export function describeRecovery(ctx: Context, report: RecoverReport): string[] {
  const { c } = ctx;
  const lines: string[] = [];
  const plan = report.planId === undefined ? 'the interrupted apply' : `the interrupted apply of plan ${report.planId}`;
  switch (report.status) {
    case 'clean':
      lines.push(c.green('Nothing to recover: no apply was interrupted.'));
      break;
    case 'rolled-back':
      lines.push(
        c.green(`Undid ${plan}: ${plural(report.undone, 'operation')} reversed. The accounts are as before it.`),
      );
      break;
    case 'finished':
      lines.push(c.green(`${plan[0]?.toUpperCase()}${plan.slice(1)} had completed; removed its journal.`));
      break;
  }
  if (report.kept.length > 0) {
    lines.push(`Left in place, because removing them could lose data (${report.kept.length}):`);
    for (const k of report.kept) lines.push(`  ${ctx.tilde(k.path)}: ${k.reason}`);
  }
  return lines;
}
