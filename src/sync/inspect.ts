/**
 * Reads (never writes) what the sync planner needs: the engine's marker and ignore files,
 * the machine-local path maps, the machines registry, every project folder of the shared
 * `projects/` with the `cwd` its transcripts record, the engine's conflict copies compared
 * byte for byte with their originals, and the project folders a path map would alias.
 */
import { createHash } from 'node:crypto';
import { basename, dirname, extname, join } from 'node:path';
import type { CleanupSourceKind } from '../doctor/cleanup-sources.js';
import { errnoCode } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import { encodeProjectDir, projectDirMatches, sessionIdOfFile } from '../layout/names.js';
import { deriveForkSessionId } from '../plan/fingerprint.js';
import {
  LOCAL_DIR,
  localBackupsDir,
  MACHINES_DIR,
  machineRecordPath,
  mapPath,
  originalOfConflict,
  type PathMap,
  pathMapsPath,
  STFOLDER,
  STIGNORE,
  STIGNORE_LOCAL,
  syncRootOf,
  syncthingTempName,
} from './layout.js';

export interface FileState {
  path: string;
  type: 'missing' | 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  mtimeMs: number;
  mode: number;
  /** SHA-256 of the whole file, where it was read. */
  hash?: string;
  /** UTF-8 text, for small files read as text. */
  text?: string;
  linkText?: string;
}

/** How a second copy of a file (a conflict copy, or the same name in an aliased folder) relates to the first. */
export type CopyRelation = 'identical' | 'copy-prefix' | 'original-prefix' | 'diverged' | 'original-missing';

/** One copy to fold into its original. */
export interface Fold {
  /** The conflict copy (or the other folder's file). */
  copy: FileState;
  /** The file it is a copy of (at the canonical path). */
  original: FileState;
  relation: CopyRelation;
  /** Why it must wait: the engine is still writing one of the two. */
  busy?: string;
  /** For a top-level transcript: its session id. */
  sessionId?: string;
  /** For diverged transcripts: where the fork goes, and what is there now. */
  fork?: { path: string; id: string; state: FileState };
  /** A free path in the conflicts folder for the copy. */
  aside: string;
  /** A free path in the conflicts folder for the original (when a longer copy replaces it). */
  originalAside: string;
}

/** What a path map asks for one project folder. */
export interface Alias {
  map: PathMap;
  /** The real folder's name (the other machine's slug) and the cwd its transcripts record. */
  from: string;
  cwd: string;
  /** This machine's slug for the mapped path. */
  to: string;
  /** What is at `projects/<to>` now. */
  toState: FileState;
  /** When both are real folders: the merge of one into the other. */
  merge?: AliasMerge;
}

export interface AliasMerge {
  /** The folder that stays (the smaller name, so that every machine picks the same one). */
  canonical: string;
  /** The folder merged into it and replaced by a link. */
  other: string;
  /** Its state (for the rename's precondition). */
  otherState: FileState;
  /** Where the emptied folder is kept (conflicts folder). */
  otherAside: string;
  /** Files absent from the canonical folder: moved there. `rel` is `/`-separated. */
  moves: { rel: string; state: FileState }[];
  /** Folders to create under the canonical folder, outermost first. */
  dirs: string[];
  /** Files present in both: folded like conflict copies. */
  folds: Fold[];
  /** Entries that are neither files nor folders (links, ...): the merge is skipped. */
  blockers: string[];
}

export interface MachineRecord {
  name: string;
  tool: string;
  version: string;
  pathMaps: PathMap[];
  /**
   * Each shared account: the lowest `cleanupPeriodDays` any Claude Code run of it cleans
   * the shared folder with (managed, project or account settings: `lowestCleanupPeriod`),
   * and that value's source. Records of older versions have the account's own value and
   * no `source`.
   */
  accounts: { path: string; cleanupPeriodDays: number; source?: { kind: CleanupSourceKind; path: string } }[];
  lastSeen: string;
}

export interface SyncSnapshot {
  sharedDir: string;
  /** The folder that holds the shared `projects/` (the synced root). */
  root: string;
  conflictsDir: string;
  /** `syncthing` when `<root>/.stfolder` exists. */
  engine: 'syncthing' | 'none';
  /** `<shared projects>/.stfolder` exists: Syncthing's root is `projects/` itself. */
  projectsIsRoot: boolean;
  stignore: FileState;
  stignoreLocal: FileState;
  localDir: FileState;
  localBackups: FileState;
  pathMapsFile: FileState;
  storedMaps: PathMap[];
  /** The maps in effect: stored plus given. */
  maps: PathMap[];
  machine: string;
  machineFile: FileState;
  machinesDir: FileState;
  machines: { name: string; path: string; record?: MachineRecord; error?: string }[];
  /** The project folders of the shared `projects/`, sorted by name. */
  projects: { name: string; type: FileState['type']; linkText?: string; cwd?: string }[];
  folds: Fold[];
  aliases: Alias[];
  /** Folders under the conflicts folder (and the local folder) that exist now. */
  existingDirs: string[];
}

export interface InspectSyncOptions {
  fs: FileSystem;
  sharedDir: string;
  conflictsDir: string;
  machine: string;
  /** Maps given on the command line (the stored ones are added). */
  maps?: readonly PathMap[];
  nowMs: number;
  /**
   * A `.syncthing.*.tmp` younger than this may be a transfer in progress: it is watched for
   * `tempSettleMs`, and only one that changes meanwhile means the engine is writing.
   * @default 120000
   */
  tempFreshMs?: number;
  /**
   * How long a fresh temp file is watched. Syncthing keeps the temp file of an interrupted
   * transfer for a day (`keepTemporariesH`) and never touches it again, so an unchanged one
   * is a leftover; a file the engine is writing grows. The plan's preconditions (size,
   * mtime, hash of every file it moves) still refuse a fold that the engine overtakes.
   * @default 2000
   */
  tempSettleMs?: number;
  forkSessionId?: (sessionId: string, contentHash: string) => string;
  /** Look for conflict copies (walks every project folder). @default true */
  folds?: boolean;
}

export async function stateOf(fs: FileSystem, path: string, text = false): Promise<FileState> {
  try {
    const st = await fs.lstat(path);
    const s: FileState = {
      path,
      type: st.type as FileState['type'],
      size: st.size,
      mtimeMs: st.mtimeMs,
      mode: st.mode,
    };
    if (st.type === 'symlink') s.linkText = await fs.readlink(path);
    if (text && st.type === 'file' && st.size <= 1 << 20) {
      const bytes = await fs.readFile(path);
      s.text = Buffer.from(bytes).toString('utf8');
      s.hash = createHash('sha256').update(bytes).digest('hex');
    }
    return s;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path, type: 'missing', size: 0, mtimeMs: 0, mode: 0 };
    throw error;
  }
}

async function readdirOr(fs: FileSystem, path: string) {
  try {
    return await fs.readdir(path);
  } catch {
    return [];
  }
}

/** Reads every stored path map; a missing or malformed file gives none. */
/**
 * The path maps stored machine-locally beside a shared folder
 * (`<root>/.claude-shared-local/path-maps.json`); none when the file is missing or unreadable.
 */
export async function readPathMaps(fs: FileSystem, sharedDir: string): Promise<PathMap[]> {
  return parseStoredMaps((await stateOf(fs, pathMapsPath(syncRootOf(sharedDir)), true)).text);
}

function parseStoredMaps(text: string | undefined): PathMap[] {
  if (text === undefined) return [];
  try {
    const v = JSON.parse(text) as { maps?: unknown };
    if (!Array.isArray(v.maps)) return [];
    return v.maps.filter(
      (m): m is PathMap =>
        typeof m === 'object' && m !== null && typeof m.from === 'string' && typeof m.to === 'string',
    );
  } catch {
    return [];
  }
}

/**
 * The working directory a project folder is named after: the first `cwd` recorded in one
 * of its transcripts (read from their heads) whose encoding is the folder's name; else
 * the first `cwd` found (a session resumed from another machine's path records that path).
 */
async function projectCwd(fs: FileSystem, dir: string): Promise<string | undefined> {
  const names = (await readdirOr(fs, dir))
    .filter((e) => e.type === 'file' && sessionIdOfFile(e.name) !== undefined)
    .map((e) => e.name)
    .sort()
    .slice(0, 50);
  let fallback: string | undefined;
  const folder = basename(dir);
  for (const name of names) {
    const cwd = await firstCwd(fs, join(dir, name));
    if (cwd === undefined) continue;
    if (projectDirMatches(folder, cwd)) return cwd;
    fallback ??= cwd;
  }
  return fallback;
}

async function firstCwd(fs: FileSystem, path: string): Promise<string | undefined> {
  try {
    const handle = await fs.open(path, 'r');
    try {
      const buffer = new Uint8Array(256 * 1024);
      const n = await handle.read(buffer, 0, buffer.length, 0);
      const text = Buffer.from(buffer.subarray(0, n)).toString('utf8');
      const m = /"cwd":("(?:[^"\\]|\\.)*")/.exec(text);
      if (m?.[1]) return JSON.parse(m[1]) as string;
    } finally {
      await handle.close();
    }
  } catch {
    // unreadable: the caller tries the next
  }
  return undefined;
}

async function readWhole(fs: FileSystem, path: string): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFile(path);
  } catch {
    return undefined;
  }
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function startsWith(whole: Uint8Array, part: Uint8Array): boolean {
  return part.length <= whole.length && Buffer.compare(whole.subarray(0, part.length), part) === 0;
}

/** Compares a copy with its original byte for byte; `busy` when either changed while read. */
async function compare(
  fs: FileSystem,
  copyPath: string,
  originalPath: string,
): Promise<{ copy: FileState; original: FileState; relation: CopyRelation; busy?: string }> {
  const copy = await stateOf(fs, copyPath);
  const original = await stateOf(fs, originalPath);
  const a = copy.type === 'file' ? await readWhole(fs, copyPath) : undefined;
  const b = original.type === 'file' ? await readWhole(fs, originalPath) : undefined;
  if (a) copy.hash = sha(a.subarray(0, copy.size));
  if (b) original.hash = sha(b.subarray(0, original.size));
  const [copyAfter, originalAfter] = [await stateOf(fs, copyPath), await stateOf(fs, originalPath)];
  let busy: string | undefined;
  if (
    copyAfter.size !== copy.size ||
    copyAfter.mtimeMs !== copy.mtimeMs ||
    originalAfter.size !== original.size ||
    originalAfter.mtimeMs !== original.mtimeMs ||
    (a && a.length !== copy.size) ||
    (b && b.length !== original.size)
  ) {
    busy = `${copyPath} or ${originalPath} changed while it was read`;
  }
  let relation: CopyRelation;
  if (original.type === 'missing') relation = 'original-missing';
  else if (!a || !b) relation = 'diverged';
  else if (a.length === b.length && Buffer.compare(a, b) === 0) relation = 'identical';
  else if (startsWith(b, a)) relation = 'copy-prefix';
  else if (startsWith(a, b)) relation = 'original-prefix';
  else relation = 'diverged';
  return busy === undefined ? { copy, original, relation } : { copy, original, relation, busy };
}

/** Files and folders under `dir` (relative, `/`-separated), links not followed. */
async function walk(fs: FileSystem, dir: string, rel = ''): Promise<{ rel: string; type: string }[]> {
  const out: { rel: string; type: string }[] = [];
  for (const e of (await readdirOr(fs, rel === '' ? dir : join(dir, ...rel.split('/')))).sort((x, y) =>
    x.name < y.name ? -1 : 1,
  )) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    out.push({ rel: r, type: e.type });
    if (e.type === 'directory') out.push(...(await walk(fs, dir, r)));
  }
  return out;
}

/**
 * Reads everything the sync planner needs. Read-only.
 *
 * @example
 * ```ts
 * const snap = await inspectSync({ fs, sharedDir, conflictsDir, machine: 'laptop', nowMs: Date.now() });
 * ```
 */
export async function inspectSync(options: InspectSyncOptions): Promise<SyncSnapshot> {
  const { fs, sharedDir, conflictsDir, nowMs } = options;
  const root = syncRootOf(sharedDir);
  const fresh = options.tempFreshMs ?? 120_000;
  const settle = options.tempSettleMs ?? 2000;
  const forkIds = options.forkSessionId ?? deriveForkSessionId;
  const stfolder = await stateOf(fs, join(root, STFOLDER));
  const inProjects = await stateOf(fs, join(sharedDir, STFOLDER));
  const pathMapsFile = await stateOf(fs, pathMapsPath(root), true);
  const storedMaps = parseStoredMaps(pathMapsFile.text);
  const maps = [...storedMaps];
  for (const m of options.maps ?? []) if (!maps.some((o) => o.from === m.from && o.to === m.to)) maps.push(m);

  const machinesDir = await stateOf(fs, join(root, MACHINES_DIR));
  const machines: SyncSnapshot['machines'] = [];
  if (machinesDir.type === 'directory') {
    for (const e of (await readdirOr(fs, machinesDir.path)).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      if (e.type !== 'file' || !e.name.endsWith('.json')) continue;
      const path = join(machinesDir.path, e.name);
      const name = e.name.slice(0, -'.json'.length);
      const st = await stateOf(fs, path, true);
      try {
        const record = JSON.parse(st.text ?? '') as MachineRecord;
        machines.push({ name, path, record });
      } catch (error) {
        machines.push({ name, path, error: (error as Error).message });
      }
    }
  }

  const reserved = new Set<string>();
  const existingDirs = new Set<string>();
  const freeAside = async (rel: string, hash: string | undefined): Promise<string> => {
    const base = join(conflictsDir, 'projects', ...rel.split('/'));
    const ext = extname(base);
    const stem = ext === '' ? base : base.slice(0, -ext.length);
    const tag = hash ?? String(nowMs);
    const candidates = [base, `${stem}.${tag.slice(0, 12)}${ext}`, `${stem}.${tag}${ext}`];
    for (let i = 1; i < 100; i++) candidates.push(`${stem}.${tag}.${i}${ext}`);
    for (const c of candidates) {
      if (reserved.has(c)) continue;
      if ((await stateOf(fs, c)).type !== 'missing') continue;
      reserved.add(c);
      let d = dirname(c);
      while (d.length >= conflictsDir.length) {
        if ((await stateOf(fs, d)).type === 'directory') existingDirs.add(d);
        if (d === conflictsDir) break;
        d = dirname(d);
      }
      return c;
    }
    return `${stem}.${tag}.${nowMs}${ext}`;
  };
  for (const d of [dirname(conflictsDir), conflictsDir, join(root, LOCAL_DIR), localBackupsDir(root)]) {
    if ((await stateOf(fs, d)).type === 'directory') existingDirs.add(d);
  }

  const tempBusy = async (dir: string, names: string[]): Promise<string | undefined> => {
    for (const n of names) {
      const t = await stateOf(fs, join(dir, syncthingTempName(n)));
      if (t.type !== 'missing' && nowMs - t.mtimeMs < fresh) {
        await new Promise((resolve) => setTimeout(resolve, settle));
        const again = await stateOf(fs, t.path);
        if (again.type === t.type && again.size === t.size && again.mtimeMs === t.mtimeMs) continue;
        return `Syncthing is writing ${join(dir, n)} (${t.path} is ${Math.round((nowMs - t.mtimeMs) / 1000)} s old)`;
      }
    }
    return undefined;
  };

  const makeFold = async (copyPath: string, originalPath: string, originalRel: string, copyRel: string) => {
    const c = await compare(fs, copyPath, originalPath);
    const fold: Fold = {
      copy: c.copy,
      original: c.original,
      relation: c.relation,
      aside: await freeAside(copyRel, c.copy.hash),
      originalAside: c.relation === 'original-prefix' ? await freeAside(originalRel, c.original.hash) : '',
    };
    const busy = c.busy ?? (await tempBusy(dirname(copyPath), [basename(copyPath), basename(originalPath)]));
    if (busy !== undefined) fold.busy = busy;
    const parts = originalRel.split('/');
    const sid = parts.length === 2 ? sessionIdOfFile(parts[1] ?? '') : undefined;
    if (sid !== undefined) {
      fold.sessionId = sid;
      if (c.relation === 'diverged' && c.copy.hash !== undefined) {
        const id = forkIds(sid, c.copy.hash);
        const path = join(dirname(originalPath), `${id}.jsonl`);
        fold.fork = { path, id, state: await stateOf(fs, path) };
      }
    }
    return fold;
  };

  // Project folders, their cwd, and conflict copies anywhere under projects/.
  const projects: SyncSnapshot['projects'] = [];
  const folds: Fold[] = [];
  const top = (await readdirOr(fs, sharedDir)).sort((x, y) => (x.name < y.name ? -1 : 1));
  for (const e of top) {
    const path = join(sharedDir, e.name);
    if (e.type === 'symlink') {
      projects.push({ name: e.name, type: 'symlink', linkText: await fs.readlink(path).catch(() => '') });
      continue;
    }
    if (e.type !== 'directory') continue;
    if (e.name.startsWith('.')) continue;
    // The recorded cwd matters only to path maps: read it only when there are some.
    const cwd = maps.length > 0 ? await projectCwd(fs, path) : undefined;
    projects.push(cwd === undefined ? { name: e.name, type: 'directory' } : { name: e.name, type: 'directory', cwd });
    if (options.folds === false) continue;
    for (const f of await walk(fs, path)) {
      if (f.type !== 'file') continue;
      const name = f.rel.split('/').at(-1) ?? '';
      const original = originalOfConflict(name);
      if (original === undefined) continue;
      const relDir = f.rel.includes('/') ? f.rel.slice(0, f.rel.lastIndexOf('/')) : '';
      const originalRel = `${e.name}/${relDir === '' ? original : `${relDir}/${original}`}`;
      folds.push(
        await makeFold(
          join(path, ...f.rel.split('/')),
          join(sharedDir, ...originalRel.split('/')),
          originalRel,
          `${e.name}/${f.rel}`,
        ),
      );
    }
  }

  // Aliases asked for by the path maps.
  const aliases: Alias[] = [];
  const byName = new Map(projects.map((p) => [p.name, p]));
  for (const p of projects) {
    if (p.type !== 'directory' || p.cwd === undefined) continue;
    for (const map of maps) {
      const mapped = mapPath(p.cwd, map);
      if (mapped === undefined) continue;
      const { name: to, truncated } = encodeProjectDir(mapped);
      if (truncated || to === p.name) continue;
      if (aliases.some((a) => a.to === to)) continue;
      const toState = await stateOf(fs, join(sharedDir, to));
      const alias: Alias = { map, from: p.name, cwd: p.cwd, to, toState };
      if (toState.type === 'directory' && byName.get(to)?.type === 'directory') {
        alias.merge = await planAliasMerge(p.name, to);
      }
      aliases.push(alias);
    }
  }

  async function planAliasMerge(a: string, b: string): Promise<AliasMerge> {
    const canonical = a < b ? a : b;
    const other = a < b ? b : a;
    const otherDir = join(sharedDir, other);
    const canonicalDir = join(sharedDir, canonical);
    const merge: AliasMerge = {
      canonical,
      other,
      otherState: await stateOf(fs, otherDir),
      otherAside: await freeAside(`${other}.merged-into-${canonical}`, String(nowMs)),
      moves: [],
      dirs: [],
      folds: [],
      blockers: [],
    };
    for (const f of await walk(fs, otherDir)) {
      const there = await stateOf(fs, join(canonicalDir, ...f.rel.split('/')));
      if (f.type === 'directory') {
        if (there.type === 'missing') merge.dirs.push(f.rel);
        else if (there.type !== 'directory') merge.blockers.push(join(otherDir, ...f.rel.split('/')));
        continue;
      }
      if (f.type !== 'file') {
        merge.blockers.push(join(otherDir, ...f.rel.split('/')));
        continue;
      }
      if (there.type === 'missing') {
        merge.moves.push({ rel: f.rel, state: await stateOf(fs, join(otherDir, ...f.rel.split('/'))) });
      } else if (there.type === 'file') {
        merge.folds.push(
          await makeFold(
            join(otherDir, ...f.rel.split('/')),
            join(canonicalDir, ...f.rel.split('/')),
            `${canonical}/${f.rel}`,
            `${other}/${f.rel}`,
          ),
        );
      } else merge.blockers.push(join(otherDir, ...f.rel.split('/')));
    }
    return merge;
  }

  return {
    sharedDir,
    root,
    conflictsDir,
    engine: stfolder.type === 'directory' || stfolder.type === 'file' ? 'syncthing' : 'none',
    projectsIsRoot: inProjects.type !== 'missing',
    stignore: await stateOf(fs, join(root, STIGNORE), true),
    stignoreLocal: await stateOf(fs, join(root, STIGNORE_LOCAL), true),
    localDir: await stateOf(fs, join(root, LOCAL_DIR)),
    localBackups: await stateOf(fs, localBackupsDir(root)),
    pathMapsFile,
    storedMaps,
    maps,
    machine: options.machine,
    machineFile: await stateOf(fs, machineRecordPath(root, options.machine), true),
    machinesDir,
    machines,
    projects,
    folds,
    aliases,
    existingDirs: [...existingDirs].sort(),
  };
}
