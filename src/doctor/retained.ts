import { dirname, join } from 'node:path';
import { errnoCode } from '../errors.js';
import type { DirEntry, FileStat, FileSystem } from '../fs/types.js';
import { retainedDirOf } from '../layout/config-dir.js';
import { SESSIONS_INDEX } from '../layout/names.js';

/** A regular file as the retain planner needs it. */
export interface RetainFile {
  size: number;
  mtimeMs: number;
  mode: number;
  ino: number;
  dev: number;
  /** Its link count: 1 for a retained file whose shared name is gone. */
  nlink: number;
}

/**
 * What `readRetainState` found, already compared: the shared folder's files against
 * their retained links, by relative path (with `/`). Only what differs is listed file by
 * file, so that a refresh with nothing to do costs the walk and no planning.
 */
export interface RetainState {
  sharedDir: string;
  retainedDir: string;
  /** Whether `<shared parent>/.retained` exists. */
  retainedTopExists: boolean;
  /** Regular files found under the shared folder (what is retained, less what is skipped). */
  sharedFiles: number;
  /** Files found under the retained folder. */
  retainedFiles: number;
  /** Shared files with no retained link yet: relative path -> the shared file. */
  unretained: Record<string, RetainFile>;
  /** Retained files whose shared name is gone (Claude Code's cleanup, or by hand): relative path -> the retained file. */
  deleted: Record<string, RetainFile>;
  /** Shared files whose retained name is another file (the shared one was rewritten as a new file). */
  replaced: string[];
  /** Folders (relative, `''` for the top) that exist under each. */
  sharedDirs: string[];
  retainedDirs: string[];
  /**
   * How many entries of any kind (files, folders, links, temporary names) each retained
   * folder holds, by relative path: a prune removes a folder only when its own removals
   * account for all of them. Absent in a state read before this was counted.
   */
  retainedEntries?: Record<string, number>;
  /**
   * Retained files that no other name holds (link count 1: deleted from the shared folder,
   * or the older version of a replaced one), and their bytes: the disk space the retained
   * folder alone keeps in use.
   */
  heldOnly: { files: number; bytes: number };
}

/**
 * Reads what `planRetain` needs, in one walk of each tree: every regular file under the
 * shared folder (links, fifos and the like are skipped; so are `memory/` folders, which
 * Claude Code rewrites and its cleanup leaves alone, `sessions-index.json` and temporary
 * files), every file under its retained folder, and from their inode numbers which
 * shared files are retained already (same inode and device), which are not, which
 * retained files lost their shared name, and how much space only the retained folder
 * holds (link count 1). One `readdir` per folder and one `lstat` per file on each side;
 * on the real disk both synchronous (no thread-pool round trip per file). Reads only.
 *
 * @example
 * const state = await readRetainState(fs, '/h/.claude-shared/projects');
 * state.unretained; // { '-home-u-app/1f0c….jsonl': { size, mtimeMs, mode, ino, dev, nlink } }
 */
export async function readRetainState(fs: FileSystem, sharedDir: string): Promise<RetainState> {
  const retainedDir = retainedDirOf(sharedDir);
  const io = walkIo(fs);
  const state: RetainState = {
    sharedDir,
    retainedDir,
    retainedTopExists: false,
    sharedFiles: 0,
    retainedFiles: 0,
    unretained: {},
    deleted: {},
    replaced: [],
    sharedDirs: [],
    retainedDirs: [],
    retainedEntries: {},
    heldOnly: { files: 0, bytes: 0 },
  };
  const top = await lstatOrUndefined(io, dirname(retainedDir));
  state.retainedTopExists = top?.type === 'directory';

  const shared = new Map<string, RetainFile>();
  await walk(io, sharedDir, true, state.sharedDirs, undefined, (rel, file) => {
    shared.set(rel, file);
  });
  state.sharedFiles = shared.size;
  const seen = new Set<string>();
  if (state.retainedTopExists) {
    const entries = state.retainedEntries ?? {};
    await walk(io, retainedDir, false, state.retainedDirs, entries, (rel, kept) => {
      state.retainedFiles++;
      if (kept.nlink <= 1) {
        state.heldOnly.files++;
        state.heldOnly.bytes += kept.size;
      }
      const file = shared.get(rel);
      if (file === undefined) {
        state.deleted[rel] = kept;
        return;
      }
      seen.add(rel);
      if (file.ino !== kept.ino || file.dev !== kept.dev) state.replaced.push(rel);
    });
  }
  for (const [rel, file] of shared) if (!seen.has(rel)) state.unretained[rel] = file;
  state.replaced.sort();
  return state;
}

/** The reads of a walk: synchronous where the filesystem has them (the real disk). */
interface WalkIo {
  readdir(path: string): DirEntry[] | Promise<DirEntry[]>;
  lstat(path: string): FileStat | Promise<FileStat>;
}

function walkIo(fs: FileSystem): WalkIo {
  const sync = fs.sync;
  if (sync?.readdir && sync.lstatExact) {
    const { readdir, lstatExact } = sync;
    return { readdir: (p) => readdir.call(sync, p), lstat: (p) => lstatExact.call(sync, p) };
  }
  return { readdir: (p) => fs.readdir(p), lstat: (p) => fs.lstat(p) };
}

async function lstatOrUndefined(io: WalkIo, path: string): Promise<FileStat | undefined> {
  try {
    return await io.lstat(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * Every regular file under `root` (relative paths with `/`), depth first; `dirs` gets
 * each folder's relative path (`''` for `root`). A folder or file that vanishes during
 * the walk is skipped. `counts`, when given, gets each folder's number of entries.
 */
async function walk(
  io: WalkIo,
  root: string,
  sharedSide: boolean,
  dirs: string[],
  counts: Record<string, number> | undefined,
  onFile: (rel: string, file: RetainFile) => void,
): Promise<void> {
  const pending: string[] = [''];
  while (pending.length > 0) {
    const rel = pending.pop() as string;
    const dir = rel === '' ? root : join(root, rel);
    let entries: DirEntry[];
    try {
      entries = await io.readdir(dir);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') continue;
      throw error;
    }
    dirs.push(rel);
    if (counts !== undefined) counts[rel] = entries.length;
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.type === 'directory') {
        if (!(sharedSide && e.name === 'memory')) pending.push(child);
        continue;
      }
      if (e.type !== 'file') continue;
      if (sharedSide && e.name === SESSIONS_INDEX) continue;
      // Temporary names: Claude Code's (`.tmp`) and the executor's (`.css-tmp`).
      if (e.name.includes('.tmp') || e.name.endsWith('.css-tmp')) continue;
      const st = await lstatOrUndefined(io, join(root, child));
      if (st === undefined || st.type !== 'file') continue;
      onFile(child, { size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, ino: st.ino, dev: st.dev, nlink: st.nlink });
    }
  }
}
