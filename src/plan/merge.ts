import { basename, dirname, sep } from 'node:path';
import { ErrorCodes, SharedSessionsError } from '../errors.js';
import type { AccountSnapshot, Snapshot, TreeEntry } from '../inspect/types.js';
import { isCredentialFile, isSessionId, SESSIONS_INDEX, sessionIdOfFile } from '../layout/names.js';
import { asidePath, isPrefixOf, joinRel } from './aside.js';
import {
  assertSafeShared,
  isPlainRel,
  type Lookup,
  PlanBuilder,
  type PlanContext,
  type VirtualEntry,
} from './builder.js';
import { reportBadAccountFolder, reportBadShared } from './folder-problems.js';
import { planFork, sidecarsOf } from './fork.js';
import type { Conflict, CopyFileOperation, Plan } from './types.js';

/** What to do with a session whose copies diverged (neither is a prefix of the other). */
export type OnDiverged =
  /** The copy whose last record is newest goes to the canonical path; the others to the conflicts folder (no picker lists them). */
  | 'keep-newest'
  /**
   * The copy whose last record is newest keeps the id; each other copy of a top-level
   * transcript is written as a new, resumable session (new id, sidecars copied with it).
   * Other diverged files are handled as with `keep-newest`.
   */
  | 'fork'
  /** Plan nothing: throw `ECONFLICT` listing every diverged session. */
  | 'refuse';

export interface MergeOptions extends PlanContext {
  /** @default 'fork' */
  onDiverged?: OnDiverged;
  /**
   * Id for the fork of a diverged copy (with `onDiverged: 'fork'`). Must be a pure
   * function of its arguments for plans to be repeatable.
   * @default {@link deriveForkSessionId} (a UUID derived from the id and the content hash)
   */
  forkSessionId?: (sessionId: string, contentHash: string) => string;
}

/** How one file or folder found in an account's folder is dealt with by a merge. */
export type MergeOutcome =
  /** An operation copies it to the shared folder (`operationId`). */
  | 'copied'
  /** The same content is (or will be, by another copy's operation) at the canonical path or kept aside already. */
  | 'already-there'
  /** It is a byte prefix of a longer copy that is kept: nothing of it is lost. */
  | 'superseded'
  /** A diverged or differing copy, copied to the conflicts folder (`operationId`). */
  | 'kept-aside'
  /** A diverged copy written under a new session id (`operationId`). */
  | 'forked'
  /** Left where it is (a link, a special file, an unreadable file, a type clash, `sessions-index.json`). */
  | 'skipped'
  /** Part of a divergence the caller asked to refuse. */
  | 'refused';

export interface MergeLedgerEntry {
  /** Absolute path in the account's folder. */
  source: string;
  account: string;
  folder: string;
  /** Relative to the folder, `/`-separated. */
  path: string;
  type: TreeEntry['type'];
  outcome: MergeOutcome;
  operationId?: string;
  /** Why, for `skipped`. */
  note?: string;
}

interface Copy {
  /** Index in snapshot.accounts, or -1 for the copy already in the shared folder. */
  origin: number;
  account?: AccountSnapshot;
  entry: TreeEntry;
  abs: string;
}

interface Content {
  key: string;
  hash: string | undefined;
  size: number;
  entry: TreeEntry;
  copies: Copy[];
  inShared: boolean;
}

/**
 * Plans the merge of each account's folders into the shared folders, without I/O: every
 * file absent from the shared folder is copied (mode and mtime kept); identical files
 * are left; for a transcript (`.jsonl`, append-only) whose copies form a prefix chain the
 * longest wins, a shorter copy already in the shared folder being moved to the conflicts
 * folder first; diverged transcripts keep at the canonical path the copy whose last
 * record is newest and the others in the conflicts folder, reported as conflicts
 * (`onDiverged`); other files are never overwritten (a differing copy is kept aside and
 * warned about); `sessions-index.json` is never copied; links and special files in an
 * account's folder are not followed. Accounts whose folder is already linked add nothing.
 *
 * @throws SharedSessionsError `ECONFLICT` with `onDiverged: 'refuse'` and diverged copies.
 * @example
 * ```ts
 * const plan = planMerge(await inspect({ accounts }), { id: 'merge-1', now: Date.now() });
 * console.log(describePlan(plan));
 * ```
 */
export function planMerge(snapshot: Snapshot, options: MergeOptions): Plan {
  assertSafeShared(snapshot, 'merge into it');
  const b = new PlanBuilder(snapshot, options);
  b.noteAccounts();
  mergePhase(b, options, false);
  return b.finish('merge', options);
}

/**
 * The merge's ledger: one entry for every file, folder and link in every account folder
 * the merge reads, saying what happens to it (copied, already there, kept aside, ...).
 * Pure, like {@link planMerge}, whose operation ids it names.
 *
 * @example
 * ```ts
 * for (const e of explainMerge(snapshot, { id: 'x', now: 0 })) if (e.outcome === 'skipped') console.log(e.source, e.note);
 * ```
 */
export function explainMerge(snapshot: Snapshot, options: MergeOptions): MergeLedgerEntry[] {
  const b = new PlanBuilder(snapshot, options);
  return mergePhase(b, options);
}

/**
 * Adds the merge operations of every folder to the builder; returns the ledger (empty
 * when `withLedger` is false: planners do not need it).
 */
export function mergePhase(
  b: PlanBuilder,
  options: Omit<MergeOptions, keyof PlanContext>,
  withLedger = true,
): MergeLedgerEntry[] {
  const ledger: MergeLedgerEntry[] = [];
  const refused: Conflict[] = [];
  for (const folder of b.snapshot.folders) mergeFolder(b, folder, options, withLedger ? ledger : undefined, refused);
  const folderRank = new Map(b.snapshot.folders.map((f, i) => [f, i]));
  const accountRank = new Map(b.snapshot.accounts.map((a, i) => [a.realPath, i]));
  ledger.sort(
    (x, y) =>
      (folderRank.get(x.folder) ?? 0) - (folderRank.get(y.folder) ?? 0) ||
      (x.path < y.path ? -1 : x.path > y.path ? 1 : 0) ||
      (accountRank.get(x.account) ?? 0) - (accountRank.get(y.account) ?? 0),
  );
  if (refused.length > 0) {
    throw new SharedSessionsError(
      ErrorCodes.CONFLICT,
      `${refused.length} session${refused.length === 1 ? ' has' : 's have'} diverged copies (neither is a prefix of the other):\n${refused
        .map((c) => `  ${c.sessionId ?? '?'}: ${c.paths.join(', ')}`)
        .join(
          '\n',
        )}\nPlan again with onDiverged: 'keep-newest' (the newest copy stays, the others go to the conflicts folder) or 'fork' (each other copy becomes a new session).`,
      { details: refused },
    );
  }
  return ledger;
}

function ancestorsOf(rel: string): string[] {
  const parts = rel.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/** The last name of a snapshot's relative path (`a/b.jsonl` -> `b.jsonl`), as `basename` gives it. */
function lastName(rel: string): string {
  if (sep !== '/' || rel.endsWith('/')) return basename(rel);
  return rel.slice(rel.lastIndexOf('/') + 1);
}

/** What every file of one folder's merge shares. */
interface FolderMerge {
  b: PlanBuilder;
  folder: string;
  options: Omit<MergeOptions, keyof PlanContext>;
  note: Note;
  refused: Conflict[];
}

/** An account folder read by a merge: its copies are numbered by `index` (account order). */
interface Source {
  index: number;
  account: AccountSnapshot;
  root: string;
  /** `root` and a separator, for the plain relative paths (see {@link isPlainJoin}). */
  prefix: string;
  entries: readonly TreeEntry[];
}

function mergeFolder(
  b: PlanBuilder,
  folder: string,
  options: Omit<MergeOptions, keyof PlanContext>,
  ledger: MergeLedgerEntry[] | undefined,
  refused: Conflict[],
): void {
  const snapshot = b.snapshot;
  const sharedTree = snapshot.shared[folder];
  if (!sharedTree) return;
  const sources: Source[] = [];
  for (const [index, account] of snapshot.accounts.entries()) {
    if (!account.exists) continue;
    if (reportBadAccountFolder(b, account, folder)) continue;
    const f = account.folders[folder];
    if (f?.kind !== 'directory') continue;
    const prefix = f.path.endsWith('/') ? f.path : `${f.path}/`;
    sources.push({ index, account, root: f.path, prefix, entries: sortedByPath(f.entries) });
  }
  if (sources.length === 0) return;
  const note: Note = (copy, outcome, operationId, why) => {
    if (ledger === undefined || copy.origin < 0 || !copy.account) return;
    const e: MergeLedgerEntry = {
      source: copy.abs,
      account: copy.account.realPath,
      folder,
      path: copy.entry.path,
      type: copy.entry.type,
      outcome,
    };
    if (operationId !== undefined) e.operationId = operationId;
    if (why !== undefined) e.note = why;
    ledger.push(e);
  };

  if (reportBadShared(b, folder)) {
    for (const { account, index, root, entries } of sources) {
      for (const entry of entries) {
        note(
          { origin: index, account, entry, abs: joinRel(root, entry.path) },
          'skipped',
          undefined,
          'shared folder unusable',
        );
      }
    }
    return;
  }
  b.ensureDir(sharedTree.path);

  const ctx: FolderMerge = { b, folder, options, note, refused };
  const blocked = new Map<number, Set<string>>();
  const block = (origin: number, rel: string) => {
    const set = blocked.get(origin) ?? new Set<string>();
    set.add(rel);
    blocked.set(origin, set);
  };
  const isBlocked = (c: Copy) => {
    if (blocked.size === 0) return false;
    const set = blocked.get(c.origin);
    return set !== undefined && ancestorsOf(c.entry.path).some((a) => set.has(a));
  };

  const sharedPrefix = sharedTree.path.endsWith('/') ? sharedTree.path : `${sharedTree.path}/`;
  forEachPath(sources, (rel, all, plain) => {
    let copies = all;
    if (blocked.size > 0) {
      copies = [];
      for (const c of all) {
        if (isBlocked(c)) {
          block(c.origin, rel);
          note(c, 'skipped', undefined, 'a parent folder clashes with a file in the shared folder');
        } else copies.push(c);
      }
      if (copies.length === 0) return;
    }
    const target = plain ? sharedPrefix + rel : joinRel(sharedTree.path, rel);

    const name = lastName(rel);
    if (isCredentialFile(name)) {
      // Credentials and account state are never copied, wherever they turn up.
      for (const c of copies) {
        block(c.origin, rel);
        b.warn(
          'forbidden-name',
          `${c.abs} is named like a credentials or account-state file; it is never copied or shared. It stays in the account (and its backup); move it out of ${folder}/ if it does not belong there.`,
          c.abs,
        );
        note(c, 'skipped', undefined, 'credentials are never shared');
      }
      return;
    }

    const only = copies.length === 1 ? copies[0] : undefined;
    if (only?.entry.type === 'file' && only.entry.unreadable === undefined) {
      // The common case, one readable file in one account: none of the checks below apply.
      if (name === SESSIONS_INDEX || !copyOnly(ctx, rel, target, only)) mergeFile(ctx, rel, target, copies);
      return;
    }
    const files = mergeOthers(ctx, rel, target, copies, block);
    if (files.length > 0) mergeFile(ctx, rel, target, files);
  });
}

/**
 * Whether `rel` joins its root by plain concatenation, as `joinRel` would join it: on
 * POSIX, with no empty, `.` or `..` segment and no leading or trailing `/`. Checked once
 * per path for all its copies and its target.
 */
function isPlainJoin(rel: string): boolean {
  return sep === '/' && isPlainRel(rel);
}

/** `entries` sorted by path: as they are when they come sorted (a snapshot's are). */
function sortedByPath(entries: readonly TreeEntry[]): readonly TreeEntry[] {
  for (let i = 1; i < entries.length; i++) {
    if ((entries[i - 1] as TreeEntry).path > (entries[i] as TreeEntry).path) {
      return [...entries].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
    }
  }
  return entries;
}

/**
 * Calls `visit` for each relative path found in any source, in code-unit order, with its
 * copies in account order: a merge of the sources' sorted entries (no map of every path).
 */
function forEachPath(sources: readonly Source[], visit: (rel: string, copies: Copy[], plain: boolean) => void): void {
  const at = sources.map(() => 0);
  const n = sources.length;
  for (;;) {
    let rel: string | undefined;
    for (let k = 0; k < n; k++) {
      const path = (sources[k] as Source).entries[at[k] as number]?.path;
      if (path !== undefined && (rel === undefined || path < rel)) rel = path;
    }
    if (rel === undefined) return;
    const copies: Copy[] = [];
    const plain = isPlainJoin(rel);
    for (let k = 0; k < n; k++) {
      const s = sources[k] as Source;
      for (let entry = s.entries[at[k] as number]; entry?.path === rel; entry = s.entries[at[k] as number]) {
        const abs = plain ? s.prefix + rel : joinRel(s.root, rel);
        copies.push({ origin: s.index, account: s.account, entry, abs });
        at[k] = (at[k] as number) + 1;
      }
    }
    visit(rel, copies, plain);
  }
}

/**
 * The copies of `rel` that are not one readable file: links, special files and folders
 * are dealt with here (warned about, or the folder made in the shared folder); returns
 * the readable files left to merge.
 */
function mergeOthers(
  ctx: FolderMerge,
  rel: string,
  target: string,
  copies: readonly Copy[],
  block: (origin: number, rel: string) => void,
): Copy[] {
  const { b, note } = ctx;
  for (const c of copies.filter((c) => c.entry.type === 'symlink')) {
    b.warn(
      'symlink-not-followed',
      `${c.abs} is a link (to ${c.entry.linkText}); links inside an account's folder are not followed or copied. It stays in the account (and its backup).`,
      c.abs,
    );
    note(c, 'skipped', undefined, 'link not followed');
  }
  for (const c of copies.filter((c) => c.entry.type === 'other')) {
    if (c.entry.unreadable !== undefined) {
      b.warn(
        'unreadable-name',
        `${c.abs}: ${c.entry.unreadable}, so it cannot be named and is not copied (with everything in it). It stays in the account (and its backup); rename it to a UTF-8 name and plan again to share it.`,
        c.abs,
      );
      note(c, 'skipped', undefined, c.entry.unreadable);
      continue;
    }
    b.warn('special-file', `${c.abs} is not a regular file or folder; it is not copied.`, c.abs);
    note(c, 'skipped', undefined, 'special file');
  }
  const dirs = copies.filter((c) => c.entry.type === 'directory');
  let files = copies.filter((c) => c.entry.type === 'file');
  if (dirs.length > 0) {
    mergeDirs(ctx, rel, target, dirs, block);
    if (files.length > 0) {
      for (const c of files) note(c, 'skipped', undefined, 'a folder of that name wins');
      b.warn(
        'type-clash',
        `${files.map((c) => c.abs).join(', ')} ${files.length === 1 ? 'is a file' : 'are files'} where another account has a folder (${rel}); the folder wins and the file stays in its account (and its backup).`,
        target,
      );
      files = [];
    }
  }
  for (const c of files) {
    if (c.entry.unreadable === undefined) continue;
    b.warn('unreadable', `${c.abs} could not be read (${c.entry.unreadable}); it is left where it is.`, c.abs);
    note(c, 'skipped', undefined, 'unreadable');
  }
  return files.filter((c) => c.entry.unreadable === undefined);
}

/** Folders of that name in accounts: made in the shared folder unless something else is there. */
function mergeDirs(
  ctx: FolderMerge,
  rel: string,
  target: string,
  dirs: readonly Copy[],
  block: (origin: number, rel: string) => void,
): void {
  const { b, note } = ctx;
  const cur = b.state.lookup(target);
  if (cur.type === 'directory' || cur.type === 'unknown') {
    for (const c of dirs) note(c, 'already-there');
  } else if (cur.type === 'absent') {
    const first = dirs[0] as Copy;
    // The source folder's mode, but never writable by group or others: every account
    // resumes what is in the shared folder.
    const mode = (first.entry.mode || 0o700) & ~0o022;
    const created = b.ensureDir(target, mode, first.account?.realPath, 'new');
    const op = b.operations.at(-1);
    const opId = created && op?.type === 'mkdir' && op.path === target ? op.id : undefined;
    dirs.forEach((c, i) => {
      note(c, i === 0 && opId !== undefined ? 'copied' : 'already-there', i === 0 ? opId : undefined);
    });
  } else {
    for (const c of dirs) {
      block(c.origin, rel);
      note(c, 'skipped', undefined, 'a file or link of that name is in the shared folder');
    }
    b.warn(
      'type-clash',
      `${target} is not a folder in the shared folder, but ${dirs.map((c) => c.abs).join(', ')} ${dirs.length === 1 ? 'is' : 'are'}; ${dirs.length === 1 ? 'its' : 'their'} content stays in the account (and its backup).`,
      target,
    );
  }
}

type Note = (copy: Copy, outcome: MergeOutcome, operationId?: string, why?: string) => void;

/** How the copies of one file are resolved: which content wins, and what else is kept. */
interface Resolution {
  contents: Content[];
  sharedContent: Content | undefined;
  winner: Content;
  diverged: boolean;
  asideContents: Content[];
  appendOnly: boolean;
  sessionId: string | undefined;
}

/** Merges the readable copies `files` of `rel` into the shared folder's `target`. */
function mergeFile(ctx: FolderMerge, rel: string, target: string, files: Copy[]): void {
  const { b, note, options } = ctx;
  const cur = b.state.lookup(target);
  if (cur.type === 'directory' || cur.type === 'symlink' || cur.type === 'other') {
    for (const c of files) note(c, 'skipped', undefined, 'a folder or link of that name is in the shared folder');
    b.warn(
      'type-clash',
      `${target} in the shared folder is a ${cur.type === 'other' ? 'special file' : cur.type}; ${files.map((c) => c.abs).join(', ')} stay${files.length === 1 ? 's' : ''} in the account (and its backup).`,
      target,
    );
    return;
  }
  if (lastName(rel) === SESSIONS_INDEX) {
    for (const c of files) {
      note(c, 'skipped', undefined, 'sessions-index.json is never copied');
      b.warn(
        'sessions-index-skipped',
        `${c.abs} is a stale cache Claude Code no longer reads; it is not copied into the shared folder (a stale copy would hide sessions from other tools).`,
        c.abs,
      );
    }
    return;
  }
  const r = resolveCopies(ctx, rel, target, cur, files);
  const mode = r.diverged ? (options.onDiverged ?? 'fork') : 'keep-newest';
  if (r.diverged && mode === 'refuse') {
    refuseDiverged(ctx, rel, files, r);
    return;
  }
  const opsBefore = b.operations.length;
  const forkMode = r.diverged && mode === 'fork' && r.sessionId !== undefined && isTopLevelSession(ctx.folder, rel);
  // 1. Forks first: they read the diverged copies (and their sidecars) where they are now.
  const forked = forkMode ? forkDiverged(ctx, rel, target, r) : new Map<Content, Forked>();
  const keptAside = [...forked.values()].map((f) => f.path);
  // 2. A copy in the shared folder that does not win is moved aside (never deleted).
  const sharedAside = moveSharedAside(ctx, rel, target, r);
  if (sharedAside !== undefined && r.sharedContent && !forked.has(r.sharedContent)) keptAside.push(sharedAside);
  // 3. The winner goes to the canonical path.
  copyWinner(ctx, target, r);
  // 4. The other contents: kept aside (or forked above), or superseded by a longer copy.
  keptAside.push(...keepOthersAside(ctx, rel, r, forked));
  if (b.operations.length === opsBefore) return;
  reportDivergence(ctx, rel, target, r, { forkMode, forked, keptAside });
}

/**
 * The commonest file of a merge, the only copy of `rel` with nothing at `target` in the
 * shared folder: copied there, as {@link mergeFile} would copy it (one `new` copyFile),
 * without resolving contents. False, with nothing done, when anything else applies (the
 * caller checks the name: never `sessions-index.json`).
 */
function copyOnly(ctx: FolderMerge, rel: string, target: string, only: Copy): boolean {
  const { b } = ctx;
  const cur = b.state.lookup(target);
  if (cur.type !== 'absent' && cur.type !== 'unknown') return false;
  const op: CopyFileOperation = {
    id: b.nextId(),
    type: 'copyFile',
    reason: 'new',
    from: only.abs,
    to: target,
    expectFrom: b.expectFile(only.entry),
    expectTo: { type: 'absent' },
  };
  if (only.account) op.account = only.account.realPath;
  const sessionId = sessionOf(ctx.folder, rel);
  if (sessionId !== undefined) op.sessionId = sessionId;
  b.push(op);
  ctx.note(only, 'copied', op.id);
  return true;
}

/** A transcript directly in a project folder (`<project>/<uuid>.jsonl`): one that can be forked. */
function isTopLevelSession(folder: string, rel: string): boolean {
  return folder === 'projects' && /^[^/]+\/[^/]+$/.test(rel) && sessionIdOfFile(lastName(rel)) !== undefined;
}

/**
 * Groups the copies (the shared folder's first, when there is one) by content and picks
 * the winner: the only content; for a transcript the longest of a prefix chain, or the
 * newest of diverged copies; for other files the one already shared, else the newest.
 */
function resolveCopies(ctx: FolderMerge, rel: string, target: string, cur: Lookup, files: Copy[]): Resolution {
  const all: Copy[] = [];
  if (cur.type === 'file') {
    const entry: TreeEntry = (cur as VirtualEntry).entry ?? {
      path: rel,
      type: 'file',
      size: cur.size,
      mode: cur.mode,
      mtimeMs: cur.mtimeMs,
      ...(cur.hash === undefined ? {} : { hash: cur.hash }),
    };
    all.push({ origin: -1, entry, abs: target });
  }
  for (const c of files) all.push(c);
  const contents: Content[] = [];
  for (const c of all) {
    const key = all.length === 1 ? 'only' : (c.entry.hash ?? `unhashed:${c.abs}`);
    let content = contents.find((x) => x.key === key);
    if (!content) {
      content = { key, hash: c.entry.hash, size: c.entry.size, entry: c.entry, copies: [], inShared: false };
      contents.push(content);
    }
    content.copies.push(c);
    if (c.origin < 0) content.inShared = true;
  }
  const sharedContent = contents.find((c) => c.inShared);
  const r: Resolution = {
    contents,
    sharedContent,
    winner: contents[0] as Content,
    diverged: false,
    asideContents: [],
    appendOnly: rel.endsWith('.jsonl'),
    sessionId: sessionOf(ctx.folder, rel),
  };
  if (contents.length === 1) return r;
  if (r.appendOnly) {
    const maximal = contents.filter((c) => !contents.some((o) => o !== c && isPrefixOf(c, o)));
    if (maximal.length === 1) r.winner = maximal[0] as Content;
    else {
      r.winner = pickNewest(maximal);
      r.diverged = true;
      r.asideContents = maximal.filter((c) => c !== r.winner);
    }
    return r;
  }
  r.winner = sharedContent ?? pickByMtime(contents);
  r.asideContents = contents.filter((c) => c !== r.winner);
  return r;
}

/** With `onDiverged: 'refuse'`: records the conflict when resolving it would need an operation. */
function refuseDiverged(ctx: FolderMerge, rel: string, files: readonly Copy[], r: Resolution): void {
  const conflict: Conflict = {
    code: 'diverged',
    message: `${rel} has diverged copies: ${r.contents.map((c) => c.copies[0]?.abs).join(', ')}.`,
    paths: r.contents.flatMap((c) => c.copies.map((x) => x.abs)),
    resolution: 'refused',
  };
  if (r.sessionId !== undefined) conflict.sessionId = r.sessionId;
  // Refuse only what would need an operation; a divergence already resolved on disk is not one.
  const pending =
    !r.winner.inShared ||
    r.asideContents.some((c) => !c.inShared && !alreadyAside(ctx.b, ctx.folder, rel, c)) ||
    r.asideContents.some((c) => c.inShared);
  if (pending) ctx.refused.push(conflict);
  for (const c of files) ctx.note(c, 'refused');
}

interface Forked {
  path: string;
  newSessionId: string;
  from: string;
  opId?: string;
}

/** Writes each diverged copy that does not win as a new session (`onDiverged: 'fork'`). */
function forkDiverged(ctx: FolderMerge, rel: string, target: string, r: Resolution): Map<Content, Forked> {
  const { b, folder, options } = ctx;
  const sessionId = r.sessionId as string;
  const forked = new Map<Content, Forked>();
  const project = rel.split('/')[0] ?? '';
  for (const c of r.asideContents) {
    const from = c.copies[0] as Copy;
    const tree = from.account ? from.account.folders[folder] : b.snapshot.shared[folder];
    const fork = planFork(b, {
      from: from.abs,
      entry: from.entry,
      sessionId,
      projectDir: dirname(target),
      contentKey: c.hash ?? c.key,
      sidecars: sidecarsOf(tree?.entries ?? [], tree?.path ?? '', project, sessionId),
      ...(from.account ? { account: from.account.realPath } : {}),
      ...(options.forkSessionId ? { forkSessionId: options.forkSessionId } : {}),
    });
    for (const p of fork.sidecarsInTheWay) {
      b.warn(
        'fork-sidecar-in-the-way',
        `${p} is taken by other content, so this sidecar file of the fork ${fork.newSessionId} is not copied there; the original stays under ${sessionId}.`,
        p,
      );
    }
    forked.set(c, {
      path: fork.path,
      newSessionId: fork.newSessionId,
      from: from.abs,
      ...(fork.operationId === undefined ? {} : { opId: fork.operationId }),
    });
  }
  return forked;
}

/**
 * Moves the shared folder's copy aside when another content wins (superseded by a longer
 * copy, or kept as a conflict); returns where a kept (not superseded) copy went.
 */
function moveSharedAside(ctx: FolderMerge, rel: string, target: string, r: Resolution): string | undefined {
  const { b, folder } = ctx;
  const shared = r.sharedContent;
  if (!shared || shared === r.winner) return undefined;
  const superseded = isPrefixOf(shared, r.winner);
  const aside = asidePath(b, folder, rel, shared, false);
  b.ensureDir(dirname(aside));
  b.add({
    type: 'rename',
    reason: superseded ? 'superseded' : 'conflict-kept',
    from: target,
    to: aside,
    expectFrom: b.expectFile(shared.entry),
    expectTo: { type: 'absent' },
    ...(r.sessionId === undefined ? {} : { sessionId: r.sessionId }),
  });
  return superseded ? undefined : aside;
}

/** Copies the winning content to the canonical path, unless it is there already. */
function copyWinner(ctx: FolderMerge, target: string, r: Resolution): void {
  const { b, note } = ctx;
  const winner = r.winner;
  if (winner.inShared) {
    for (const c of winner.copies) note(c, 'already-there');
    return;
  }
  const from = winner.copies[0] as Copy;
  const reason = r.diverged ? 'newest-diverged' : r.contents.length > 1 && r.appendOnly ? 'longer' : 'new';
  const draft: Omit<CopyFileOperation, 'id'> = {
    type: 'copyFile',
    reason,
    from: from.abs,
    to: target,
    expectFrom: b.expectFile(from.entry),
    expectTo: { type: 'absent' },
  };
  if (from.account) draft.account = from.account.realPath;
  if (r.sessionId !== undefined) draft.sessionId = r.sessionId;
  const op = b.add(draft);
  winner.copies.forEach((c, i) => {
    note(c, i === 0 ? 'copied' : 'already-there', i === 0 ? op.id : undefined);
  });
}

/** The contents that do not win: superseded, forked, or copied to the conflicts folder. Returns the copies made. */
function keepOthersAside(ctx: FolderMerge, rel: string, r: Resolution, forked: Map<Content, Forked>): string[] {
  const { b, folder, note } = ctx;
  const kept: string[] = [];
  for (const c of r.contents) {
    if (c === r.winner) continue;
    if (!r.asideContents.includes(c)) {
      for (const copy of c.copies) note(copy, 'superseded');
      continue;
    }
    const fork = forked.get(c);
    if (fork) {
      c.copies.forEach((copy, i) => {
        note(copy, i === 0 && fork.opId !== undefined ? 'forked' : 'already-there', i === 0 ? fork.opId : undefined);
      });
      continue;
    }
    if (c.inShared) {
      // Moved aside in step 2; account copies of the same content are there with it.
      for (const copy of c.copies) note(copy, 'already-there');
      continue;
    }
    const from = c.copies[0] as Copy;
    const aside = asidePath(b, folder, rel, c, true);
    const there = b.state.lookup(aside);
    if (there.type === 'file' && there.hash !== undefined && there.hash === c.hash) {
      for (const copy of c.copies) note(copy, 'already-there');
      continue;
    }
    b.ensureDir(dirname(aside));
    const op = b.add({
      type: 'copyFile',
      reason: 'conflict-kept',
      from: from.abs,
      to: aside,
      expectFrom: b.expectFile(from.entry),
      expectTo: { type: 'absent' },
      ...(from.account ? { account: from.account.realPath } : {}),
      ...(r.sessionId === undefined ? {} : { sessionId: r.sessionId }),
    });
    kept.push(aside);
    c.copies.forEach((copy, i) => {
      note(copy, i === 0 ? 'kept-aside' : 'already-there', i === 0 ? op.id : undefined);
    });
  }
  return kept;
}

/** The conflict of diverged copies, or the warning of a differing non-transcript file kept aside. */
function reportDivergence(
  ctx: FolderMerge,
  rel: string,
  target: string,
  r: Resolution,
  done: { forkMode: boolean; forked: Map<Content, Forked>; keptAside: string[] },
): void {
  const { b } = ctx;
  const { forkMode, keptAside } = done;
  const sessionId = r.sessionId;
  const keeper = (r.winner.copies[0] as Copy).abs;
  if (r.diverged) {
    const forks = [...done.forked.values()];
    const conflict: Conflict = {
      code: 'diverged',
      message: forkMode
        ? `Session ${sessionId} has diverged copies (neither is a prefix of the other); each stays resumable: ${keeper} keeps the id ${sessionId} at ${target} (its last record is the newest); ${forks
            .map((f) => `${f.from} becomes session ${f.newSessionId} at ${f.path}`)
            .join('; ')}.`
        : `${sessionId ? `Session ${sessionId}` : rel} has diverged copies (neither is a prefix of the other). The copy whose last record is newest (${keeper}) is kept at ${target}; the others are kept in the conflicts folder, where no resume picker lists them: ${keptAside.join(', ')}.`,
      paths: r.contents.flatMap((c) => c.copies.map((x) => x.abs)),
      resolution: forkMode ? 'forked' : 'kept-newest',
      kept: keeper,
      keptAside,
    };
    if (forkMode) conflict.forks = forks.map((f) => ({ from: f.from, sessionId: f.newSessionId, path: f.path }));
    if (sessionId !== undefined) conflict.sessionId = sessionId;
    b.conflict(conflict);
  } else if (!r.appendOnly && keptAside.length > 0) {
    b.warn(
      'kept-aside',
      `${rel} differs between copies; ${keeper} is ${r.winner.inShared ? 'kept' : 'copied'} at ${target} (files other than transcripts are never overwritten) and the other version${keptAside.length === 1 ? ' is' : 's are'} kept in ${keptAside.join(', ')}.`,
      target,
    );
  }
}

function alreadyAside(b: PlanBuilder, folder: string, rel: string, c: Content): boolean {
  const there = b.state.lookup(asidePath(b, folder, rel, c, true));
  return there.type === 'file' && there.hash !== undefined && there.hash === c.hash;
}

/** The session a path in `projects/` belongs to: `<p>/<id>.jsonl` or `<p>/<id>/...`. */
function sessionOf(folder: string, rel: string): string | undefined {
  if (folder !== 'projects') return undefined;
  const first = rel.indexOf('/');
  if (first < 0) return undefined;
  const second = rel.indexOf('/', first + 1);
  if (second < 0) return sessionIdOfFile(rel.slice(first + 1));
  const id = rel.slice(first + 1, second);
  return isSessionId(id) ? id : undefined;
}

/** Newest last record first; then the longer; then the one already shared; then account order. */
function pickNewest(candidates: Content[]): Content {
  const rank = (c: Content) => Math.min(...c.copies.map((x) => x.origin));
  return [...candidates].sort(
    (a, b) =>
      (b.entry.lastRecordMs ?? Number.NEGATIVE_INFINITY) - (a.entry.lastRecordMs ?? Number.NEGATIVE_INFINITY) ||
      b.size - a.size ||
      rank(a) - rank(b) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  )[0] as Content;
}

/** For files that are not transcripts and not yet shared: the most recently modified copy. */
function pickByMtime(candidates: Content[]): Content {
  const newest = (c: Content) => Math.max(...c.copies.map((x) => x.entry.mtimeMs));
  const rank = (c: Content) => Math.min(...c.copies.map((x) => x.origin));
  return [...candidates].sort(
    (a, b) => newest(b) - newest(a) || b.size - a.size || rank(a) - rank(b) || (a.key < b.key ? -1 : 1),
  )[0] as Content;
}
