import { dirname } from 'node:path';
import { ErrorCodes, SharedSessionsError } from '../errors.js';
import { defaultFileSystem } from '../fs/node.js';
import type { FileSystem } from '../fs/types.js';
import { createLimit } from '../util/limit.js';
import { describeSession, type Settings } from './describe.js';
import { ListWorkers, PARALLEL_MIN_FILES, workerCount, workersCanRead } from './parallel.js';
import {
  compareNewestFirst,
  groupSessions,
  listProjectDirs,
  orderOfGroups,
  orderOfTable,
  type ProblemSink,
  type ProjectDir,
  readProjectDirs,
  resolveFolders,
  type SessionFiles,
  type SessionOrder,
  statCandidates,
} from './scan.js';
import type {
  IterateSessionsOptions,
  ListProblem,
  ListSessionsOptions,
  ListSessionsResult,
  SessionInfo,
} from './types.js';
import { BufferPool, interfaceReader } from './window.js';
import { gitWorktrees } from './worktrees.js';

/** Sessions sent to a worker in one message. */
const WORKER_BATCH = 32;
/** Batches waiting per worker: enough that none idles while the oldest batch is read. */
const WORKER_AHEAD = 6;

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new SharedSessionsError(ErrorCodes.ABORTED, 'Listing sessions was aborted.', { cause: signal.reason });
  }
}

function before(row: SessionInfo, next: { mtimeMs: number; sessionId: string } | undefined): boolean {
  return next === undefined || compareNewestFirst(row.lastModified, row.sessionId, next.mtimeMs, next.sessionId) < 0;
}

/**
 * Lists sessions one by one, newest first, reading only the files it needs: with a
 * `limit`, files past the last row returned are never opened. Problems (files that
 * could not be read) go to `onProblem`; the listing goes on without them.
 *
 * @example
 * ```ts
 * for await (const s of iterateSessions({ accounts: ['~/.claude', '~/.claude-2'] })) {
 *   console.log(s.sessionId, s.summary, s.accounts.join(','));
 * }
 * ```
 */
export async function* iterateSessions(
  options: IterateSessionsOptions = {},
): AsyncGenerator<SessionInfo, void, undefined> {
  if (options.project === '') {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      'project must be a working directory, not an empty string.',
    );
  }
  const fs = options.fs ?? defaultFileSystem();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 64));
  const report: ProblemSink = options.onProblem ?? (() => {});
  const s: Settings = {
    fs,
    read: interfaceReader(fs),
    lstat: (path) => fs.lstat(path),
    includeProgrammatic: options.includeProgrammatic ?? true,
    compareCopies: options.compareCopies ?? 'windows',
    concurrency,
    pool: new BufferPool(concurrency * 3),
    report,
    signal: options.signal,
  };
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const limit = options.limit !== undefined && options.limit > 0 ? Math.floor(options.limit) : Number.POSITIVE_INFINITY;

  aborted(s.signal);
  const folders = await resolveFolders(options, fs, report);
  // Alias links (docs/machines.md): each session is listed once, through its real folder,
  // and names every alias folder that reaches it too.
  const aliases = new Map<string, string[]>();
  const project = options.project === undefined ? undefined : await realProject(fs, options.project);
  const worktrees =
    project === undefined || options.includeWorktrees === false
      ? []
      : (options.worktrees ?? (fs.kind === 'node' ? await gitWorktrees(project) : []));
  const dirs = await listProjectDirs(folders, fs, project, report, aliases, worktrees);
  let workers: ListWorkers | undefined;
  if (workersCanRead(fs)) {
    // Workers pay off only for a large listing: count the transcripts up to where they do.
    const enough = options.workers === undefined ? PARALLEL_MIN_FILES : 1;
    workers = await ListWorkers.start(workerCount(await countTranscripts(dirs, fs, enough), options.workers));
  }
  try {
    let order = workers ? await workers.scan(dirs, report).then(orderOfTable, () => undefined) : undefined;
    if (order === undefined) {
      // In this thread (a worker that failed to scan leaves it here too).
      const candidates = await readProjectDirs(dirs, fs, concurrency, report);
      order = orderOfGroups(groupSessions(await statCandidates(candidates, s.lstat, concurrency, report)));
    }
    aborted(s.signal);
    for await (const row of ordered(order, s, { offset, limit }, workers)) {
      const names = aliases.size === 0 ? undefined : aliases.get(dirname(row.path));
      if (names !== undefined) row.aliases = [...names].sort();
      yield row;
    }
  } finally {
    await workers?.close();
  }
}

/** How many transcripts the project folders hold, counting no further than `enough`. */
async function countTranscripts(dirs: readonly ProjectDir[], fs: FileSystem, enough: number): Promise<number> {
  let count = 0;
  for (const dir of dirs) {
    if (count >= enough) break;
    const entries = await fs.readdir(dir.path).catch(() => []);
    for (const e of entries) if (e.name.endsWith('.jsonl')) count++;
  }
  return count;
}

/**
 * Describes the sessions ahead of the one being yielded, a bounded window at a time (so
 * memory stays flat and a small limit opens few files), and yields them in order.
 */
async function* ordered(
  groups: SessionOrder,
  s: Settings,
  page: { offset: number; limit: number },
  workers: ListWorkers | undefined,
): AsyncGenerator<SessionInfo, void, undefined> {
  const { offset, limit } = page;
  const concurrency = s.concurrency;

  const run = createLimit(concurrency);
  // Workers take sessions a batch at a time; this thread one at a time.
  const batch = workers ? WORKER_BATCH : 1;
  const lookahead = workers ? WORKER_BATCH * workers.size * WORKER_AHEAD : concurrency * 4;
  const pending: (Promise<SessionInfo | undefined> | undefined)[] = [];
  let launched = 0;
  const launch = () => {
    while (launched < groups.length && launched - yielded < lookahead) {
      const from = launched;
      const slice: SessionFiles[] = [];
      for (let k = from; k < Math.min(from + batch, groups.length); k++) slice.push(groups.take(k));
      if (workers) {
        const rows = workers
          .describe(slice, { includeProgrammatic: s.includeProgrammatic, compareCopies: s.compareCopies }, s.report)
          // A worker that failed (out of memory, killed): its batch is described here.
          .catch(() => Promise.all(slice.map((g) => run(() => describeSession(g, s)))));
        slice.forEach((_, k) => {
          const task = rows.then((r) => r[k]);
          task.catch(() => {}); // observed when awaited below
          pending[from + k] = task;
        });
      } else {
        const task = run(() => describeSession(slice[0] as SessionFiles, s));
        task.catch(() => {});
        pending[from] = task;
      }
      launched += slice.length;
    }
  };
  let yielded = 0;
  let skipped = 0;
  let emitted = 0;
  // Rows whose file is older than their session's newest file (that one was not
  // listable) wait here until nothing later can sort before them.
  const held: SessionInfo[] = [];
  try {
    for (let i = 0; i < groups.length && emitted < limit; i++) {
      launch();
      const row = await (pending[i] as Promise<SessionInfo | undefined>);
      pending[i] = undefined;
      yielded = i + 1;
      aborted(s.signal);
      if (row !== undefined) {
        held.push(row);
        if (held.length > 1)
          held.sort((a, b) => compareNewestFirst(a.lastModified, a.sessionId, b.lastModified, b.sessionId));
      }
      const next =
        i + 1 < groups.length ? { mtimeMs: groups.mtimeMs(i + 1), sessionId: groups.sessionId(i + 1) } : undefined;
      while (held.length > 0 && emitted < limit && before(held[0] as SessionInfo, next)) {
        const out = held.shift() as SessionInfo;
        if (skipped < offset) {
          skipped++;
          continue;
        }
        emitted++;
        yield out;
      }
    }
  } finally {
    // Let reads already started finish before the caller moves on (their buffers return to the pool).
    await Promise.allSettled(pending.slice(yielded, launched).filter((p) => p !== undefined));
  }
}

/**
 * Lists the sessions of several Claude Code accounts at once, as Claude Code's own
 * `/resume` picker and the official SDK's `listSessions` describe them: the SDK's
 * `SDKSessionInfo` fields (same names, same derivation, absent fields left out), plus the
 * file's path, project folder, the accounts that see it, and other copies of the same
 * session id. A session shared by several linked accounts is one row.
 *
 * Reads only the first and last 64 KB of each transcript (and the small sidecar files
 * `custom-title.json` and `archived.json`). Files that cannot be read are reported in
 * `problems`; every other session is still listed. Never throws for a bad file; throws
 * a `SharedSessionsError` only for an invalid option or an abort.
 *
 * @example
 * ```ts
 * import { listSessions } from 'claude-shared-sessions';
 *
 * const { sessions, problems } = await listSessions({ accounts: ['~/.claude', '~/.claude-2'], limit: 20 });
 * for (const s of sessions) console.log(new Date(s.lastModified), s.summary, s.accounts);
 * for (const p of problems) console.warn(p.code, p.message);
 *
 * // What the /resume picker shows, for one project:
 * await listSessions({ project: process.cwd(), includeProgrammatic: false });
 * ```
 */
export async function listSessions(options: ListSessionsOptions = {}): Promise<ListSessionsResult> {
  const problems: ListProblem[] = [];
  const sessions: SessionInfo[] = [];
  for await (const row of iterateSessions({ ...options, onProblem: (p) => problems.push(p) })) sessions.push(row);
  return { sessions, problems };
}

/** The working directory as Claude Code names its folder: its real path when it exists. */
async function realProject(fs: FileSystem, project: string): Promise<string> {
  try {
    return (await fs.realpath(project)).normalize('NFC');
  } catch {
    return project;
  }
}
