/**
 * Several machines, one history: the layout of a shared folder that a sync engine
 * (Syncthing, Dropbox, iCloud, rsync) copies between machines. Pure names and texts; the
 * reading is in `inspect.ts`, the planning in `plan.ts`.
 *
 * The synced root is the folder that HOLDS the shared `projects/` (by default
 * `~/.claude-shared`), never `projects/` itself: Claude Code's daily cleanup removes every
 * empty subfolder of `projects/`, Syncthing's `.stfolder` marker included, and Syncthing
 * then stops the folder with "folder marker missing" (measured with Claude Code 2.1.332
 * and Syncthing 1.19.2; see docs/machines.md).
 */
import { dirname, join } from 'node:path';
import { ErrorCodes, SharedSessionsError } from '../errors.js';

/** Syncthing's folder marker (a folder, sometimes a file in old releases). */
export const STFOLDER = '.stfolder';
export const STIGNORE = '.stignore';
/** The machine-local ignore file the written `.stignore` includes (never synced). */
export const STIGNORE_LOCAL = '.stignore-local';
/** One small JSON record per machine, synced: `<root>/.claude-shared-machines/<machine>.json`. */
export const MACHINES_DIR = '.claude-shared-machines';
/** Machine-local files of this library in the synced root (never synced). */
export const LOCAL_DIR = '.claude-shared-local';
export const PATH_MAPS_FILE = 'path-maps.json';

/** The synced root for a shared `projects` folder: the folder that holds it. */
export function syncRootOf(sharedDir: string): string {
  return dirname(sharedDir);
}

export function pathMapsPath(root: string): string {
  return join(root, LOCAL_DIR, PATH_MAPS_FILE);
}

export function machineRecordPath(root: string, machine: string): string {
  return join(root, MACHINES_DIR, `${machine}.json`);
}

/** Where replaced machine-local files are kept: `<root>/.claude-shared-local/backups/`. */
export function localBackupsDir(root: string): string {
  return join(root, LOCAL_DIR, 'backups');
}

/**
 * The `.stignore` written at the synced root: only `projects/` and the machines registry
 * travel; stale listing caches, half-written files and OS litter never do; each machine's
 * own additions go to `.stignore-local` (which must exist: an empty one is fine).
 * `*.sync-conflict-*` copies are deliberately NOT ignored, so that `doctor --fix` on either
 * machine can fold them back. Syncthing does not sync `.stignore` itself: each machine
 * writes its own (`apply`).
 */
export function stignoreText(): string {
  return [
    '// claude-shared-sessions: the Syncthing folder root is the folder that HOLDS projects/',
    '// (so .stfolder, .stignore and .stversions are outside Claude Code’s reach).',
    '// Machine-local additions, not synced:',
    `#include ${STIGNORE_LOCAL}`,
    '// Claude Code’s stale listing cache (frozen since 2.1.30; an old copy hides sessions)',
    '(?d)/projects/*/sessions-index.json',
    '// half-written files from atomic saves',
    '(?d)*.tmp',
    '(?d)*.tmp.*',
    '// OS litter',
    '(?d).DS_Store',
    '(?d)._*',
    '(?d)Thumbs.db',
    '(?d)desktop.ini',
    '// nothing but projects/ and the machines registry travels',
    '!/projects',
    `!/${MACHINES_DIR}`,
    '*',
    '',
  ].join('\n');
}

export function stignoreLocalText(): string {
  return '// Machine-local Syncthing ignore patterns (this file is not synced).\n';
}

/** A Syncthing marker inside `projects/` itself: a layout that loses the marker to Claude Code's cleanup. */
export function projectsRootError(sharedDir: string): SharedSessionsError {
  return new SharedSessionsError(
    ErrorCodes.SYNC_LAYOUT,
    `${join(sharedDir, STFOLDER)} exists: Syncthing's folder root is the shared projects/ folder itself. Claude Code's daily cleanup deletes every empty subfolder of projects/, Syncthing's .stfolder marker included, and Syncthing then stops syncing that folder ("folder marker missing"). Make the folder that holds it (${syncRootOf(sharedDir)}) the Syncthing folder instead: remove the folder from Syncthing, delete ${join(sharedDir, STFOLDER)}, add ${syncRootOf(sharedDir)} as the folder on every machine, then run apply again (see docs/machines.md).`,
    { path: join(sharedDir, STFOLDER) },
  );
}

/** A machine name safe as a file name: letters, digits, `.`, `_`, `-` (others become `-`). */
export function machineName(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+/, '');
  return cleaned === '' ? 'machine' : cleaned.slice(0, 64);
}

/** One `--map-path FROM=TO`: FROM the other machine's path prefix, TO this machine's. */
export interface PathMap {
  from: string;
  to: string;
}

/**
 * Parses `FROM=TO` (both absolute; trailing separators dropped).
 *
 * @throws SharedSessionsError `EINVALID_OPTION` when either side is missing or relative.
 */
export function parsePathMap(value: string): PathMap {
  const at = value.indexOf('=');
  const trim = (p: string) => (p.length > 1 ? p.replace(/[\\/]+$/, '') : p);
  const from = trim(at < 0 ? '' : value.slice(0, at));
  const to = trim(at < 0 ? '' : value.slice(at + 1));
  const absolute = (p: string) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
  if (at < 0 || !absolute(from) || !absolute(to) || from === to) {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      `--map-path ${JSON.stringify(value)} is not FROM=TO with two different absolute paths: FROM is where the other machine keeps a project (or a folder above it), TO is where this machine keeps it, e.g. --map-path /home/alice=/Users/alice.`,
    );
  }
  return { from, to };
}

/** The path `cwd` takes on this machine under `map`, or undefined when it is not under `map.from`. */
export function mapPath(cwd: string, map: PathMap): string | undefined {
  if (cwd === map.from) return map.to;
  const sep = map.from.includes('\\') && !map.from.includes('/') ? '\\' : '/';
  const prefix = map.from.endsWith(sep) ? map.from : map.from + sep;
  if (!cwd.startsWith(prefix)) return undefined;
  return (map.to.endsWith(sep) ? map.to : map.to + sep) + cwd.slice(prefix.length);
}

/** The union of stored and given maps, stored first, without duplicates. */
export function mergePathMaps(stored: readonly PathMap[], given: readonly PathMap[]): PathMap[] {
  const out: PathMap[] = [];
  for (const m of [...stored, ...given]) if (!out.some((o) => o.from === m.from && o.to === m.to)) out.push(m);
  return out;
}

/** A Claude Code transcript's stem: a session id (a UUID, lowercase as Claude Code writes it). */
const SESSION_STEM = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** OneDrive's Linux client's copy of a transcript it had to replace: `<id>-<host>-safeBackup-<NNNN>.jsonl`. */
const ONEDRIVE_SAFE_BACKUP = new RegExp(`^(${SESSION_STEM})-[^/]+-safeBackup-\\d{4}(\\.jsonl)$`);

/**
 * A sync engine's conflict copy's name, read back to the original's name, or undefined:
 * - Syncthing: `<stem>.sync-conflict-<YYYYMMDD>-<HHMMSS>-<7 chars of the winning device
 *   id><.ext>` (measured, Syncthing 1.19);
 * - Dropbox: `<stem> (<who>'s conflicted copy <YYYY-MM-DD>)<.ext>`, also with a counter
 *   (`… 2026-12-03 (1))`) or without a name or date (as documented by Dropbox and reported
 *   by users; not measured here). English names only: Dropbox translates "conflicted
 *   copy" into the desktop app's language.
 * - OneDrive's Linux client (abraunegg/onedrive): `<stem>-<host name>-safeBackup-<NNNN><.ext>`
 *   (documented in its `docs/client-architecture.md`), for a transcript only: the host
 *   name may hold hyphens, so only a stem of fixed form (a session id) can be told from
 *   it. Microsoft's own clients (`<stem>-<computer name><.ext>`, reported, not documented)
 *   and iCloud Drive (`<stem> 2<.ext>`) are not recognised: neither rule is documented,
 *   and `<stem> 2` is also what a person or Finder names a duplicate.
 *
 * @example
 * originalOfConflict('a.sync-conflict-20261203-100345-PJBMAIX.jsonl') // 'a.jsonl'
 * originalOfConflict("a (Alice's conflicted copy 2026-12-03).jsonl") // 'a.jsonl'
 * originalOfConflict('<uuid>-laptop-safeBackup-0001.jsonl') // '<uuid>.jsonl'
 */
export function originalOfConflict(name: string): string | undefined {
  const m =
    /^(.*)\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}(\.[^.]*)?$/.exec(name) ??
    /^(.*\S) \([^()]*\bconflicted copy\b[^()]*?(?: \(\d+\))?\)(\.[^.]*)?$/.exec(name) ??
    ONEDRIVE_SAFE_BACKUP.exec(name);
  if (!m || m[1] === undefined || m[1] === '') return undefined;
  return m[1] + (m[2] ?? '');
}

/** Syncthing's temporary name for a file it is writing: `.syncthing.<name>.tmp`. */
export function syncthingTempName(name: string): string {
  return `.syncthing.${name}.tmp`;
}
