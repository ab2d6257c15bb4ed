/**
 * Whether a shared folder is safe to share into: every account resumes what is in it, so
 * anyone who can write there (or replace a folder above it) can plant or change sessions
 * that run with each account's credentials.
 */
import { dirname } from 'node:path';
import { errnoCode } from '../errors.js';
import type { FileSystem } from '../fs/types.js';

/** A folder that makes sharing unsafe, and why. */
export interface UnsafeFolder {
  path: string;
  /** What is wrong, in a sentence that says what to do. */
  reason: string;
  /** `writable`: group or others may write; `owner`: owned by another user; `link`: a link where a folder was resolved. */
  kind: 'writable' | 'owner' | 'link';
}

export interface SafetyOptions {
  /** The user the folders must belong to. @default process.getuid(), none on Windows */
  uid?: number | undefined;
}

/**
 * Checks the folders a plan writes into and every folder above them:
 *
 * - each folder in `own` (the shared folders, their parent, the conflicts folder) that
 *   exists must belong to `uid` and must not be writable by group or others;
 * - every folder above them must belong to `uid` or to root, and must not be writable by
 *   others unless it has the sticky bit (as `/tmp` has: others can add names there, but not
 *   rename or remove ours).
 *
 * Missing folders are skipped (the library creates them 0700). Without a `uid` (Windows),
 * nothing is checked: modes and owners mean nothing there. Paths must be real paths.
 */
export async function findUnsafeFolders(
  fs: FileSystem,
  own: readonly string[],
  options: SafetyOptions = {},
): Promise<UnsafeFolder[]> {
  const uid = 'uid' in options ? options.uid : process.getuid?.();
  if (uid === undefined) return [];
  const ownSet = new Set(own);
  const above = new Set<string>();
  for (const path of own) {
    for (let p = dirname(path); ; p = dirname(p)) {
      if (!ownSet.has(p)) above.add(p);
      if (dirname(p) === p) break;
    }
  }
  const found: UnsafeFolder[] = [];
  const check = async (path: string, strict: boolean) => {
    let st: Awaited<ReturnType<FileSystem['lstat']>>;
    try {
      st = await fs.lstat(path);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw error;
    }
    if (st.type === 'symlink') {
      found.push({
        kind: 'link',
        path,
        reason: `${path} is a link, but it was resolved as a folder a moment ago: something is changing the folders above the shared folder. Check who can write there, then plan again.`,
      });
      return;
    }
    if (st.type !== 'directory') return;
    const mode = st.mode & 0o7777;
    const sticky = (mode & 0o1000) !== 0;
    if (strict ? st.uid !== uid : st.uid !== uid && st.uid !== 0) {
      found.push({
        kind: 'owner',
        path,
        reason: `${path} belongs to user ${st.uid}, not to you (${uid})${strict ? '' : ' or root'}: its owner could change or replace the sessions every account resumes. Use a shared folder you own (--shared), or fix its owner (chown).`,
      });
    }
    const writable = strict ? (mode & 0o022) !== 0 : (mode & 0o002) !== 0 && !sticky;
    if (writable) {
      const who = (mode & 0o002) !== 0 ? 'other users' : 'its group';
      found.push({
        kind: 'writable',
        path,
        reason: `${path} is writable by ${who} (mode ${mode.toString(8).padStart(4, '0')}): they could plant or change sessions that every account resumes. Run chmod go-w ${path}${strict ? '' : ' (or choose a shared folder elsewhere)'}, then plan again.`,
      });
    }
  };
  for (const path of own) await check(path, true);
  for (const path of [...above].sort()) await check(path, false);
  return found;
}
