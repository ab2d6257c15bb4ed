import { join } from 'node:path';
import { JOURNAL_NAME, stateDirOf } from '../../apply/paths.js';
import type { FindingCode } from '../../codes.js';
import { errnoCode } from '../../errors.js';
import type { FileSystem } from '../../fs/types.js';
import { defaultConflictsDir } from '../../layout/config-dir.js';
import { SESSIONS_INDEX } from '../../layout/names.js';
import type { PathMap } from '../../sync/layout.js';
import { emptyPlan } from '../../sync/plan.js';
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { plural } from '../format.js';
import { share } from '../lib.js';
import { copiedLinkAdvice } from '../links.js';
import { inspectSyncFor, parseMaps, syncFindings, withSync } from '../sync.js';
import { confirmAndApply, plannerOptions } from './apply.js';
import { readApplyState } from './apply-state.js';
import { cleanupSourceFindings } from './cleanup.js';
import { linkFindings } from './doctor-links.js';
import { orphanFindings } from './doctor-orphans.js';
import { retainFindings, retainPlan } from './retain.js';
import { collectStatus } from './status.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
  account?: string;
  path?: string;
  /** True when `doctor --fix` can repair it through a plan. */
  fixable: boolean;
}

export async function diagnose(ctx: Context, maps: readonly PathMap[] = []): Promise<Finding[]> {
  const { accounts, shared, cleanup } = await collectStatus(ctx);
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);

  for (const a of accounts) {
    for (const p of a.problems)
      add({ code: p.code, severity: 'error', message: p.message, account: a.path, path: p.path, fixable: false });
    for (const folder of ctx.folders) {
      const state = a.folders[folder];
      if (!state) continue;
      const where = ctx.tilde(state.path);
      switch (state.kind) {
        case 'dangling-symlink':
          add({
            code: 'LINK_DANGLING',
            severity: 'error',
            message:
              copiedLinkAdvice(ctx, state, ctx.sharedDirs[folder] ?? '') ??
              `${where} is a link to ${state.linkTarget}, which does not exist: Claude Code sees no sessions there. Restore that folder, or remove the link and run \`rollback\` or \`apply\`.`,
            account: a.path,
            path: state.path,
            fixable: false,
          });
          break;
        case 'symlink-elsewhere':
          add({
            code: 'LINK_ELSEWHERE',
            severity: 'warning',
            message:
              copiedLinkAdvice(ctx, state, ctx.sharedDirs[folder] ?? '') ??
              `${where} is a link to ${state.linkTarget}, not to the shared folder ${ctx.tilde(ctx.sharedDirs[folder] ?? '')}. Leave it if you made it on purpose; otherwise point --shared there or replace the link by hand.`,
            account: a.path,
            path: state.path,
            fixable: false,
          });
          break;
        case 'not-a-directory':
        case 'unreadable':
          add({
            code: state.kind === 'unreadable' ? 'FOLDER_UNREADABLE' : 'FOLDER_NOT_A_DIRECTORY',
            severity: 'error',
            message: `${where} is ${state.kind === 'unreadable' ? 'unreadable' : 'not a folder'}; Claude Code cannot keep sessions there. Move it aside and start Claude Code once with this account.`,
            account: a.path,
            path: state.path,
            fixable: false,
          });
          break;
        case 'directory':
        case 'missing':
          if (a.exists) {
            add({
              code: 'NOT_SHARING',
              severity: 'info',
              message: `${ctx.tilde(a.path)} does not share ${folder}/ yet. Sharing is opt-in: run \`plan\` then \`apply\` to share it, or leave it out.`,
              account: a.path,
              path: state.path,
              fixable: false,
            });
          }
          break;
        default:
          break;
      }
    }
    if (a.runningPids.length > 0) {
      add({
        code: 'CLAUDE_RUNNING',
        severity: 'warning',
        message: `Claude Code is running with ${ctx.tilde(a.path)} (pid ${a.runningPids.join(', ')}). Quit it before apply, rollback or recover.`,
        account: a.path,
        fixable: false,
      });
    }
    if (a.backups.length > 0) {
      add({
        code: 'BACKUPS_LEFT',
        severity: 'info',
        message: `${ctx.tilde(a.path)} keeps ${plural(a.backups.length, 'backup')} (${a.backups.map((b) => b.name).join(', ')}). Rollback needs them; remove them by hand once you no longer want to roll back.`,
        account: a.path,
        path: a.backups[0]?.path ?? a.path,
        fixable: false,
      });
    }
  }

  findings.push(...cleanupSourceFindings(ctx, cleanup));
  findings.push(...(await orphanFindings(ctx, accounts)));
  findings.push(...(await retainFindings(ctx, accounts.filter((a) => a.projects.kind === 'linked').length)));

  const projectsShared = shared.find((s) => s.folder === 'projects');
  if (projectsShared?.exists) findings.push(...(await linkFindings(ctx)));
  const indexRoots = [
    ...(projectsShared?.exists ? [ctx.sharedDir] : []),
    ...accounts.filter((a) => a.projects.kind === 'directory').map((a) => a.projects.path),
  ];
  const indexes = (await Promise.all(indexRoots.map((r) => findSessionIndexes(ctx.fs, r)))).flat();
  if (indexes.length > 0) {
    add({
      code: 'STALE_SESSIONS_INDEX',
      severity: 'info',
      message: `${plural(indexes.length, 'sessions-index.json file')} found (e.g. ${ctx.tilde(indexes[0] ?? '')}). Claude Code stopped reading them in 2.1.30 and they are frozen; tools that still trust them miss sessions. Safe to delete by hand.`,
      path: indexes[0] ?? '',
      fixable: false,
    });
  }

  const conflictsDir = defaultConflictsDir(ctx.sharedDir);
  const kept = await countFiles(ctx.fs, conflictsDir);
  if (kept > 0) {
    add({
      code: 'CONFLICT_COPIES',
      severity: 'info',
      message: `${plural(kept, 'conflicting copy', 'conflicting copies')} of sessions kept in ${ctx.tilde(conflictsDir)}. Look through them, keep what you need, then remove the folder by hand.`,
      path: conflictsDir,
      fixable: false,
    });
  }

  // Several machines through a sync engine (docs/machines.md).
  const sync = await inspectSyncFor(ctx, maps, await ctx.fs.realpath(ctx.sharedDir).catch(() => ctx.sharedDir));
  findings.push(...syncFindings(ctx, sync, accounts));

  const journal = await journalFinding(ctx);
  if (journal) add(journal);
  const lock = await lockFinding(ctx);
  if (lock) add(lock);
  // Errors first, then warnings, then notes; discovery order within each.
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank[a.f.severity] - rank[b.f.severity] || a.i - b.i)
    .map((x) => x.f);
}

/** A lock left by an apply that is gone (or held by one that runs now). */
async function lockFinding(ctx: Context): Promise<Finding | undefined> {
  const state = await readApplyState(ctx);
  if (state.lock === undefined || state.journal !== undefined || state.advice === undefined) return undefined;
  return {
    code: state.lock.state === 'stale' ? 'STALE_LOCK' : 'LOCK_HELD',
    severity: state.lock.state === 'stale' ? 'warning' : 'info',
    message: state.advice,
    path: state.lock.path,
    fixable: false,
  };
}

/** An apply killed mid-way leaves its journal beside the shared folder; applies refuse until recover. */
async function journalFinding(ctx: Context): Promise<Finding | undefined> {
  const journal = join(stateDirOf(ctx.sharedDir), JOURNAL_NAME);
  try {
    await ctx.fs.lstat(journal);
  } catch {
    return undefined;
  }
  return {
    code: 'DIRTY_JOURNAL',
    severity: 'error',
    message: `An apply was interrupted and left its journal at ${ctx.tilde(journal)}; every apply refuses until it is dealt with. Run \`claude-shared-sessions recover\`.`,
    path: journal,
    fixable: false,
  };
}

async function findSessionIndexes(fs: FileSystem, projectsDir: string): Promise<string[]> {
  const found: string[] = [];
  let entries: Awaited<ReturnType<FileSystem['readdir']>>;
  try {
    entries = await fs.readdir(projectsDir);
  } catch {
    return found;
  }
  for (const e of entries) {
    if (e.type !== 'directory') continue;
    const candidate = join(projectsDir, e.name, SESSIONS_INDEX);
    try {
      if ((await fs.lstat(candidate)).type === 'file') found.push(candidate);
    } catch {
      // absent: the usual case
    }
  }
  return found;
}

async function countFiles(fs: FileSystem, dir: string): Promise<number> {
  let entries: Awaited<ReturnType<FileSystem['readdir']>>;
  try {
    entries = await fs.readdir(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 0;
    return 0;
  }
  let n = 0;
  for (const e of entries) {
    if (e.type === 'directory') n += await countFiles(fs, join(dir, e.name));
    else n++;
  }
  return n;
}

const MARK: Record<Severity, string> = { error: '✗', warning: '!', info: '·' };

/** `doctor [--fix]`: exit 0 when all is well, 2 when something needs attention. */
export async function runDoctor(ctx: Context, options: { fix?: boolean; mapPath?: string[] }): Promise<ExitCodeValue> {
  const maps = parseMaps(options.mapPath);
  const findings = await diagnose(ctx, maps);
  const needsAttention = findings.some((f) => f.severity !== 'info');
  if (!options.fix) {
    if (ctx.json) ctx.emit({ ok: !needsAttention, findings });
    else printFindings(ctx, findings);
    return needsAttention ? ExitCode.WORK_TO_DO : ExitCode.OK;
  }
  if (!ctx.json) printFindings(ctx, findings);
  // The safe fixes are what `share` plans for accounts that already share: raising
  // cleanupPeriodDays, re-linking. Accounts that do not share are left alone (opt-in).
  const status = await collectStatus(ctx);
  const linked = status.accounts.filter((a) => a.projects.kind === 'linked').map((a) => a.path);
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
    const code = await confirmAndApply(ctx, await retainPlan(ctx, true), 'fix');
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
  const plan = await withSync(ctx, base, maps, async () => status.accounts, true);
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
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const fixable = findings.filter((f) => f.fixable).length;
  ctx.say();
  ctx.say(
    `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'note')}` +
      (fixable > 0 ? `; ${fixable} fixable with \`doctor --fix\`.` : '.'),
  );
}
