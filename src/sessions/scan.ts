/**
 * Finds the transcripts to list: resolves the sources to physical `projects/` folders
 * (several accounts linked to one folder list it once), lists their project folders and
 * stats each `<uuid>.jsonl`, grouping files by session id. Reads no transcript content.
 */
import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import { discoverAccounts } from '../accounts/discover.js';
import type { Account } from '../accounts/types.js';
import { ErrorCodes, errnoCode } from '../errors.js';
import type { DirEntry, FileSystem } from '../fs/types.js';
import { absolutePath } from '../layout/config-dir.js';
import { isSessionId, projectDirMatches, sessionIdOfFile } from '../layout/names.js';
import { mapLimit } from '../util/limit.js';
import type { ListProblem, ListSessionsOptions } from './types.js';

/** One physical `projects/` folder and the accounts that see it. */
export interface ProjectsFolder {
  realPath: string;
  /** Config dirs whose `projects/` resolves here, in source order. */
  accounts: string[];
}

/** One transcript file. */
export interface TranscriptFile {
  sessionId: string;
  /** Real path of the file. */
  path: string;
  projectDir: string;
  /** Real path of the project folder. */
  projectPath: string;
  accounts: string[];
  size: number;
  mtimeMs: number;
  dev: number;
  ino: number;
  /** Whether `<project>/<session-id>/` exists, where sidecar files live. */
  hasSidecarDir: boolean;
}

/** Every physical file of one session id, newest first. */
export interface SessionFiles {
  sessionId: string;
  files: TranscriptFile[];
  /** The newest file's mtime: where the session sorts. */
  mtimeMs: number;
}

export type ProblemSink = (problem: ListProblem) => void;

/** What the listing needs to know of a file without opening it. */
export interface FileFacts {
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  mtimeMs: number;
  dev: number;
  ino: number;
}

/** lstat, reduced to {@link FileFacts}. */
export type LstatFacts = (path: string) => Promise<FileFacts>;

/** A problem for a failed read, with a message that says what to do. */
export function ioProblem(error: unknown, path: string, what: string, accounts?: string[]): ListProblem {
  const code = errnoCode(error);
  const base = accounts === undefined || accounts.length === 0 ? {} : { accounts };
  if (code === 'EACCES' || code === 'EPERM') {
    return {
      code: ErrorCodes.PERMISSION,
      message: `Permission denied ${what} ${path}; it is left out of the listing. Check its owner and mode (ls -l), or list as the user who owns it.`,
      path,
      ...base,
    };
  }
  const reason = error instanceof Error ? error.message : String(error);
  return {
    code: ErrorCodes.IO,
    message: `${code ?? 'Error'} ${what} ${path} (${reason}); it is left out of the listing.`,
    path,
    ...base,
  };
}

interface Source {
  configDir: string | undefined;
  projectsDir: string;
}

async function sourcesOf(options: ListSessionsOptions, fs: FileSystem): Promise<Source[]> {
  const home = options.home ?? homedir();
  const cwd = options.cwd ?? process.cwd();
  if (options.projectsDir !== undefined) {
    return [{ configDir: undefined, projectsDir: absolutePath(options.projectsDir, home, cwd) }];
  }
  const given = options.accounts;
  let accounts: (Account | string)[];
  if (given === undefined || (options.discover === true && given.some((a) => typeof a === 'string'))) {
    const { accounts: _ignored, projectsDir: _none, ...discoverOptions } = options;
    const explicit = given?.filter((a): a is string => typeof a === 'string');
    accounts = [
      ...(given?.filter((a): a is Account => typeof a !== 'string') ?? []),
      ...(await discoverAccounts({
        ...discoverOptions,
        fs,
        ...(explicit === undefined ? {} : { accounts: explicit }),
      })),
    ];
  } else {
    accounts = [...given];
  }
  return accounts.map((a) => {
    if (typeof a !== 'string') return { configDir: a.path, projectsDir: a.projects.path };
    const dir = absolutePath(a, home, cwd);
    return { configDir: dir, projectsDir: join(dir, 'projects') };
  });
}

/** The physical `projects/` folders of the sources, each once. */
export async function resolveFolders(
  options: ListSessionsOptions,
  fs: FileSystem,
  report: ProblemSink,
): Promise<ProjectsFolder[]> {
  const sources = await sourcesOf(options, fs);
  const byReal = new Map<string, ProjectsFolder>();
  for (const source of sources) {
    let realPath: string;
    try {
      realPath = await fs.realpath(source.projectsDir);
    } catch (error) {
      const code = errnoCode(error);
      // An account that never stored a session has no projects/: nothing to list.
      if (code !== 'ENOENT') {
        report(ioProblem(error, source.projectsDir, 'resolving', source.configDir ? [source.configDir] : undefined));
      }
      continue;
    }
    const folder = byReal.get(realPath) ?? { realPath, accounts: [] };
    byReal.set(realPath, folder);
    if (source.configDir !== undefined && !folder.accounts.includes(source.configDir)) {
      folder.accounts.push(source.configDir);
    }
  }
  return [...byReal.values()];
}

async function readdirOr(
  fs: FileSystem,
  path: string,
  report: ProblemSink,
  accounts: string[],
): Promise<DirEntry[] | undefined> {
  try {
    return await fs.readdir(path);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'ENOENT') report(ioProblem(error, path, 'listing', accounts));
    return undefined;
  }
}

function linkedProblem(path: string, what: string, accounts: string[]): ListProblem {
  return {
    code: 'ELINKED_ENTRY',
    message: `${path} is a symlink; Claude Code does not list ${what} reached through a link, so it is left out. Link the whole projects/ folder instead, or move the real ${what} here.`,
    path,
    ...(accounts.length === 0 ? {} : { accounts }),
  };
}

function notAFileProblem(path: string, accounts: string[]): ListProblem {
  return {
    code: 'ENOT_A_FILE',
    message: `${path} has a transcript's name but is not a regular file; it is left out. Move it away if it does not belong there.`,
    path,
    ...(accounts.length === 0 ? {} : { accounts }),
  };
}

/** A project folder under a physical `projects/` folder. */
export interface ProjectDir {
  /** Real path of the folder. */
  path: string;
  /** Its name (the encoded working directory). */
  name: string;
  accounts: string[];
}

/**
 * The project folders (of `project` and its worktrees when given) of the physical
 * `projects/` folders. Without `project`, as the all-projects view: real folders only (a
 * linked one is reported, or skipped silently when it is an alias of a sibling listed
 * anyway). With it, as the SDK's `listSessions({ dir })`: the project's own folder is
 * followed when it is a link (Claude Code reaches it by name, like any cwd view), and the
 * worktrees' folders are taken when they are real folders (the SDK takes only those).
 * `aliases`, when given, receives every alias link found (matching or not): the real path
 * of the folder it leads to, and the link's name.
 */
export async function listProjectDirs(
  folders: readonly ProjectsFolder[],
  fs: FileSystem,
  project: string | undefined,
  report: ProblemSink,
  aliases?: Map<string, string[]>,
  worktrees: readonly string[] = [],
): Promise<ProjectDir[]> {
  const dirs: ProjectDir[] = [];
  const seen = new Set<string>();
  const add = (dir: ProjectDir) => {
    if (seen.has(dir.path)) return;
    seen.add(dir.path);
    dirs.push(dir);
  };
  const others = worktrees.length > 1 ? worktrees.filter((w) => w !== project) : [];
  for (const folder of folders) {
    const entries = await readdirOr(fs, folder.realPath, report, folder.accounts);
    for (const e of entries ?? []) {
      if (aliases !== undefined && e.type === 'symlink') {
        const target = await aliasTarget(fs, folder.realPath, join(folder.realPath, e.name));
        if (target !== undefined) aliases.set(target, [...(aliases.get(target) ?? []), e.name]);
      }
      const own = project !== undefined && projectDirMatches(e.name, project);
      const worktree = !own && e.type === 'directory' && others.some((w) => projectDirMatches(e.name, w));
      if (project !== undefined && !own && !worktree) continue;
      const path = join(folder.realPath, e.name);
      if (e.type === 'directory') {
        add({ path, name: e.name, accounts: folder.accounts });
      } else if (e.type === 'symlink') {
        if (own) {
          // The cwd view reaches the folder by its name, through the link.
          const target = await linkedFolder(fs, path);
          if (target === undefined) report(danglingProblem(path, folder.accounts));
          else add({ path: target, name: e.name, accounts: folder.accounts });
          continue;
        }
        // An alias (docs/machines.md): `<this machine's slug> -> <another machine's slug>`,
        // a relative link to a sibling folder, which Claude Code follows. Listed once,
        // through its real folder.
        const target = await aliasTarget(fs, folder.realPath, path);
        if (target === undefined) report(linkedProblem(path, 'a project folder', folder.accounts));
      }
    }
  }
  return dirs;
}

/** The real path of the folder a link leads to, else undefined (dangling, a loop, a file). */
export async function linkedFolder(fs: FileSystem, link: string): Promise<string | undefined> {
  try {
    const real = await fs.realpath(link);
    return (await fs.stat(real)).type === 'directory' ? real : undefined;
  } catch {
    return undefined;
  }
}

function danglingProblem(path: string, accounts: string[]): ListProblem {
  return {
    code: 'ELINKED_ENTRY',
    message: `${path} is a symlink to no folder (dangling, a loop or a file); its sessions cannot be listed. Point it at the real project folder or remove it.`,
    path,
    ...(accounts.length === 0 ? {} : { accounts }),
  };
}

/** The sibling folder an alias link names (plain relative name, a real folder), else undefined. */
async function aliasTarget(fs: FileSystem, projectsDir: string, link: string): Promise<string | undefined> {
  try {
    const text = await fs.readlink(link);
    if (text === '' || text === '.' || text === '..' || /[\\/]/.test(text)) return undefined;
    const target = join(projectsDir, text);
    return (await fs.lstat(target)).type === 'directory' ? target : undefined;
  } catch {
    return undefined;
  }
}

/** The transcripts among a project folder's entries, reporting look-alikes that are not. */
export function transcriptsIn(
  dir: ProjectDir,
  entries: readonly DirEntry[],
  report: ProblemSink,
): { name: string; hasSidecarDir: boolean }[] {
  const sidecars = new Set<string>();
  const candidates: string[] = [];
  for (const e of entries) {
    const id = sessionIdOfFile(e.name);
    if (id === undefined) {
      if ((e.type === 'directory' || e.type === 'symlink') && isSessionId(e.name)) sidecars.add(e.name);
      continue;
    }
    if (e.type === 'file') candidates.push(e.name);
    else if (e.type === 'symlink') report(linkedProblem(join(dir.path, e.name), 'a transcript', dir.accounts));
    else report(notAFileProblem(join(dir.path, e.name), dir.accounts));
  }
  return candidates.map((name) => ({ name, hasSidecarDir: sidecars.has(name.slice(0, -JSONL.length)) }));
}

const JSONL = '.jsonl';

/**
 * A file's path in a folder whose path is already absolute and normal (a real path):
 * cheaper than path.join, which normalises again, 20,000 times over.
 */
export function childPath(dir: string, name: string): string {
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

/** A transcript from its lstat, or undefined when it is no longer a regular file. */
export function transcriptOf(
  dir: ProjectDir,
  candidate: { name: string; hasSidecarDir: boolean },
  st: FileFacts,
): TranscriptFile | undefined {
  if (st.type !== 'file') return undefined; // replaced since the folder was listed
  return {
    sessionId: candidate.name.slice(0, -JSONL.length),
    path: childPath(dir.path, candidate.name),
    projectDir: dir.name,
    projectPath: dir.path,
    accounts: dir.accounts,
    size: st.size,
    mtimeMs: st.mtimeMs,
    dev: st.dev,
    ino: st.ino,
    hasSidecarDir: candidate.hasSidecarDir,
  };
}

/** Reports a failed lstat, except a file deleted since its folder was listed (cleanup, a rename). */
export function lstatFailed(error: unknown, path: string, accounts: string[], report: ProblemSink): void {
  if (errnoCode(error) !== 'ENOENT') report(ioProblem(error, path, 'examining', accounts));
}

/** A transcript found in a folder listing, not yet stat'ed. */
export interface Candidate {
  dir: ProjectDir;
  name: string;
  hasSidecarDir: boolean;
}

/** The transcripts named in the project folders. */
export async function readProjectDirs(
  dirs: readonly ProjectDir[],
  fs: FileSystem,
  concurrency: number,
  report: ProblemSink,
): Promise<Candidate[]> {
  const perDir = await mapLimit(dirs, concurrency, async (dir) => {
    const entries = await readdirOr(fs, dir.path, report, dir.accounts);
    return entries === undefined ? [] : transcriptsIn(dir, entries, report).map((c) => ({ dir, ...c }));
  });
  return perDir.flat();
}

/** The candidates stat'ed (through the filesystem interface or `lstat`). */
export async function statCandidates(
  candidates: readonly Candidate[],
  lstat: LstatFacts,
  concurrency: number,
  report: ProblemSink,
): Promise<TranscriptFile[]> {
  const files = await mapLimit(candidates, concurrency, async (c) => {
    const path = childPath(c.dir.path, c.name);
    try {
      return transcriptOf(c.dir, c, await lstat(path));
    } catch (error) {
      lstatFailed(error, path, c.dir.accounts, report);
      return undefined;
    }
  });
  return files.filter((f): f is TranscriptFile => f !== undefined);
}

/**
 * The sessions to describe, in listing order: where each sorts (`mtimeMs`, `sessionId`)
 * stays known after its files are taken (`take`, once per session, in order), so that a
 * session's files can be let go once it is described.
 */
export interface SessionOrder {
  readonly length: number;
  mtimeMs(i: number): number;
  sessionId(i: number): string;
  take(i: number): SessionFiles;
}

/** A {@link SessionOrder} over groups already made ({@link groupSessions}). */
export function orderOfGroups(groups: SessionFiles[]): SessionOrder {
  const mtimes = Float64Array.from(groups, (g) => g.mtimeMs);
  const ids = groups.map((g) => g.sessionId);
  return {
    length: groups.length,
    mtimeMs: (i) => mtimes[i] as number,
    sessionId: (i) => ids[i] as string,
    take: (i) => {
      const g = groups[i] as SessionFiles;
      groups[i] = undefined as unknown as SessionFiles;
      return g;
    },
  };
}

/**
 * Transcripts found by the listing's workers, as columns rather than an object per file
 * (20,000 objects and their paths would grow the main thread's heap by tens of MB), in
 * the order the calling thread would find them: folder after folder, each in its listing's order.
 */
export interface FileTable {
  dirs: readonly ProjectDir[];
  ids: string[];
  /** Index in `dirs` of each file's folder. */
  dirOf: Uint32Array;
  /** 1 where the session's sidecar folder exists. */
  sidecar: Uint8Array;
  /** size, mtimeMs, dev, ino of each file. */
  facts: Float64Array;
}

function fileOfTable(t: FileTable, i: number): TranscriptFile {
  const dir = t.dirs[t.dirOf[i] as number] as ProjectDir;
  const sessionId = t.ids[i] as string;
  const at = i * 4;
  return {
    sessionId,
    path: childPath(dir.path, sessionId + JSONL),
    projectDir: dir.name,
    projectPath: dir.path,
    accounts: dir.accounts,
    size: t.facts[at] as number,
    mtimeMs: t.facts[at + 1] as number,
    dev: t.facts[at + 2] as number,
    ino: t.facts[at + 3] as number,
    hasSidecarDir: t.sidecar[i] === 1,
  };
}

/**
 * The sessions of a {@link FileTable}, in the order {@link groupSessions} gives them; each
 * session's files are made into objects (and grouped as {@link groupSessions} groups
 * them) only when it is taken.
 */
export function orderOfTable(t: FileTable): SessionOrder {
  const n = t.ids.length;
  const groupOf = new Map<string, number>();
  const first: number[] = [];
  const last: number[] = [];
  const mtimes: number[] = [];
  const next = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const id = t.ids[i] as string;
    const mtime = t.facts[i * 4 + 1] as number;
    const g = groupOf.get(id);
    if (g === undefined) {
      groupOf.set(id, first.length);
      first.push(i);
      last.push(i);
      mtimes.push(mtime);
    } else {
      next[last[g] as number] = i;
      last[g] = i;
      if (mtime > (mtimes[g] as number)) mtimes[g] = mtime;
    }
  }
  groupOf.clear();
  const idOf = (g: number) => t.ids[first[g] as number] as string;
  const order = Array.from(first, (_, g) => g).sort((a, b) =>
    compareNewestFirst(mtimes[a] as number, idOf(a), mtimes[b] as number, idOf(b)),
  );
  return {
    length: order.length,
    mtimeMs: (i) => mtimes[order[i] as number] as number,
    sessionId: (i) => idOf(order[i] as number),
    take: (i) => {
      const files: TranscriptFile[] = [];
      for (let f = first[order[i] as number] as number; f !== -1; f = next[f] as number) files.push(fileOfTable(t, f));
      return groupSessions(files)[0] as SessionFiles;
    },
  };
}

/**
 * Files grouped by session id, each group newest file first, groups newest first (ties
 * by id, descending, as Claude Code's SDK orders them).
 */
export function groupSessions(files: readonly TranscriptFile[]): SessionFiles[] {
  const byId = new Map<string, TranscriptFile[]>();
  for (const f of files) {
    const list = byId.get(f.sessionId);
    if (list === undefined) byId.set(f.sessionId, [f]);
    else list.push(f);
  }
  const sessions: SessionFiles[] = [];
  for (const [sessionId, list] of byId) {
    const merged = list.length === 1 ? list : mergeHardLinks(list);
    merged.sort(newestFileFirst);
    sessions.push({ sessionId, files: merged, mtimeMs: merged[0]?.mtimeMs ?? 0 });
  }
  return sessions.sort((a, b) => compareNewestFirst(a.mtimeMs, a.sessionId, b.mtimeMs, b.sessionId));
}

function newestFileFirst(a: TranscriptFile, b: TranscriptFile): number {
  return b.mtimeMs - a.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** One file seen under two paths (a hard link, a bind mount) is one copy with both paths' accounts. */
function mergeHardLinks(list: TranscriptFile[]): TranscriptFile[] {
  const byInode = new Map<string, TranscriptFile>();
  const out: TranscriptFile[] = [];
  for (const f of list) {
    const key = f.ino === 0 ? undefined : `${f.dev}:${f.ino}`;
    const seen = key === undefined ? undefined : byInode.get(key);
    if (seen === undefined) {
      const copy = { ...f, accounts: [...f.accounts] };
      if (key !== undefined) byInode.set(key, copy);
      out.push(copy);
      continue;
    }
    for (const a of f.accounts) if (!seen.accounts.includes(a)) seen.accounts.push(a);
  }
  return out;
}

/**
 * The listing order: newest first; equal mtimes by session id, descending. (The SDK's
 * comparator puts the greater id first; its README says ascending, its code does not.)
 */
export function compareNewestFirst(aMs: number, aId: string, bMs: number, bId: string): number {
  return bMs - aMs || (aId < bId ? 1 : aId > bId ? -1 : 0);
}
