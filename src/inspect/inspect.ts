import { basename, dirname, join, resolve } from 'node:path';
import {
  type DiscoverOptions,
  discoverAccountsWith,
  resolveCommonOptions,
  type SettingsRead,
} from '../accounts/discover.js';
import type { Account } from '../accounts/types.js';
import { ErrorCodes, errnoCode, SharedSessionsError, wrapIoError } from '../errors.js';
import type { FileStat, FileSystem, SyncReads } from '../fs/types.js';
import { absolutePath, defaultConflictsDir } from '../layout/config-dir.js';
import { resolveFolders } from '../layout/folders.js';
import { DEFAULT_CLEANUP_PERIOD_DAYS, SETTINGS_ABSENT_SUFFIX, SETTINGS_MAX_BYTES } from '../layout/names.js';
import { type PathRules, pathRulesFor } from '../layout/paths.js';
import { hostCaseInsensitive } from '../util/host.js';
import { createLimit, mapLimit } from '../util/limit.js';
import { treeDigest } from './digest.js';
import { hashGroupSync } from './group-hash.js';
import { type HashResult, hashFile, lastRecordMs, lastRecordMsSync, sha256Hex } from './hash.js';
import { readSessionRecords } from './records.js';
import { findUnsafeFolders } from './safety.js';
import {
  type AccountFolderSnapshot,
  type AccountSnapshot,
  type BackupSnapshot,
  type SettingsBefore,
  type SettingsSnapshot,
  SNAPSHOT_VERSION,
  type Snapshot,
  type TreeEntry,
  type TreeSnapshot,
} from './types.js';

export interface InspectOptions extends DiscoverOptions {
  /**
   * Where superseded and diverged copies are kept, outside the shared `projects/` so
   * that the resume picker does not list a session twice.
   * @default `<parent of the shared projects folder>/conflicts`
   */
  conflictsDir?: string;
  /**
   * Which backups to read the trees of (rollback needs them to carry sessions back):
   * `false` none, `true` the newest of each folder per account, `'all'` every one, or a
   * stamp / backup name (`'1795761125'`, `'projects.bak.1795761125'`) to read that one.
   * @default false
   */
  backups?: boolean | 'all' | string;
  /**
   * Check that the shared and conflicts folders, and every folder above them, are not
   * writable by other users nor owned by someone else (see `Snapshot.unsafe`). memfs has
   * no owners and makes every folder 0777, so it is not checked there unless asked.
   * @default true, except on memfs
   */
  checkPermissions?: boolean;
  /** The user the shared folders must belong to. @default process.getuid() */
  uid?: number;
  /**
   * Read each account's `history.jsonl` into `sessionRecords` (which sessions it prompted
   * in), so that rollback can tell whose a session made while shared is.
   * @default false
   */
  records?: boolean;
  /**
   * Whether paths compare without case (`Foo.jsonl` and `foo.jsonl` one file). Recorded
   * in the snapshot (`Snapshot.caseInsensitive`) and the plans made from it, which compare
   * by it; for a disk whose filesystem differs from the host's default (a case-sensitive
   * APFS volume, a case-insensitive mount on Linux).
   * @default true on macOS and Windows, false elsewhere
   */
  caseInsensitive?: boolean;
}

/**
 * Reads, without changing anything, everything a plan depends on: the accounts
 * (through {@link discoverAccounts}), the tree of each account's shared-able folders
 * (links inside them are recorded, never followed), the shared folders and the
 * conflicts folder, backups, running Claude Code processes and `settings.json`. Files
 * present in several places are hashed, with the hash of each longer copy's first N
 * bytes for every shorter copy's size N (so a planner can tell a prefix from a
 * divergence), and diverged transcripts get the timestamp of their newest tail record.
 *
 * @example
 * ```ts
 * const snapshot = await inspect({ accounts: ['~/.claude', '~/.claude-2'] });
 * const plan = planShare(snapshot, { id: 'p1', now: Date.now() });
 * ```
 */
export async function inspect(options: InspectOptions = {}): Promise<Snapshot> {
  const folders = resolveFolders(options.folders);
  const common = resolveCommonOptions({ ...options, folders });
  const { fs, home, cwd, sharedDirs } = common;
  const concurrency = options.concurrency ?? 16;
  const caseInsensitive = caseRuleOf(options);
  // The walk below stats every file: discovery need not sum the transcripts' sizes too.
  // Discovery reads each settings.json; the snapshot takes its text from that one read.
  const settingsReads = new Map<string, SettingsRead>();
  const accounts = await discoverAccountsWith({ ...options, fs, folders }, { sessionSizes: false, settingsReads });

  const shared: Record<string, TreeSnapshot> = {};
  for (const folder of folders) {
    const given = sharedDirs[folder] ?? join(dirname(common.sharedDir), folder);
    shared[folder] = await readTree(fs, given, concurrency);
  }
  const conflictsGiven =
    options.conflictsDir === undefined
      ? defaultConflictsDir(common.sharedDir)
      : absolutePath(options.conflictsDir, home, cwd);
  const conflicts = await readTree(fs, conflictsGiven, concurrency);

  assertSeparateAreas(pathRulesFor(caseInsensitive), accounts, folders, shared, conflicts);

  const accountSnapshots = await mapLimit(accounts, 4, (account) =>
    snapshotAccount(
      fs,
      account,
      folders,
      options.backups ?? false,
      concurrency,
      options.records ?? false,
      settingsReads,
    ),
  );

  const snapshot: Snapshot = {
    version: SNAPSHOT_VERSION,
    folders,
    caseInsensitive,
    accounts: accountSnapshots,
    shared,
    sharedGiven: Object.fromEntries(folders.map((f) => [f, sharedDirs[f] ?? ''])),
    conflicts,
  };
  if (options.checkPermissions ?? !/memfs/.test(fs.kind)) {
    const own = [...Object.values(shared).flatMap((t) => [t.path, dirname(t.path)]), conflicts.path];
    const unsafe = await findUnsafeFolders(fs, [...new Set(own)], 'uid' in options ? { uid: options.uid } : {});
    if (unsafe.length > 0) snapshot.unsafe = unsafe;
  }
  await compareCopies(fs, snapshot, concurrency);
  return snapshot;
}

/** The snapshot's case rule: the option, else this host's (the one place it is decided). */
function caseRuleOf(options: InspectOptions): boolean {
  const given: unknown = options.caseInsensitive;
  if (given === undefined) return hostCaseInsensitive();
  if (typeof given !== 'boolean') {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      `caseInsensitive must be true or false, not ${JSON.stringify(given)}; leave it out for this host's rule.`,
    );
  }
  return given;
}

/**
 * Refuses folders that overlap: a shared folder inside an account's folder (the backup
 * would carry it away and every link would dangle), an account's folder inside a shared
 * folder (the merge would copy the shared folder into itself), an account that is or
 * holds a shared folder, and a conflicts folder inside a shared or an account folder (the
 * resume picker would list kept-aside copies, or a backup would take them). Checked on
 * real paths, whether the folders exist yet or not.
 */
function assertSeparateAreas(
  { isInside }: PathRules,
  accounts: readonly Account[],
  folders: readonly string[],
  shared: Record<string, TreeSnapshot>,
  conflicts: TreeSnapshot,
): void {
  const overlap = (x: string, y: string) => isInside(x, y) || isInside(y, x);
  for (const folder of folders) {
    const tree = shared[folder];
    if (!tree) continue;
    for (const account of accounts) {
      const own = join(account.realPath, folder);
      if (overlap(own, tree.path) || isInside(tree.path, account.realPath)) {
        throw new SharedSessionsError(
          ErrorCodes.INVALID_OPTION,
          `The shared ${folder} folder ${tree.path} and the account ${account.path} overlap (${own} is ${isInside(tree.path, own) ? 'inside the shared folder' : isInside(own, tree.path) && own !== tree.path ? 'around the shared folder' : 'the shared folder itself'}). Choose a shared folder outside the config dirs (the default is ~/.claude-shared/${folder}), and do not list the shared folder or its parent as an account.`,
          { path: tree.path },
        );
      }
    }
    for (const other of folders) {
      const area = join(conflicts.path, other);
      if (overlap(area, tree.path)) {
        throw new SharedSessionsError(
          ErrorCodes.INVALID_OPTION,
          `The conflicts folder ${conflicts.path} overlaps the shared ${folder} folder ${tree.path}: kept-aside copies would be listed as sessions. Choose a conflicts folder beside the shared folder (the default is <parent of the shared projects>/conflicts).`,
          { path: conflicts.path },
        );
      }
    }
  }
  for (const account of accounts) {
    for (const folder of folders) {
      const own = join(account.realPath, folder);
      if (overlap(own, conflicts.path)) {
        throw new SharedSessionsError(
          ErrorCodes.INVALID_OPTION,
          `The conflicts folder ${conflicts.path} overlaps ${own}, a folder of the account ${account.path}: a backup would carry kept-aside copies away. Choose a conflicts folder outside the config dirs (the default is <parent of the shared projects>/conflicts).`,
          { path: conflicts.path },
        );
      }
    }
  }
}

async function snapshotAccount(
  fs: FileSystem,
  account: Account,
  folders: readonly string[],
  backups: boolean | string,
  concurrency: number,
  records: boolean,
  settingsReads: ReadonlyMap<string, SettingsRead>,
): Promise<AccountSnapshot> {
  const root = account.realPath;
  const folderSnapshots: Record<string, AccountFolderSnapshot> = {};
  const problems = [...account.problems];
  for (const folder of folders) {
    const state = account.folders[folder];
    const path = join(root, folder);
    const snap: AccountFolderSnapshot = { name: folder, path, kind: state?.kind ?? 'missing', entries: [] };
    if (state?.linkText !== undefined) snap.linkText = state.linkText;
    if (state?.linkTarget !== undefined) snap.linkTarget = state.linkTarget;
    if (snap.kind === 'directory') {
      try {
        snap.entries = await walk(fs, path, concurrency);
      } catch (error) {
        snap.kind = 'unreadable';
        problems.push({ code: wrapIoError(error, `reading ${folder}/`, path).code, message: String(error), path });
      }
    }
    folderSnapshots[folder] = snap;
  }

  let names: string[] = [];
  if (account.exists) {
    try {
      names = (await fs.readdir(root)).map((e) => e.name).sort(compareStrings);
    } catch {
      // discoverAccounts already reported why.
    }
  }

  const wanted = new Set<string>();
  if (backups !== false) {
    for (const folder of folders) {
      const ofFolder = account.backups.filter((b) => b.folder === folder);
      if (backups === 'all') for (const b of ofFolder) wanted.add(b.name);
      const chosen = backups === true ? ofFolder[0] : ofFolder.find((b) => b.name === backups || b.stamp === backups);
      if (chosen) wanted.add(chosen.name);
    }
  }
  const backupSnapshots: BackupSnapshot[] = [];
  for (const b of account.backups) {
    let type: BackupSnapshot['type'] = 'other';
    try {
      type = (await fs.lstat(b.path)).type;
    } catch {
      continue;
    }
    const snap: BackupSnapshot = { name: b.name, path: join(root, b.name), folder: b.folder, stamp: b.stamp, type };
    if (wanted.has(b.name) && type === 'directory') {
      snap.entries = await walk(fs, snap.path, concurrency);
      if (b.folder === 'projects') {
        const before = await readSettingsBefore(fs, root, names, b.stamp);
        if (before) snap.settingsBefore = before;
      }
    }
    backupSnapshots.push(snap);
  }

  return {
    path: account.path,
    realPath: root,
    label: account.label,
    exists: account.exists,
    folders: folderSnapshots,
    backups: backupSnapshots,
    names,
    runningPids: account.runningPids,
    settings: settingsSnapshot(join(root, 'settings.json'), account, settingsReads.get(account.path)),
    problems,
    ...(records && account.exists ? { sessionRecords: await readSessionRecords(fs, root) } : {}),
  };
}

/**
 * What `settings.json` was before the share that made the backup stamped `stamp`: that
 * share stamps its settings copy (or its record that there was none) with the same second.
 * The first one of that second is the state before it.
 */
async function readSettingsBefore(
  fs: FileSystem,
  root: string,
  names: readonly string[],
  stamp: string,
): Promise<SettingsBefore | undefined> {
  const second = stamp.split('.')[0] ?? stamp;
  const prefix = `settings.json.bak.${second}`;
  const copies = names
    .filter((n) => n === prefix || (n.startsWith(`${prefix}.`) && /^\d+$/.test(n.slice(prefix.length + 1))))
    .sort((a, b) => Number(a.slice(prefix.length + 1) || 0) - Number(b.slice(prefix.length + 1) || 0));
  // The record that the share created the file wins: no copy of that second is its.
  const record = `${prefix}${SETTINGS_ABSENT_SUFFIX}`;
  if (names.includes(record)) return { path: join(root, record), existed: false };
  const copy = copies[0];
  if (copy !== undefined) {
    const path = join(root, copy);
    try {
      const st = await fs.lstat(path);
      if (st.type !== 'file' || st.size > SETTINGS_MAX_BYTES) return { path, existed: true, unreadable: true };
      const parsed: unknown = JSON.parse(new TextDecoder().decode(await fs.readFile(path)).replace(/^\uFEFF/, ''));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return { path, existed: true, unreadable: true };
      }
      const value = (parsed as Record<string, unknown>).cleanupPeriodDays;
      return typeof value === 'number' && Number.isFinite(value) && value > 0
        ? { path, existed: true, cleanupPeriodDays: value }
        : { path, existed: true };
    } catch {
      return { path, existed: true, unreadable: true };
    }
  }
  return undefined;
}

/** The snapshot of `settings.json` from what discovery read of it ({@link SettingsRead}). */
function settingsSnapshot(path: string, account: Account, read: SettingsRead | undefined): SettingsSnapshot {
  const base = {
    path,
    cleanupPeriodDays: account.cleanupPeriodDays,
    cleanupPeriodDaysSet: account.cleanupPeriodDaysSet,
    malformed: account.problems.some((p) => p.code === 'ESETTINGS_MALFORMED'),
  };
  if (!account.exists) return { ...base, type: 'missing', cleanupPeriodDays: DEFAULT_CLEANUP_PERIOD_DAYS };
  const st = read?.stat;
  if (st === undefined) return { ...base, type: read?.unreadable ? 'unreadable' : 'missing' };
  const meta = { size: st.size, mtimeMs: st.mtimeMs, mode: st.mode };
  if (st.type !== 'file' || st.size > SETTINGS_MAX_BYTES) return { ...base, ...meta, type: st.type };
  const bytes = read?.bytes;
  if (bytes === undefined) return { ...base, ...meta, type: 'unreadable' };
  return { ...base, ...meta, type: 'file', text: new TextDecoder().decode(bytes), hash: sha256Hex(bytes) };
}

/**
 * The tree at `given`, resolved to its real path. A missing folder is recorded with the
 * ancestors a plan would have to create; a link to a folder is followed (the shared folder
 * may live elsewhere); anything else that is not a folder is recorded as such.
 */
async function readTree(fs: FileSystem, given: string, concurrency: number): Promise<TreeSnapshot> {
  const { real, missing } = await resolveReal(fs, given);
  if (missing.length > 0) {
    let kind: TreeSnapshot['kind'] = 'missing';
    try {
      if ((await fs.lstat(real)).type === 'symlink') kind = 'dangling-symlink';
    } catch {
      // Truly absent.
    }
    return { path: real, kind, missing: kind === 'missing' ? missing : [], entries: [] };
  }
  let type: string;
  try {
    type = (await fs.stat(real)).type;
  } catch {
    return { path: real, kind: 'unreadable', missing: [], entries: [] };
  }
  if (type !== 'directory') return { path: real, kind: 'not-a-directory', missing: [], entries: [] };
  try {
    return { path: real, kind: 'directory', missing: [], entries: await walk(fs, real, concurrency) };
  } catch {
    return { path: real, kind: 'unreadable', missing: [], entries: [] };
  }
}

/**
 * The real path of `path` and the trailing components that do not exist yet, outermost
 * first: `/home/u/.claude-shared/projects` with nothing there gives
 * `{ real: <same>, missing: ['/home/u/.claude-shared', '/home/u/.claude-shared/projects'] }`
 * (with the existing ancestors' links resolved).
 */
export async function resolveReal(fs: FileSystem, path: string): Promise<{ real: string; missing: string[] }> {
  const tail: string[] = [];
  let current = resolve(path);
  for (;;) {
    try {
      const real = await fs.realpath(current);
      if (tail.length === 0) return { real, missing: [] };
      const missing: string[] = [];
      let p = real;
      for (const name of tail.reverse()) {
        p = join(p, name);
        missing.push(p);
      }
      return { real: p, missing };
    } catch (error) {
      const code = errnoCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw wrapIoError(error, 'resolving a folder', current);
      const parent = dirname(current);
      if (parent === current) return { real: resolve(path), missing: [] };
      tail.push(basename(current));
      current = parent;
    }
  }
}

/**
 * {@link treeDigest} of the folder at `path` as it is now (links not followed): what a
 * backup rename's `expectFrom.tree` is compared with.
 */
export async function digestFolder(
  fs: FileSystem,
  path: string,
  concurrency = 16,
  known?: (path: string) => FileStat | undefined,
): Promise<string> {
  return treeDigest(await walkForDigest(fs, path, concurrency, known));
}

/**
 * What {@link treeDigest} reads of the tree at `root`, with the fewest calls: the digest
 * counts a folder by its name and type only, so folders are known from `readdir`'s
 * types and not lstat'ed; files are lstat'ed (size and mtime) unless `known` gives a
 * stat of that path read a moment ago by the caller; links are read. The same entries
 * as {@link walk} gives for the digest, including the U+FFFD names it records as 'other'.
 */
async function walkForDigest(
  fs: FileSystem,
  root: string,
  concurrency: number,
  known: ((path: string) => FileStat | undefined) | undefined,
): Promise<Pick<TreeEntry, 'path' | 'type' | 'size' | 'mtimeMs' | 'linkText'>[]> {
  const entries: Pick<TreeEntry, 'path' | 'type' | 'size' | 'mtimeMs' | 'linkText'>[] = [];
  const limit = createLimit(concurrency);
  const visit = async (dir: string, rel: string, top: boolean): Promise<void> => {
    let children: Awaited<ReturnType<FileSystem['readdir']>>;
    try {
      children = await limit(() => fs.readdir(dir));
    } catch (error) {
      // A folder that vanished since its parent was read is left out, as walk does.
      if (!top && (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR')) return;
      throw error;
    }
    const subfolders: Promise<void>[] = [];
    const stats = children.map(async (child) => {
      const abs = join(dir, child.name);
      const relPath = rel === '' ? child.name : `${rel}/${child.name}`;
      if (child.type === 'directory' && !child.name.includes('\uFFFD')) {
        entries.push({ path: relPath, type: 'directory', size: 0, mtimeMs: 0 });
        subfolders.push(visit(abs, relPath, false));
        return;
      }
      let st = child.type === 'file' ? known?.(abs) : undefined;
      if (st?.type !== 'file') {
        try {
          st = await limit(() => fs.lstat(abs));
        } catch (error) {
          if (errnoCode(error) !== 'ENOENT') throw error;
          if (child.name.includes('\uFFFD')) entries.push({ path: relPath, type: 'other', size: 0, mtimeMs: 0 });
          return;
        }
      }
      const entry: Pick<TreeEntry, 'path' | 'type' | 'size' | 'mtimeMs' | 'linkText'> = {
        path: relPath,
        type: st.type,
        size: st.type === 'file' ? st.size : 0,
        mtimeMs: st.mtimeMs,
      };
      if (st.type === 'symlink') entry.linkText = await limit(() => fs.readlink(abs));
      entries.push(entry);
      // A folder that replaced what readdir saw: read on, as walk would.
      if (st.type === 'directory') subfolders.push(visit(abs, relPath, false));
    });
    await Promise.all(stats);
    await Promise.all(subfolders);
  };
  await visit(root, '', true);
  return entries;
}

/**
 * Bytes hashed, entries walked, between two returns to the event loop (the synchronous
 * reads of the real disk otherwise hold it for the whole corpus). Tests lower them.
 */
export const YIELD_EVERY = { bytes: 64 * 1024 * 1024, entries: 16 * 1024 };

/** Lets the event loop run (signal handlers, timers, I/O callbacks) before going on. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Every entry under `root`, lstat'ed (links recorded, never followed), sorted by relative path. */
export async function walk(fs: FileSystem, root: string, concurrency: number): Promise<TreeEntry[]> {
  const sync = walkReads(fs);
  if (sync) return walkSync(sync, fs.sep, root);
  const entries: TreeEntry[] = [];
  const visit = async (dir: string, rel: string): Promise<void> => {
    const children = await fs.readdir(dir);
    const found = await mapLimit(children, concurrency, async (child) => {
      const abs = join(dir, child.name);
      const relPath = rel === '' ? child.name : `${rel}/${child.name}`;
      let st: Awaited<ReturnType<FileSystem['lstat']>>;
      try {
        st = await fs.lstat(abs);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
        // A name that is not valid UTF-8 comes back from readdir with U+FFFD in place of
        // its bad bytes, and no string path reaches it: record it, so that a plan says it
        // stays behind instead of dropping it without a word.
        if (child.name.includes('\uFFFD')) {
          const entry: TreeEntry = { path: relPath, type: 'other', size: 0, mode: 0, mtimeMs: 0 };
          entry.unreadable = NOT_UTF8;
          return { entry, abs };
        }
        return undefined; // vanished since readdir
      }
      const entry = entryOfStat(relPath, st);
      if (st.type === 'symlink') entry.linkText = await fs.readlink(abs);
      return { entry, abs };
    });
    for (const f of found) {
      if (!f) continue;
      entries.push(f.entry);
      if (f.entry.type === 'directory') await visit(f.abs, f.entry.path);
    }
  };
  await visit(root, '');
  return entries.sort((a, b) => compareStrings(a.path, b.path));
}

/** The synchronous reads a walk needs, when the filesystem has them all (the real disk). */
type WalkReads = Required<Pick<SyncReads, 'readdir' | 'lstat' | 'readlink'>>;

function walkReads(fs: FileSystem): WalkReads | undefined {
  const sync = fs.sync;
  if (!sync?.readdir || !sync.readlink) return undefined;
  return sync as WalkReads;
}

/**
 * {@link walk} through synchronous reads: on the real disk, one `readdir` and one `lstat`
 * per entry without a thread-pool round trip each (what `find` does). The same entries,
 * the same errors (a folder that cannot be read throws; an entry that vanished since its
 * folder was read is left out; a name that is not valid UTF-8 is recorded as 'other').
 * Back to the event loop between folders every 16 K entries or so.
 */
async function walkSync(sync: WalkReads, sep: string, root: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const pending: { abs: string; rel: string }[] = [{ abs: root, rel: '' }];
  let yielded = 0;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (entries.length - yielded >= YIELD_EVERY.entries) {
      yielded = entries.length;
      await yieldToEventLoop();
    }
    const { abs: dir, rel } = next;
    const base = dir.endsWith(sep) ? dir : dir + sep;
    for (const child of sync.readdir(dir)) {
      const abs = base + child.name;
      const relPath = rel === '' ? child.name : `${rel}/${child.name}`;
      let st: FileStat;
      try {
        st = sync.lstat(abs);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
        if (child.name.includes('\uFFFD')) {
          entries.push({ path: relPath, type: 'other', size: 0, mode: 0, mtimeMs: 0, unreadable: NOT_UTF8 });
        }
        continue;
      }
      const entry = entryOfStat(relPath, st);
      if (st.type === 'symlink') entry.linkText = sync.readlink(abs);
      entries.push(entry);
      if (st.type === 'directory') pending.push({ abs, rel: relPath });
    }
  }
  return entries.sort((a, b) => compareStrings(a.path, b.path));
}

const NOT_UTF8 = 'its name is not valid UTF-8';

interface Located {
  entry: TreeEntry;
  abs: string;
}

/**
 * Hashes every file present in several trees of one folder (the shared folder, each
 * account's real folder, the backups read), with prefix hashes for each smaller size,
 * and the newest tail timestamp of `.jsonl` files that have diverged copies. Also hashes
 * every file in the conflicts folder (so that a copy kept aside is recognised).
 */
async function compareCopies(fs: FileSystem, snapshot: Snapshot, concurrency: number): Promise<void> {
  const groups: Located[][] = [];
  for (const folder of snapshot.folders) {
    const trees: { root: string; entries: TreeEntry[] }[] = [];
    const sharedTree = snapshot.shared[folder];
    if (sharedTree?.kind === 'directory') trees.push({ root: sharedTree.path, entries: sharedTree.entries });
    for (const account of snapshot.accounts) {
      const f = account.folders[folder];
      if (f?.kind === 'directory') trees.push({ root: f.path, entries: f.entries });
      for (const b of account.backups) {
        if (b.folder === folder && b.entries) trees.push({ root: b.path, entries: b.entries });
      }
    }
    // The first tree holding a path, then every tree that also holds it: only those
    // entries (a few percent) get an absolute path.
    const first = new Map<string, { entry: TreeEntry; root: string }>();
    const byPath = new Map<string, Located[]>();
    for (const tree of trees) {
      for (const entry of tree.entries) {
        if (entry.type !== 'file') continue;
        const seen = first.get(entry.path);
        if (seen === undefined) {
          first.set(entry.path, { entry, root: tree.root });
          continue;
        }
        let group = byPath.get(entry.path);
        if (group === undefined) {
          group = [{ entry: seen.entry, abs: locate(seen.root, entry.path) }];
          byPath.set(entry.path, group);
          groups.push(group);
        }
        group.push({ entry, abs: locate(tree.root, entry.path) });
      }
    }
  }
  if (snapshot.conflicts.kind === 'directory') {
    for (const entry of snapshot.conflicts.entries) {
      if (entry.type !== 'file') continue;
      groups.push([{ entry, abs: locate(snapshot.conflicts.path, entry.path) }]);
    }
  }

  const sync = fs.sync;
  if (sync) {
    // The real disk: the copies of each file read side by side synchronously, the bytes
    // they have in common hashed once (hashGroupSync), no thread-pool round trip per MiB.
    const buffers: Buffer[] = [];
    let sinceYield = 0;
    for (const group of groups) {
      // Back to the event loop every 64 MiB or so: a signal handler, a timer or a progress
      // report of the caller runs while a large corpus is hashed.
      for (const g of group) sinceYield += g.entry.size;
      if (sinceYield >= YIELD_EVERY.bytes) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
      const results = hashGroupSync(
        sync,
        group.map((g) => ({ path: g.abs, size: g.entry.size })),
        buffers,
      );
      group.forEach((located, i) => {
        const r = results[i];
        if (r?.ok) setHash(located, r.result);
        else setUnreadable(located, r?.error);
      });
    }
  } else {
    const jobs = groups.flatMap((group) =>
      group.map((located) => ({
        located,
        sizes: group.map((g) => g.entry.size).filter((s) => s < located.entry.size),
      })),
    );
    await mapLimit(jobs, concurrency, async ({ located, sizes }) => {
      try {
        setHash(located, await hashFile(fs, located.abs, located.entry.size, sizes));
      } catch (error) {
        setUnreadable(located, error);
      }
    });
  }

  // Tail timestamps for the copies of diverged transcripts.
  const tails: Located[] = [];
  for (const group of groups) {
    if (group.length < 2) continue;
    if (!group[0]?.entry.path.endsWith('.jsonl')) continue;
    if (!diverged(group)) continue;
    tails.push(...group.filter((g) => g.entry.hash !== undefined));
  }
  await mapLimit(tails, concurrency, async (located) => {
    try {
      const ms = sync
        ? lastRecordMsSync(sync, located.abs, located.entry.size)
        : await lastRecordMs(fs, located.abs, located.entry.size);
      if (ms !== undefined) located.entry.lastRecordMs = ms;
    } catch {
      // Without a timestamp the copy loses ties; it is still kept, never dropped.
    }
  });
}

/**
 * Whether the hashed copies of a transcript hold two contents neither of which is a byte
 * prefix of the other (by the prefix hashes): only then does a planner pick among them
 * by their newest record. Copies that form a prefix chain (the longest wins) need no
 * tail read; neither does any subset of them (prefixes of one text are a chain too).
 */
function diverged(group: readonly Located[]): boolean {
  const contents = new Map<string, TreeEntry>();
  for (const { entry } of group) if (entry.hash !== undefined) contents.set(entry.hash, entry);
  if (contents.size < 2) return false;
  let maximal = 0;
  for (const c of contents.values()) {
    const inLonger = [...contents.values()].some(
      (o) =>
        o.size > c.size && (c.size === 0 || (o.prefixHashes ?? []).some((p) => p.size === c.size && p.hash === c.hash)),
    );
    if (!inLonger && ++maximal > 1) return true;
  }
  return false;
}

/** The absolute path of `rel` (`/`-separated) under `root`. */
function locate(root: string, rel: string): string {
  return join(root, ...rel.split('/'));
}

function setHash(located: Located, { hash, prefixHashes }: HashResult): void {
  located.entry.hash = hash;
  if (prefixHashes.length > 0) located.entry.prefixHashes = prefixHashes;
}

function setUnreadable(located: Located, error: unknown): void {
  located.entry.unreadable = `${errnoCode(error) ?? 'EIO'}: ${(error as Error)?.message ?? String(error)}`;
}

/** Code-unit order, independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A snapshot entry from what lstat says (a link's text is added by the caller). */
function entryOfStat(path: string, st: FileStat): TreeEntry {
  return { path, type: st.type, size: st.type === 'file' ? st.size : 0, mode: st.mode, mtimeMs: st.mtimeMs };
}
