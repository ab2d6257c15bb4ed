import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, errnoCode, SharedSessionsError } from '../errors.js';
import { defaultFileSystem } from '../fs/node.js';
import { PromisesFileSystem } from '../fs/promises-adapter.js';
import type { FileSystem } from '../fs/types.js';
import { createLimit } from '../util/limit.js';
import { type CopyBytes, compareCopy } from './copies.js';
import {
  continuedIn,
  fieldsFromWindows,
  isProgrammatic,
  isSidechain,
  promptedAfter,
  Text,
  tailCustomTitle,
} from './extract.js';
import {
  compareNewestFirst,
  findSessionFiles,
  ioProblem,
  type LstatFacts,
  type ProblemSink,
  resolveFolders,
  type SessionFiles,
  type TranscriptFile,
} from './scan.js';
import { readArchived, readSidecarTitle } from './sidecars.js';
import type { ListProblem, ListSessionsOptions, ListSessionsResult, SessionCopy, SessionInfo } from './types.js';
import {
  BufferPool,
  directReader,
  interfaceReader,
  WINDOW_BYTES,
  type WindowReader,
  type Windows,
} from './window.js';

/** Bytes of a continued-in target scanned for a message line before it is taken as one anyway. */
const CONTINUED_SCAN_LIMIT = 16 * (1 << 20);
const PARENT_UUID = Buffer.from('"parentUuid":');

interface Settings {
  fs: FileSystem;
  read: WindowReader;
  includeProgrammatic: boolean;
  compareCopies: 'windows' | 'full';
  concurrency: number;
  pool: BufferPool;
  report: ProblemSink;
  signal: AbortSignal | undefined;
}

/** What one file says, or why it is not listed. */
interface FileResult {
  file: TranscriptFile;
  windows: Windows | undefined;
  /** Undefined when Claude Code would not list this file (or it could not be read). */
  info: Omit<SessionInfo, 'path' | 'projectDir' | 'accounts' | 'copies'> | undefined;
  unreadable: boolean;
}

/** The library's own real-disk filesystem, which the listing may read without its promise layer. */
function isRealDisk(fs: FileSystem): boolean {
  return fs instanceof PromisesFileSystem && fs.kind === 'node';
}

const directLstat: LstatFacts = (path) =>
  new Promise((resolve, reject) =>
    nodeFs.lstat(path, (error, st) => {
      if (error) return reject(error);
      resolve({
        type: st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other',
        size: st.size,
        mtimeMs: Math.round(st.mtimeMs),
        dev: st.dev,
        ino: st.ino,
      });
    }),
  );

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new SharedSessionsError(ErrorCodes.ABORTED, 'Listing sessions was aborted.', { cause: signal.reason });
  }
}

/** Whether a `continued-in` target is a real transcript (has a message line). */
async function isTranscript(s: Settings, path: string): Promise<boolean> {
  const { fs, pool } = s;
  let st: Awaited<ReturnType<FileSystem['lstat']>>;
  try {
    st = await fs.lstat(path);
  } catch {
    return false;
  }
  if (st.type !== 'file') return false;
  let windows: Windows | undefined;
  try {
    windows = await s.read(path, st.size, pool);
  } catch {
    return false;
  }
  if (windows === undefined) return false;
  const found = windows.head.includes(PARENT_UUID) || windows.tail.includes(PARENT_UUID);
  pool.release(windows);
  if (found) return true;
  if (st.size <= WINDOW_BYTES) return false;
  const handle = await fs.open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe((1 << 20) + PARENT_UUID.length);
    let keep = 0;
    for (let at = 0; at < CONTINUED_SCAN_LIMIT; ) {
      const n = await handle.read(chunk, keep, 1 << 20, at);
      if (n <= 0) return false;
      const end = keep + n;
      if (chunk.subarray(0, end).includes(PARENT_UUID)) return true;
      keep = Math.min(PARENT_UUID.length, end);
      chunk.copyWithin(0, end - keep, end);
      at += n;
    }
    return true;
  } finally {
    await handle.close();
  }
}

async function describeFile(file: TranscriptFile, s: Settings): Promise<FileResult> {
  let windows: Windows | undefined;
  try {
    windows = await s.read(file.path, file.size, s.pool);
  } catch (error) {
    // Vanished since it was listed: not a problem, just not there any more.
    if (errnoCode(error) !== 'ENOENT') s.report(ioProblem(error, file.path, 'reading', file.accounts));
    return { file, windows: undefined, info: undefined, unreadable: errnoCode(error) !== 'ENOENT' };
  }
  if (windows === undefined) return { file, windows, info: undefined, unreadable: false };
  const none: FileResult = { file, windows, info: undefined, unreadable: false };
  const head = new Text(windows.head);
  const tail = windows.tail === windows.head ? head : new Text(windows.tail);
  if (isSidechain(head)) return none;
  if (!s.includeProgrammatic && isProgrammatic(head, tail)) return none;
  const next = continuedIn(tail);
  if (next !== undefined && (await isTranscript(s, join(file.projectPath, `${next}.jsonl`)))) return none;

  const sidecarDir = join(file.projectPath, file.sessionId);
  const tailTitle = tailCustomTitle(tail);
  const [sidecarTitle, archived] = file.hasSidecarDir
    ? await Promise.all([
        tailTitle === undefined ? readSidecarTitle(s.fs, join(sidecarDir, 'custom-title.json')) : undefined,
        readArchived(s.fs, join(sidecarDir, 'archived.json')),
      ])
    : [undefined, undefined];
  const fields = fieldsFromWindows(head, tail, tailTitle, sidecarTitle);
  if (fields === undefined) return none;
  const info: FileResult['info'] = {
    sessionId: file.sessionId,
    summary: fields.summary,
    lastModified: file.mtimeMs,
    fileSize: windows.size,
  };
  if (fields.customTitle !== undefined) info.customTitle = fields.customTitle;
  if (fields.firstPrompt !== undefined) info.firstPrompt = fields.firstPrompt;
  if (fields.gitBranch !== undefined) info.gitBranch = fields.gitBranch;
  if (fields.cwd !== undefined) info.cwd = fields.cwd;
  if (fields.tag !== undefined) info.tag = fields.tag;
  if (fields.createdAt !== undefined) info.createdAt = fields.createdAt;
  if (archived !== undefined) {
    info.archived = archived.archived && !promptedAfter(head, tail, archived.atMs);
  }
  return { file, windows, info, unreadable: false };
}

function bytesOf(r: FileResult): CopyBytes {
  return { path: r.file.path, size: r.windows?.size ?? r.file.size, windows: r.windows };
}

/** Reads every file of one session and makes its row, or undefined when it is not listed. */
async function describeSession(group: SessionFiles, s: Settings): Promise<SessionInfo | undefined> {
  const results = await Promise.all(group.files.map((f) => describeFile(f, s)));
  try {
    const newest = results.find((r) => r.info !== undefined);
    if (newest?.info === undefined) return undefined;
    const row: SessionInfo = {
      ...newest.info,
      path: newest.file.path,
      projectDir: newest.file.projectDir,
      accounts: [...newest.file.accounts],
    };
    const others = results.filter((r) => r !== newest);
    if (others.length > 0) {
      row.copies = await Promise.all(
        others.map(async (r): Promise<SessionCopy> => {
          let relation: SessionCopy['relation'] = 'unknown';
          if (!r.unreadable) {
            try {
              relation = await compareCopy(s.fs, bytesOf(r), bytesOf(newest), s.compareCopies);
            } catch (error) {
              s.report(ioProblem(error, r.file.path, 'comparing', r.file.accounts));
            }
          }
          return {
            path: r.file.path,
            projectDir: r.file.projectDir,
            accounts: [...r.file.accounts],
            fileSize: r.windows?.size ?? r.file.size,
            lastModified: r.file.mtimeMs,
            relation,
          };
        }),
      );
    }
    return row;
  } finally {
    for (const r of results) s.pool.release(r.windows);
  }
}

function before(row: SessionInfo, next: SessionFiles | undefined): boolean {
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
  options: ListSessionsOptions & { onProblem?: (problem: ListProblem) => void } = {},
): AsyncGenerator<SessionInfo, void, undefined> {
  const fs = options.fs ?? defaultFileSystem();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 64));
  const report: ProblemSink = options.onProblem ?? (() => {});
  const s: Settings = {
    fs,
    // The real disk is read on file descriptors directly; any other filesystem (memfs, a
    // wrapper counting bytes) through its interface.
    read: isRealDisk(fs) ? directReader(nodeFs) : interfaceReader(fs),
    includeProgrammatic: options.includeProgrammatic ?? true,
    compareCopies: options.compareCopies ?? 'windows',
    concurrency,
    pool: new BufferPool(concurrency * 3),
    report,
    signal: options.signal,
  };
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const limit = options.limit !== undefined && options.limit > 0 ? Math.floor(options.limit) : Number.POSITIVE_INFINITY;
  if (options.project !== undefined && options.project === '') {
    throw new SharedSessionsError(ErrorCodes.INVALID_OPTION, 'project must be a working directory, not an empty string.');
  }

  aborted(s.signal);
  const folders = await resolveFolders(options, fs, report);
  const groups = await findSessionFiles(
    folders,
    fs,
    { project: options.project, concurrency, lstat: isRealDisk(fs) ? directLstat : undefined },
    report,
  );
  aborted(s.signal);

  // Sessions are described ahead of the one being yielded, a bounded window at a time,
  // so memory stays flat and a small limit opens few files.
  const run = createLimit(concurrency);
  const lookahead = concurrency * 4;
  const pending: Promise<SessionInfo | undefined>[] = [];
  let launched = 0;
  const launch = () => {
    while (launched < groups.length && launched - yielded < lookahead) {
      const group = groups[launched] as SessionFiles;
      const task = run(() => describeSession(group, s));
      task.catch(() => {}); // observed when awaited below
      pending[launched] = task;
      launched++;
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
      pending[i] = Promise.resolve(undefined);
      yielded = i + 1;
      aborted(s.signal);
      if (row !== undefined) {
        held.push(row);
        if (held.length > 1) held.sort((a, b) => compareNewestFirst(a.lastModified, a.sessionId, b.lastModified, b.sessionId));
      }
      const next = groups[i + 1];
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
    await Promise.allSettled(pending.slice(yielded, launched));
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
