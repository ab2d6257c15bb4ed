import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import type { FileStat, FileSystem } from '../fs/types.js';
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
import { ioProblem, type ProblemSink, type SessionFiles, type TranscriptFile } from './scan.js';
import { readArchived, readSidecarTitle } from './sidecars.js';
import type { SessionCopy, SessionInfo } from './types.js';
import { type BufferPool, WINDOW_BYTES, type WindowReader, type Windows } from './window.js';

/** What describing a session needs. */
export interface Settings {
  fs: FileSystem;
  read: WindowReader;
  /** lstat of a file the listing did not list (a `continued-in` target). */
  lstat: (path: string) => Promise<FileStat>;
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

/** Bytes of a continued-in target scanned for a message line before it is taken as one anyway. */
const CONTINUED_SCAN_LIMIT = 16 * (1 << 20);
const PARENT_UUID = Buffer.from('"parentUuid":');

/** Whether a `continued-in` target is a real transcript (has a message line). */
async function isTranscript(s: Settings, path: string): Promise<boolean> {
  const { fs, pool } = s;
  let st: FileStat;
  try {
    st = await s.lstat(path);
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

  const tailTitle = tailCustomTitle(tail);
  const sidecarDir = file.hasSidecarDir ? join(file.projectPath, file.sessionId) : '';
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
export async function describeSession(group: SessionFiles, s: Settings): Promise<SessionInfo | undefined> {
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
