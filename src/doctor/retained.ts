import { dirname, join } from 'node:path';
import { errnoCode } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import { SESSIONS_INDEX } from '../layout/names.js';
import { type RetainFile, type RetainState, retainedDirOf } from '../plan/retain.js';

/**
 * Reads what `planRetain` needs: every regular file under the shared folder (links,
 * fifos and the like are skipped; so are `memory/` folders, which Claude Code rewrites
 * and its cleanup leaves alone, and `sessions-index.json`), and every file under its
 * retained folder. Reads only.
 */
export async function readRetainState(fs: FileSystem, sharedDir: string): Promise<RetainState> {
  const retainedDir = retainedDirOf(sharedDir);
  const state: RetainState = {
    sharedDir,
    retainedDir,
    shared: {},
    retained: {},
    sharedDirs: [],
    retainedDirs: [],
    retainedTopExists: false,
  };
  try {
    state.retainedTopExists = (await fs.lstat(dirname(retainedDir))).type === 'directory';
  } catch {
    state.retainedTopExists = false;
  }
  await walk(fs, sharedDir, '', state.shared, state.sharedDirs, true);
  await walk(fs, retainedDir, '', state.retained, state.retainedDirs, false);
  return state;
}

async function walk(
  fs: FileSystem,
  root: string,
  rel: string,
  files: Record<string, RetainFile>,
  dirs: string[],
  skipUnretained: boolean,
): Promise<void> {
  const dir = rel === '' ? root : join(root, rel);
  let entries: Awaited<ReturnType<FileSystem['readdir']>>;
  try {
    entries = await fs.readdir(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return;
    throw error;
  }
  dirs.push(rel);
  for (const e of entries) {
    const child = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.type === 'directory') {
      if (skipUnretained && e.name === 'memory') continue;
      await walk(fs, root, child, files, dirs, skipUnretained);
    } else if (e.type === 'file') {
      if (skipUnretained && e.name === SESSIONS_INDEX) continue;
      if (e.name.includes('.tmp')) continue;
      try {
        const st = await fs.lstat(join(root, child));
        if (st.type !== 'file') continue;
        files[child] = { size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, ino: st.ino, dev: st.dev };
      } catch {
        // Gone meanwhile.
      }
    }
  }
}
