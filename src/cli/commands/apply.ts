import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { sep } from 'node:path';
import { discoverAccounts } from '../../accounts/discover.js';
import { ErrorCodes, isSharedSessionsError, SharedSessionsError } from '../../errors.js';
import type { OnDiverged } from '../../plan/merge.js';
import type { Plan } from '../../plan/types.js';
import type { Context } from '../context.js';
import { CliError, CliErrorCodes, ExitCode, type ExitCodeValue } from '../errors.js';
import { formatBytes, formatDuration, plural } from '../format.js';
import { type ApplyReport, applyPlan, describePlan, share, type VerbOptions, validatePlan } from '../lib.js';
import { applyConcurrency, workersOption } from '../pool.js';
import { progressBar } from '../progress.js';
import { confirm } from '../prompt.js';
import { parseMaps, withSync } from '../sync.js';
import { showPlan } from './plan.js';
import { retainAfterShare } from './retain.js';

/**
 * The options every planner gets from the global options, plus a fresh id and the time.
 * Without `--accounts`, the accounts are the ones discovered: the plan lists them and
 * nothing is applied before it is confirmed, which is the command's opt-in.
 */
export function plannerOptions(ctx: Context): VerbOptions {
  const options = ctx.discoverOptions();
  return {
    ...options,
    ...(options.accounts === undefined ? { discover: true } : {}),
    now: ctx.io.now(),
    id: randomUUID(),
  };
}

/** Options of `plan` and `apply` that shape the share plan. */
export interface ShareFlags {
  onDiverged?: OnDiverged;
  cleanupDays?: number | false;
  /** `--map-path FROM=TO`, repeatable: another machine's path prefix and this machine's. */
  mapPath?: string[];
  /** `--allow-lower`: let `--cleanup-days` lower an account's period. */
  allowLower?: boolean;
  /** `--relative`: relative account links. */
  relative?: boolean;
}

export function shareOptions(ctx: Context, flags: ShareFlags) {
  return {
    ...plannerOptions(ctx),
    ...(flags.onDiverged === undefined ? {} : { onDiverged: flags.onDiverged }),
    ...(flags.cleanupDays === undefined ? {} : { cleanupPeriodDays: flags.cleanupDays }),
    ...(flags.allowLower === true ? { allowLowerCleanupPeriod: true } : {}),
    ...(flags.relative === true ? { relative: true } : {}),
  };
}

/** Reads a plan saved with `plan --out` and refuses anything that is not a valid plan. */
export async function readPlanFile(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(CliErrorCodes.PLAN_FILE, `Cannot read the plan file ${path}: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  let plan: Plan;
  try {
    plan = JSON.parse(text) as Plan;
  } catch (error) {
    throw new CliError(
      CliErrorCodes.PLAN_FILE,
      `${path} is not JSON (${(error as Error).message}). Save a plan with \`plan --out ${path}\`.`,
      { cause: error },
    );
  }
  const issues = validatePlan(plan);
  if (issues.length > 0) {
    const version = issues.some((i) => i.code === 'PLAN_VERSION');
    throw new SharedSessionsError(
      version ? ErrorCodes.PLAN_VERSION : ErrorCodes.INVALID_PLAN,
      `${path} is not a valid plan: ${issues.map((i) => i.message).join(' ')} Make a new one with \`plan --out\`.`,
      { path, details: issues },
    );
  }
  return plan;
}

export async function writePlanFile(path: string, plan: Plan): Promise<void> {
  // The plan names every file and may hold a settings.json: readable by its owner only.
  await writeFile(path, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
}

/**
 * ECLAUDE_RUNNING as the command says it: the library's advice names its option
 * (`force.claudeRunning`), the command's flag is `--force-running`.
 */
function forceRunningAdvice(error: unknown): unknown {
  if (isSharedSessionsError(error, ErrorCodes.CLAUDE_RUNNING)) {
    // The same error (its undo outcome and details kept), in the command's words.
    error.message = error.message.replace('pass force.claudeRunning', 'pass --force-running');
  }
  return error;
}

/** Counts for `--json` and summaries, without the operations themselves. */
export function planSummary(plan: Plan) {
  return {
    id: plan.id,
    kind: plan.kind,
    createdAt: plan.createdAt,
    operations: plan.operations.length,
    conflicts: plan.conflicts.length,
    warnings: plan.warnings.length,
  };
}

/**
 * Shows a plan, asks, applies it with a progress bar and prints a summary: the shared
 * tail of `apply`, `rollback` and `doctor --fix`.
 */
export async function confirmAndApply(ctx: Context, plan: Plan, what: string): Promise<ExitCodeValue> {
  if (!ctx.json) ctx.say(describePlan(plan, { verbose: ctx.verbose }).trimEnd());
  if (plan.operations.length === 0) {
    // describePlan has said "Nothing to do." already.
    if (ctx.json) ctx.emit({ applied: false, plan: planSummary(plan) });
    return ExitCode.OK;
  }
  ctx.say();
  await confirm(ctx, `Apply this ${what} plan (${plural(plan.operations.length, 'operation')})?`);

  const forceRunning = ctx.options.forceRunning === true;
  if (forceRunning) {
    ctx.note(
      'Warning: --force-running: not checking for running Claude Code. Lines it writes to a transcript while its folder moves may end up in the backup only; quit it if you can.',
    );
  }
  const bar = progressBar(ctx, what === 'share' ? 'Sharing' : 'Applying');
  const abort = new AbortController();
  const onSigint = () => {
    bar.done();
    ctx.note('Stopping: undoing what was done so far. (Ctrl+C again kills it; then run `recover`.)');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  let report: ApplyReport;
  try {
    report = await applyPlan(plan, {
      fs: ctx.fs,
      concurrency: applyConcurrency(ctx.io.env),
      ...workersOption(ctx.io.env),
      onProgress: (e) => bar.update(e),
      signal: abort.signal,
      ...(forceRunning ? { force: { claudeRunning: true } } : {}),
    });
  } catch (error) {
    throw forceRunningAdvice(error);
  } finally {
    bar.done();
    process.removeListener('SIGINT', onSigint);
  }
  if (ctx.json) ctx.emit({ applied: true, plan: planSummary(plan), report });
  else {
    ctx.say(ctx.c.green(summarise(plan, report)));
    for (const w of report.warnings) ctx.say(`${ctx.c.yellow('!')} ${w}`);
  }
  if (plan.kind === 'share' || (plan.kind === 'fix' && plan.accounts.length > 0)) await retainAfterShare(ctx);
  return ExitCode.OK;
}

function summarise(plan: Plan, report: ApplyReport): string {
  const parts = [`Applied ${plural(report.operationsDone, 'operation')}`];
  if (report.bytesCopied > 0) parts.push(`copied ${formatBytes(report.bytesCopied)}`);
  if (report.bytesCloned > 0) parts.push(`cloned ${formatBytes(report.bytesCloned)}`);
  // A fork is a new session in the shared folder, not a copy in the conflicts folder,
  // which this apply may never have created (counted from the plan: every operation ran).
  const forks = report.forks;
  const aside = plan.operations.filter(
    (op) =>
      (op.type === 'copyFile' || op.type === 'rename') &&
      (op.reason === 'conflict-kept' || op.reason === 'superseded') &&
      op.to.startsWith(`${plan.conflictsDir}${sep}`),
  ).length;
  if (forks > 0) parts.push(`forked ${plural(forks, 'diverged copy', 'diverged copies')} as new sessions`);
  if (aside > 0)
    parts.push(`kept ${plural(aside, 'older or diverged copy', 'older or diverged copies')} in ${plan.conflictsDir}`);
  if (report.bytesResynced > 0) {
    parts.push(`carried ${formatBytes(report.bytesResynced)} appended by Claude Code during the apply`);
  }
  parts.push(`in ${formatDuration(report.durationMs)}`);
  return `${parts.join(', ')}.`;
}

/**
 * Accounts named with `--accounts` must exist: a typo (`~/.claud`) is named as such
 * (ENOTFOUND_ACCOUNT) instead of leaving nothing to plan for.
 */
export async function requireNamedAccounts(ctx: Context): Promise<void> {
  const named = ctx.accounts ?? [];
  const missing: string[] = [];
  for (const dir of named) {
    const exists = await ctx.fs.stat(dir).then(
      () => true,
      () => false,
    );
    if (!exists) missing.push(dir);
  }
  if (missing.length === 0) return;
  const list = missing.map((m) => ctx.tilde(m)).join(', ');
  throw new SharedSessionsError(
    ErrorCodes.NOT_FOUND,
    `${list} (named with --accounts) ${missing.length === 1 ? 'does' : 'do'} not exist. Check the spelling; \`claude-shared-sessions status\` without --accounts lists the accounts found in ${ctx.tilde(ctx.home)}.`,
    { path: missing[0] as string },
  );
}

/** A fresh share plan; an error when there is no account to share at all. */
export async function sharePlan(ctx: Context, flags: ShareFlags): Promise<Plan> {
  await requireNamedAccounts(ctx);
  const maps = parseMaps(flags.mapPath);
  const shared = await share(shareOptions(ctx, flags));
  // Several machines: the engine's ignore file, path maps and aliases, this machine's record.
  const plan = await withSync(ctx, shared, maps, () => discoverAccounts(ctx.discoverOptions()), false);
  if (plan.accounts.length === 0) {
    throw new SharedSessionsError(
      ErrorCodes.NOT_FOUND,
      `No Claude Code config dir found in ${ctx.home}. Name the accounts to share with --accounts <dir...>.`,
      { path: ctx.home },
    );
  }
  return plan;
}

export async function runApply(
  ctx: Context,
  options: { plan?: string; dryRun?: boolean } & ShareFlags,
): Promise<ExitCodeValue> {
  const plan = options.plan === undefined ? await sharePlan(ctx, options) : await readPlanFile(options.plan);
  if (options.dryRun) return showPlan(ctx, plan, { run: 'the same command without --dry-run' });
  return confirmAndApply(ctx, plan, plan.kind);
}
