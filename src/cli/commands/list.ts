import { basename } from 'node:path';
import { ErrorCodes, SharedSessionsError } from '../../errors.js';
import { absolutePath } from '../../layout/config-dir.js';
import { encodeProjectDir } from '../../layout/names.js';
import { SDK_SESSION_FIELDS } from '../../sessions/types.js';
import { readPathMaps } from '../../sync/inspect.js';
import { mapPath, type PathMap } from '../../sync/layout.js';
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { formatPickerSize, formatWhen, table } from '../format.js';
import { iterateSessions, type ListProblem, type ListSessionsOptions, listSessions, type SessionInfo } from '../lib.js';

export interface ListOptions {
  project?: string;
  all?: boolean;
  limit?: number;
  picker?: boolean;
  fullIds?: boolean;
  /** false with `--no-worktrees`. */
  worktrees?: boolean;
}

/** `list`: sessions across the chosen accounts, newest first. */
export async function runList(ctx: Context, options: ListOptions): Promise<ExitCodeValue> {
  // Claude Code names a project folder after the real path of the working directory.
  const given = options.all ? undefined : absolutePath(options.project ?? ctx.io.cwd, ctx.home, ctx.io.cwd);
  const real = given === undefined ? undefined : await ctx.fs.realpath(given).catch(() => undefined);
  const project = real ?? given;
  const listOptions: ListSessionsOptions = {
    ...ctx.discoverOptions(),
    ...(project === undefined ? {} : { project }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    includeProgrammatic: !options.picker,
    // The picker opened in a folder shows its own sessions, not its worktrees' (the SDK does).
    ...(options.worktrees === false || options.picker ? { includeWorktrees: false } : {}),
  };
  if (options.project !== undefined && real === undefined) {
    // A folder that is gone may still have sessions; with none, the name is likely a typo.
    const probe = await listSessions({ ...listOptions, limit: 1 });
    if (probe.sessions.length === 0) {
      throw new SharedSessionsError(
        ErrorCodes.SESSION_NOT_FOUND,
        `${ctx.tilde(given as string)} does not exist, and no account has sessions for it. Check the path, or use --all.`,
        { path: given as string },
      );
    }
    ctx.note(`${ctx.ce.yellow('!')} ${ctx.tilde(given as string)} does not exist any more; these are its sessions.`);
  }
  // Path maps (docs/machines.md) name the path each alias folder stands for.
  const maps = await readPathMaps(ctx.fs, await ctx.fs.realpath(ctx.sharedDir).catch(() => ctx.sharedDir));
  if (ctx.json) {
    const problems: ListProblem[] = [];
    await streamJSON(
      (text) => ctx.io.stdout.write(text),
      iterateSessions({ ...listOptions, onProblem: (p) => problems.push(p) }),
      maps,
    );
    reportProblems(ctx, problems);
    return ExitCode.OK;
  }
  const result = await listSessions(listOptions);
  const sessions = result.sessions;
  const { c } = ctx;
  const now = ctx.io.now().getTime();
  if (sessions.length === 0) {
    ctx.say(
      project === undefined
        ? 'No sessions found in the chosen accounts.'
        : `No sessions for ${ctx.tilde(project)}. Use --all for every project, or --project <dir>.`,
    );
  } else {
    const rows = sessions.map((s) => [
      `${diverged(s) ? c.red('≠ ') : ''}${s.summary}`,
      formatWhen(s.lastModified, now),
      s.gitBranch ?? '',
      formatPickerSize(s.fileSize),
      s.accounts.map((a) => basename(a)).join(','),
      ...(project === undefined
        ? [
            projectPaths(s, maps)
              .map((p) => ctx.tilde(p))
              .join(', '),
          ]
        : []),
      c.dim(options.fullIds ? s.sessionId : s.sessionId.slice(0, 8)),
    ]);
    const columns = [
      { header: 'TITLE', max: 60 },
      { header: 'AGE' },
      { header: 'BRANCH', max: 24 },
      { header: 'SIZE', align: 'right' as const },
      { header: 'ACCOUNTS', max: 40 },
      ...(project === undefined
        ? [{ header: 'PROJECT', max: sessions.some((s) => s.aliases !== undefined) ? 80 : 40 }]
        : []),
      { header: 'ID' },
    ];
    for (const line of table(columns, rows)) ctx.say(line);
    if (sessions.some(diverged)) {
      ctx.say(c.dim('≠ diverged copies of this session exist in several accounts; `plan` shows how they are kept.'));
    }
  }
  reportProblems(ctx, result.problems);
  return ExitCode.OK;
}

/**
 * Files left out of the listing, on stderr: `! code: message` lines, or with `--json`
 * one JSON object per line (`{"problem":{"code","message","path","accounts"?}}`), so that
 * stdout stays the one JSON array.
 */
export function reportProblems(ctx: Context, problems: readonly ListProblem[]): void {
  for (const p of problems) {
    if (ctx.json) ctx.io.stderr.write(`${JSON.stringify({ problem: p })}\n`);
    else ctx.note(`${ctx.ce.yellow('!')} ${p.code}: ${p.message}`);
  }
}

/** Rows rendered together while streaming: few writes, and memory bounded by them, not by the listing. */
const CHUNK_ROWS = 256;

/**
 * Writes the rows as they come, as one JSON array, the same text as
 * `JSON.stringify(rows, null, 2)`: the whole listing is never held as one string. Rows
 * are rendered a chunk at a time by one native `JSON.stringify` of the chunk, whose
 * brackets are cut off: each row is then indented exactly as in the whole array.
 */
export async function streamJSON(
  write: (text: string) => void,
  rows: AsyncIterable<SessionInfo>,
  maps: readonly PathMap[] = [],
  chunkRows = CHUNK_ROWS,
): Promise<void> {
  let chunk: Record<string, unknown>[] = [];
  let first = true;
  const flush = () => {
    if (chunk.length === 0) return;
    // `[\n  {…},\n  {…}\n]` without its first and last two characters.
    const text = JSON.stringify(chunk, null, 2);
    write(`${first ? '[\n' : ',\n'}${text.slice(2, -2)}`);
    first = false;
    chunk = [];
  };
  for await (const row of rows) {
    chunk.push(toJSON(row, maps));
    if (chunk.length >= chunkRows) flush();
  }
  flush();
  write(first ? '[]\n' : '\n]\n');
}

function diverged(s: SessionInfo): boolean {
  return (s.copies ?? []).some((copy) => copy.relation === 'diverged');
}

/**
 * The SDK's fields in its order (absent ones left out, as the SDK does), then the
 * library's, then, for a session whose folder has aliases, `projectPaths`.
 */
function toJSON(s: SessionInfo, maps: readonly PathMap[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of SDK_SESSION_FIELDS) if (s[f] !== undefined) out[f] = s[f];
  for (const k in s) if (!(k in out)) out[k] = s[k as keyof SessionInfo];
  if (s.aliases !== undefined) out.projectPaths = projectPaths(s, maps);
  return out;
}

/**
 * Every working directory that reaches a session: the one it was recorded in, then the
 * path each alias folder stands for (the recorded one mapped by a path map, either way,
 * whose folder name is the alias's). An alias no map explains is left out here; its
 * folder name is in `aliases`.
 */
export function projectPaths(s: SessionInfo, maps: readonly PathMap[]): string[] {
  const out = s.cwd === undefined ? [] : [s.cwd];
  if (s.cwd === undefined || s.aliases === undefined) return out;
  const cwd = s.cwd;
  const candidates = maps.flatMap((m) => [mapPath(cwd, m), mapPath(cwd, { from: m.to, to: m.from })]);
  for (const alias of s.aliases) {
    const path = candidates.find((c) => c !== undefined && encodeProjectDir(c).name === alias);
    if (path !== undefined && !out.includes(path)) out.push(path);
  }
  return out;
}
