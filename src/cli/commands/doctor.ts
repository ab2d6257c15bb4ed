import { randomUUID } from 'node:crypto';
import type { Finding, FindingSeverity } from '../../doctor/finding.js';
import { defaultConflictsDir } from '../../layout/config-dir.js';
import { planRetain } from '../../plan/retain.js';
import { emptyPlan } from '../../sync/plan.js';
import { diagnose } from '../../verbs/diagnose.js';
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { plural } from '../format.js';
import { share } from '../lib.js';
import { parseMaps, withSync } from '../sync.js';
import { confirmAndApply, plannerOptions } from './apply.js';
import { diagnoseOptions } from './status.js';

const MARK: Record<FindingSeverity, string> = { error: '✗', warning: '!', info: '·' };

/** `doctor [--fix]`: exit 0 when all is well, 2 when something needs attention. */
export async function runDoctor(ctx: Context, options: { fix?: boolean; mapPath?: string[] }): Promise<ExitCodeValue> {
  const maps = parseMaps(options.mapPath);
  // One read of the disk (the retained links included) serves the report and the fix.
  const diagnosis = await diagnose(diagnoseOptions(ctx, { maps }));
  const { findings } = diagnosis;
  const needsAttention = findings.some((f) => f.severity !== 'info');
  if (!options.fix) {
    if (ctx.json) ctx.emit({ ok: !needsAttention, findings });
    else printFindings(ctx, findings);
    return needsAttention ? ExitCode.WORK_TO_DO : ExitCode.OK;
  }
  if (!ctx.json) printFindings(ctx, findings);
  // The safe fixes are what `share` plans for accounts that already share: raising
  // cleanupPeriodDays, re-linking. Accounts that do not share are left alone (opt-in).
  const linked = diagnosis.accounts.filter((a) => a.projects.kind === 'linked').map((a) => a.path);
  const syncFixable = findings.some((f) => f.fixable && f.code.startsWith('SYNC_')) || maps.length > 0;
  const shareFixable = linked.length > 0 && findings.some((f) => f.fixable && !f.code.startsWith('SYNC_'));
  if (!shareFixable && !syncFixable) {
    if (ctx.json) ctx.emit({ ok: !needsAttention, findings, applied: false });
    else ctx.say('\nNothing that --fix can repair.');
    return needsAttention ? ExitCode.WORK_TO_DO : ExitCode.OK;
  }
  ctx.say();
  const retainCodes = new Set(['SESSIONS_DELETED', 'NOT_RETAINED']);
  if (findings.some((f) => retainCodes.has(f.code))) {
    // Deleted shared files come back first, from their retained links (same inode: same
    // bytes and mtime); then every shared file gets its link.
    const plan = planRetain(diagnosis.retainStates, { id: randomUUID(), now: ctx.io.now(), recover: true });
    const code = await confirmAndApply(ctx, plan, 'fix');
    const more =
      syncFixable || findings.some((f) => f.fixable && !retainCodes.has(f.code) && !f.code.startsWith('SYNC_'));
    if (code !== ExitCode.OK || !more) return code;
    ctx.say();
  }
  const options0 = plannerOptions(ctx);
  const sharedReal = await ctx.fs.realpath(ctx.sharedDir).catch(() => ctx.sharedDir);
  const shareStillFixable =
    linked.length > 0 && findings.some((f) => f.fixable && !f.code.startsWith('SYNC_') && !retainCodes.has(f.code));
  const base = shareStillFixable
    ? await share({ ...options0, accounts: linked, discover: false })
    : emptyPlan(options0.id as string, ctx.io.now().getTime(), sharedReal, defaultConflictsDir(sharedReal));
  const plan = await withSync(ctx, base, maps, async () => diagnosis.accounts, true);
  return confirmAndApply(ctx, plan, 'fix');
}

function printFindings(ctx: Context, findings: Finding[]): void {
  const { c } = ctx;
  if (findings.length === 0) {
    ctx.say(c.green('All good: every account shares, links point where they should, nothing is left over.'));
    return;
  }
  const color = { error: c.red, warning: c.yellow, info: c.dim } as const;
  for (const f of findings) {
    ctx.say(`${color[f.severity](MARK[f.severity])} ${c.bold(f.code)}${f.fixable ? c.dim(' (fixable)') : ''}`);
    ctx.say(`  ${f.message}`);
  }
  const count = (s: FindingSeverity) => findings.filter((f) => f.severity === s).length;
  const fixable = findings.filter((f) => f.fixable).length;
  ctx.say();
  ctx.say(
    `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'note')}` +
      (fixable > 0 ? `; ${fixable} fixable with \`doctor --fix\`.` : '.'),
  );
}
