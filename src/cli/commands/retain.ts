import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { type RetainState, readRetainState } from '../../doctor/retained.js';
import { isSharedSessionsError } from '../../errors.js';
import { RETAINED_DIR } from '../../layout/config-dir.js';
import { NOT_RETAINED_FOLDERS, planRetain, summariseRetain } from '../../plan/retain.js';
import type { Plan } from '../../plan/types.js';
import type { Context } from '../context.js';
import type { ExitCodeValue } from '../errors.js';
import { formatBytes, plural } from '../format.js';
import { applyPlan } from '../lib.js';
import { applyConcurrency } from '../pool.js';
import { confirmAndApply } from './apply.js';
import type { Finding } from './doctor.js';
import { showPlan } from './plan.js';

/**
 * The state of every shared folder the command works on that Claude Code's cleanup can
 * delete from: `projects` and the `--folders` ones, not `memory`.
 */
export async function retainStates(ctx: Context): Promise<RetainState[]> {
  const states: RetainState[] = [];
  for (const folder of ctx.folders) {
    if (NOT_RETAINED_FOLDERS.includes(folder)) continue;
    const dir = ctx.sharedDirs[folder];
    if (dir !== undefined) states.push(await readRetainState(ctx.fs, dir));
  }
  return states;
}

/** A retain plan for the shared folders: the missing links, and with `recover` the deleted files back, or with `prune` their links let go. */
export async function retainPlan(ctx: Context, recover: boolean, prune = false): Promise<Plan> {
  return planRetain(await retainStates(ctx), { id: randomUUID(), now: ctx.io.now(), recover, prune });
}

/** What `status` says about the retained folder of the shared `projects` folder. */
export interface RetainedTotals {
  path: string;
  exists: boolean;
  /** Files under the retained folder. */
  files: number;
  /** Shared files with no retained link yet. */
  unretained: number;
  /** Retained files whose shared name is gone. */
  deleted: number;
  /** Retained files that nothing else names (link count 1), and their bytes: the space only the retained folder holds. */
  heldOnly: { files: number; bytes: number };
}

export async function retainedTotals(ctx: Context): Promise<RetainedTotals> {
  const totals: RetainedTotals = {
    path: join(dirname(ctx.sharedDir), RETAINED_DIR),
    exists: false,
    files: 0,
    unretained: 0,
    deleted: 0,
    heldOnly: { files: 0, bytes: 0 },
  };
  for (const state of await retainStates(ctx)) {
    totals.exists ||= state.retainedDirs.length > 0;
    totals.files += state.retainedFiles;
    totals.unretained += Object.keys(state.unretained).length;
    totals.deleted += Object.keys(state.deleted).length;
    totals.heldOnly.files += state.heldOnly.files;
    totals.heldOnly.bytes += state.heldOnly.bytes;
  }
  return totals;
}

/** The `status` line of the retained folder. */
export function retainedLine(ctx: Context, r: RetainedTotals): string {
  if (!r.exists) return `  ${ctx.tilde(r.path)}  ${ctx.c.dim('none yet (made by apply, doctor --fix or retain)')}`;
  const held =
    r.heldOnly.files === 0
      ? 'no space of its own'
      : `${formatBytes(r.heldOnly.bytes)} held only there (${plural(r.heldOnly.files, 'file')} deleted from the shared folder or rewritten since; \`retain --prune\` releases the deleted ones)`;
  const missing = r.unretained > 0 ? `; ${plural(r.unretained, 'shared file')} not retained yet` : '';
  return `  ${ctx.tilde(r.path)}  ${plural(r.files, 'retained link')}, ${held}${missing}`;
}

export interface RetainOptions {
  prune?: boolean;
  recover?: boolean;
  dryRun?: boolean;
}

/**
 * `retain`: makes the missing retained links (what a Claude Code SessionStart hook can
 * run), `--recover` brings back what was deleted since, `--prune` lets go of the links of
 * shared files deleted on purpose. Shown and confirmed like every plan; `--dry-run` shows it only.
 */
export async function runRetain(ctx: Context, options: RetainOptions): Promise<ExitCodeValue> {
  const plan = await retainPlan(ctx, options.recover === true, options.prune === true);
  if (options.dryRun) return showPlan(ctx, plan, { run: 'the same command without --dry-run' });
  if (options.prune && plan.operations.length > 0 && !ctx.json) {
    const bytes = plan.operations.reduce((sum, op) => sum + (op.type === 'removeFile' ? op.expect.size : 0), 0);
    ctx.say(
      `These retained links are all that is left of ${plural(plan.operations.filter((op) => op.type === 'removeFile').length, 'shared file')} deleted from ${ctx.tilde(ctx.sharedDir)} (up to ${formatBytes(bytes)}). Once pruned, doctor --fix cannot bring them back.`,
    );
  }
  return confirmAndApply(ctx, plan, 'retain');
}

/** `doctor` findings about the retained links of the shared folder. */
export async function retainFindings(ctx: Context, linked: number): Promise<Finding[]> {
  if (linked === 0) return [];
  const findings: Finding[] = [];
  for (const state of await retainStates(ctx)) {
    if (state.sharedDirs.length === 0) continue;
    const s = summariseRetain(state);
    if (s.deleted.length > 0) {
      findings.push({
        code: 'SESSIONS_DELETED',
        severity: 'error' as const,
        message: `${plural(s.deleted.length, 'shared file')} (e.g. ${s.deleted[0]}) were deleted from ${ctx.tilde(state.sharedDir)} since they were retained: Claude Code's cleanup under a low cleanupPeriodDays, or by hand. They are recoverable: \`doctor --fix\` brings them back from ${ctx.tilde(state.retainedDir)}, with their bytes and mtime. If you deleted them on purpose, \`retain --prune\` lets their retained links go and releases their space.`,
        path: state.retainedDir,
        fixable: true,
      });
    }
    if (s.unretained.length > 0) {
      findings.push({
        code: 'NOT_RETAINED',
        // Every session made since the last refresh is in this state: a note, not a reason
        // for doctor to exit 2 in normal use.
        severity: 'info' as const,
        message: `${plural(s.unretained.length, 'shared file')} (e.g. ${s.unretained[0]}) have no retained link in ${ctx.tilde(state.retainedDir)}: if Claude Code's cleanup deletes them, nothing can bring them back. \`doctor --fix\` makes the links (no bytes copied).`,
        path: state.retainedDir,
        fixable: true,
      });
    }
  }
  return findings;
}

/**
 * After a share: makes the retained links of the shared folder, through a plan applied
 * by the executor. A filesystem without hard links gets a warning, not an error: the
 * share itself is done.
 */
export async function retainAfterShare(ctx: Context): Promise<void> {
  try {
    const plan = await retainPlan(ctx, false);
    const links = plan.operations.filter((op) => op.type === 'hardLink').length;
    if (links === 0) return;
    await applyPlan(plan, { fs: ctx.fs, concurrency: applyConcurrency(ctx.io.env) });
    ctx.say(
      `Retained ${plural(links, 'shared file')} as hard links in ${ctx.tilde(plan.roots[0] ?? '')}/.retained (no bytes copied).`,
    );
  } catch (error) {
    const why = isSharedSessionsError(error) ? `${error.code}: ${error.message}` : String(error);
    ctx.note(
      `! The shared files could not be retained, so a deletion by Claude Code's cleanup could not be undone: ${why}`,
    );
  }
}
