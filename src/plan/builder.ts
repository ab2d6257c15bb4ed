/**
 * The planners' shared machinery: a virtual view of the paths a plan touches (so that a
 * later phase sees what an earlier one planned), an operation list that numbers its
 * entries, and the assembly of the final {@link Plan}. Pure: no filesystem, clock or
 * randomness.
 */

import { dirname, join, parse, sep } from 'node:path';
import type { WarningCode } from '../codes.js';
import { ErrorCodes, SharedSessionsError } from '../errors.js';
import type { EntryType } from '../fs/types.js';
import type { Snapshot, TreeEntry, TreeSnapshot } from '../inspect/types.js';
import { normalized, type PathRules, pathRulesFor } from '../layout/paths.js';
import type { TreeEffects } from '../operations/base.js';
import { specOf } from '../operations/table.js';
import { fingerprintSnapshot } from './fingerprint.js';
import {
  type Conflict,
  type ExpectedState,
  type Operation,
  PLAN_VERSION,
  type Plan,
  type PlanKind,
  type Warning,
} from './types.js';

/** What every planner needs from its caller besides the snapshot: the plan's id and time. */
export interface PlanContext {
  /** The plan's id (the async verbs default it to `crypto.randomUUID()`). */
  id: string;
  /** When the plan is made: ms since the epoch or a Date; names backups (`projects.bak.<seconds>`). */
  now: number | Date;
}

export interface VirtualEntry {
  path: string;
  type: EntryType;
  size: number;
  mtimeMs: number;
  mode: number;
  hash?: string;
  linkText?: string;
  /** The snapshot entry this came from, when it did (for prefix hashes and timestamps). */
  entry?: TreeEntry;
}

export type Lookup = VirtualEntry | { type: 'absent'; path: string } | { type: 'unknown'; path: string };

/** One path of a {@link VirtualTree}: a node of a trie keyed by path segment. */
interface Node {
  /** The segment as first given (its case kept), for the node's path. */
  name: string;
  parent: Node | undefined;
  /** By segment key (case-folded where paths compare so). */
  children: Map<string, Node> | undefined;
  entry: VirtualEntry | undefined;
  /**
   * A snapshot entry recorded here and not looked up yet: its {@link VirtualEntry} (and
   * absolute path) is made on the first lookup. Most entries of an account's tree are
   * never looked up (the planners look up the shared side), so most are never made.
   */
  snapshot: TreeEntry | undefined;
  /**
   * A snapshot tree's entries (relative to this node, every segment a plain name) not
   * recorded below this node yet: made into nodes when anything below it is first walked
   * to, looked up or changed. Most account trees are never walked into (the planners look
   * up the shared side; a backup moves the whole folder), so most are never made. Never
   * set together with `children`.
   */
  pending: readonly TreeEntry[] | undefined;
  /** {@link VirtualTree.moves} when `entry.path` was last known to be this node's path. */
  entryAt: number;
  absent: boolean;
  listed: boolean;
  /** Absence marks in this node's subtree, itself included (so a move finds them without a walk). */
  absentBelow: number;
}

function newNode(name: string, parent: Node | undefined): Node {
  return {
    name,
    parent,
    children: undefined,
    entry: undefined,
    snapshot: undefined,
    pending: undefined,
    entryAt: 0,
    absent: false,
    listed: false,
    absentBelow: 0,
  };
}

/** The type a node records (an entry, made or not yet), or undefined. */
function typeAt(node: Node): EntryType | undefined {
  return node.entry?.type ?? node.snapshot?.type;
}

/** A path split into its root (`/`, `C:\\`) and its segments. */
function segmentsOf(path: string): string[] {
  if (sep === '/' && path.startsWith('/')) return path === '/' ? ['/'] : ['/', ...path.slice(1).split('/')];
  const root = parse(path).root;
  const rest = path.slice(root.length);
  return rest === '' ? [root] : [root, ...rest.split(sep).filter((x) => x !== '')];
}

/** A relative snapshot path's segment that names a child as it is (not empty, `.` or `..`). */
function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..';
}

/**
 * A relative snapshot path (`/`-separated) of plain names only: no empty, `.` or `..`
 * segment, no leading or trailing `/`.
 */
export function isPlainRel(rel: string): boolean {
  if (rel === '') return false;
  // Most paths have no name starting with a dot and no `//`: no regular expression then.
  const first = rel.charCodeAt(0);
  if (first !== 0x2e && first !== 0x2f && rel.charCodeAt(rel.length - 1) !== 0x2f) {
    if (!rel.includes('/.') && !rel.includes('//')) return true;
  }
  return !/^\/|\/$|\/\/|(^|\/)\.\.?(\/|$)/.test(rel);
}

/** What {@link VirtualTree.lookup} knows after walking a path down to a node. */
interface Walked {
  node: Node;
  state: 'entry' | 'absent' | 'unknown';
  type: Lookup['type'];
  listed: boolean;
}

/**
 * A map of the paths the plan knows about. A folder is "listed" when all its children are
 * known, so that any other name in it is known to be absent. Operations added to the
 * builder update it, so that each phase plans against the state the previous phases leave.
 *
 * A trie of path segments: a lookup walks one node per segment, and a move re-attaches
 * the moved folder's node where it goes (a backup of 100,000 files moves one node, not
 * 100,000 entries); entries under it learn their new path when next looked up. The folder
 * of the last path looked up or set is remembered, so that the files of one folder (which
 * planners handle one after the other) do not walk the whole path each.
 */
export class VirtualTree {
  readonly #root = newNode('', undefined);
  /** How paths compare (the snapshot's rule): a node's children are keyed by it. */
  readonly #rules: PathRules;
  /** How many moves were made: an entry whose `entryAt` is older may have moved. */
  #moves = 0;
  /**
   * Changes that can alter what a walk down to a folder finds (anything but an entry set
   * on a node without children): a remembered walk older than this is walked again.
   */
  #changes = 0;
  /** The folder last walked to by {@link lookup}: its key and what the walk found. */
  #lastWalk: { key: string; changes: number; moves: number; walked: Walked } | undefined;
  /** The folder node last found by {@link #node}: its key. */
  #lastDir: { key: string; moves: number; node: Node } | undefined;

  /**
   * The last path given and its normal form and key: a planner looks a path up, then sets
   * it. Updated in place (no object per path): read `shown` and `key` right after the call.
   */
  readonly #forms = { path: '', shown: '', key: '' };

  constructor(rules: PathRules) {
    this.#rules = rules;
  }

  #formsOf(path: string): { readonly shown: string; readonly key: string } {
    const last = this.#forms;
    if (last.path === path && path !== '') return last;
    const shown = normalized(path);
    last.path = path;
    last.shown = shown;
    last.key = this.#rules.key(shown);
    return last;
  }

  /** The node of `path`, made (with its ancestors) when `create`. */
  #node(path: string, create: true): Node;
  #node(path: string, create: false): Node | undefined;
  #node(path: string, create: boolean): Node | undefined {
    const { shown, key } = this.#formsOf(path);
    const cut = key.lastIndexOf(sep);
    // The parent folder from the last call when it is the same (files of one folder).
    if (sep === '/' && cut > 0 && cut < key.length - 1 && key.length === shown.length) {
      const dirKey = key.slice(0, cut);
      const last = this.#lastDir;
      let dir = last !== undefined && last.moves === this.#moves && last.key === dirKey ? last.node : undefined;
      if (dir === undefined) {
        dir = this.#descend(shown.slice(0, cut), dirKey, create);
        if (dir === undefined) return undefined;
        this.#lastDir = { key: dirKey, moves: this.#moves, node: dir };
      }
      return this.#child(dir, shown.slice(cut + 1), key.slice(cut + 1), create);
    }
    return this.#descend(shown, key, create);
  }

  /** The node at `shown` (whose key is `key`), walking from the root. */
  #descend(shown: string, key: string, create: boolean): Node | undefined {
    const names = segmentsOf(shown);
    const keys = key === shown ? names : segmentsOf(key);
    let node: Node | undefined = this.#root;
    for (let i = 0; i < keys.length && node !== undefined; i++) {
      const k = keys[i] as string;
      node = this.#child(node, names[i] ?? k, k, create);
    }
    return node;
  }

  #child(node: Node, name: string, key: string, create: boolean): Node | undefined {
    let child = this.#kids(node)?.get(key);
    if (child === undefined) {
      if (!create) return undefined;
      child = newNode(name, node);
      node.children ??= new Map();
      node.children.set(key, child);
    }
    return child;
  }

  #pathOf(node: Node): string {
    const names: string[] = [];
    for (let n: Node | undefined = node; n !== undefined && n !== this.#root; n = n.parent) names.push(n.name);
    names.reverse();
    const root = names[0] ?? '';
    if (names.length <= 1) return root;
    return (root.endsWith(sep) ? root : root + sep) + names.slice(1).join(sep);
  }

  #entryOf(node: Node): VirtualEntry | undefined {
    const entry = node.entry;
    if (entry === undefined) {
      const e = node.snapshot;
      if (e === undefined) return undefined;
      // Made on first lookup, at the node's path now (the tree may have moved since).
      const v: VirtualEntry = {
        path: this.#pathOf(node),
        type: e.type,
        size: e.size,
        mtimeMs: e.mtimeMs,
        mode: e.mode,
        entry: e,
      };
      if (e.hash !== undefined) v.hash = e.hash;
      if (e.linkText !== undefined) v.linkText = e.linkText;
      node.entry = v;
      node.snapshot = undefined;
      node.entryAt = this.#moves;
      return v;
    }
    if (node.entryAt === this.#moves) return entry;
    const path = this.#pathOf(node);
    node.entryAt = this.#moves;
    if (this.#rules.pathKey(entry.path) === this.#rules.pathKey(path)) return entry;
    node.entry = { ...entry, path };
    return node.entry;
  }

  #setAbsent(node: Node, absent: boolean): void {
    if (node.absent === absent) return;
    node.absent = absent;
    this.#changes++;
    for (let n: Node | undefined = node; n !== undefined; n = n.parent) n.absentBelow += absent ? 1 : -1;
  }

  /** Records `entry` (or a snapshot entry made into one when looked up) at `node`. */
  #record(node: Node, entry: VirtualEntry | undefined, snapshot: TreeEntry | undefined): void {
    // An entry on a node with children, or on the folder a walk was remembered at, can
    // change what a walk through it finds.
    if (node.children !== undefined || node.pending !== undefined || node === this.#lastWalk?.walked.node) {
      this.#changes++;
    }
    node.entry = entry;
    node.snapshot = snapshot;
    node.entryAt = this.#moves;
    this.#setAbsent(node, false);
  }

  set(entry: VirtualEntry): void {
    this.#record(this.#node(entry.path, true), entry, undefined);
  }

  markAbsent(path: string): void {
    const node = this.#node(path, true);
    this.#changes++;
    node.entry = undefined;
    node.snapshot = undefined;
    this.#setAbsent(node, true);
  }

  markListed(path: string): void {
    this.#changes++;
    this.#node(path, true).listed = true;
  }

  lookup(path: string): Lookup {
    const { key } = this.#formsOf(path);
    const cut = key.lastIndexOf(sep);
    let walked: Walked | undefined;
    let rest: string[];
    if (sep === '/' && cut > 0 && cut < key.length - 1) {
      // The folder's walk from the last lookup when it is the same folder, unchanged.
      const dirKey = key.slice(0, cut);
      const last = this.#lastWalk;
      if (last !== undefined && last.key === dirKey && last.changes === this.#changes && last.moves === this.#moves) {
        walked = last.walked;
      } else {
        const found = this.#walk(segmentsOf(dirKey), this.#root, undefined);
        if (found.lookup !== undefined) return { type: found.lookup, path };
        walked = found.walked;
        this.#lastWalk = { key: dirKey, changes: this.#changes, moves: this.#moves, walked };
      }
      rest = [key.slice(cut + 1)];
    } else rest = segmentsOf(key);
    const found = this.#walk(rest, walked?.node ?? this.#root, walked);
    if (found.lookup !== undefined) return { type: found.lookup, path };
    const end = found.walked as Walked;
    if (end.state === 'entry') return this.#entryOf(end.node) as VirtualEntry;
    return { type: end.state, path };
  }

  /**
   * Walks `keys` down from `node` (reached with `from`, or the root), as the recursive
   * rule does: an entry or a mark of absence answers for its own path; below an absent
   * path, a file or link, or a listed folder, a name unknown is absent.
   */
  #walk(
    keys: readonly string[],
    start: Node,
    from: Walked | undefined,
  ): { lookup: 'absent' | 'unknown'; walked?: undefined } | { lookup?: undefined; walked: Walked } {
    let node = start;
    let state: Walked['state'] = from?.state ?? 'unknown';
    let parentType = from?.type ?? ('unknown' as Lookup['type']);
    let parentListed = from?.listed ?? false;
    for (let i = 0; i < keys.length; i++) {
      const child = this.#kids(node)?.get(keys[i] as string);
      const below: 'absent' | 'unknown' =
        (i > 0 || from !== undefined) &&
        (parentType === 'absent' ||
          parentType === 'file' ||
          parentType === 'symlink' ||
          parentType === 'other' ||
          (parentType === 'directory' && parentListed))
          ? 'absent'
          : 'unknown';
      if (child === undefined) return { lookup: below };
      node = child;
      const type = typeAt(node);
      if (type !== undefined) {
        state = 'entry';
        parentType = type;
      } else if (node.absent) {
        state = 'absent';
        parentType = 'absent';
      } else {
        state = below;
        parentType = below;
      }
      parentListed = node.listed;
    }
    return { walked: { node, state, type: parentType, listed: parentListed } };
  }

  /** Records a whole tree from the snapshot under `root` (the root itself included). */
  addTree(root: string, rootType: EntryType, entries: readonly TreeEntry[]): void {
    this.set({ path: root, type: rootType, size: 0, mtimeMs: 0, mode: 0o700 });
    if (rootType !== 'directory') return;
    this.markListed(root);
    const top = this.#node(root, true);
    if (top.children === undefined && top.pending === undefined && entries.every((e) => isPlainRel(e.path))) {
      // Made into nodes when first needed (see Node.pending); a copy, so that the
      // snapshot's array is read as it is now.
      top.pending = entries.slice();
      this.#changes++;
      return;
    }
    this.#addEntries(top, root, entries);
  }

  /** A node's children, after making its pending entries into nodes. */
  #kids(node: Node): Map<string, Node> | undefined {
    const pending = node.pending;
    if (pending !== undefined) {
      node.pending = undefined;
      this.#addEntries(node, undefined, pending);
    }
    return node.children;
  }

  /**
   * Records snapshot entries below `top` (whose path is `root`; undefined when every
   * entry's path is plain names, see {@link isPlainRel}).
   */
  #addEntries(top: Node, root: string | undefined, entries: readonly TreeEntry[]): void {
    // Entries are recorded by walking their relative segments down from the root's node,
    // the folder of the previous entry reused (entries come sorted, folder by folder).
    let dirRel: string | undefined;
    let dir: Node | undefined;
    for (const entry of entries) {
      const rel = entry.path;
      const cut = rel.lastIndexOf('/');
      const name = rel.slice(cut + 1);
      const parentRel = cut < 0 ? '' : rel.slice(0, cut);
      if (parentRel !== dirRel || dir === undefined) {
        dir = top;
        for (const segment of parentRel === '' ? [] : parentRel.split('/')) {
          if (!isPlainName(segment)) {
            dir = undefined;
            break;
          }
          dir = this.#child(dir, segment, this.#rules.key(segment), true) as Node;
        }
        dirRel = parentRel;
      }
      if (dir === undefined || !isPlainName(name)) {
        // Not plain names (`..`, empty segments): through the path, as any other.
        if (root === undefined) throw new Error(`internal: ${rel} is not a plain relative path`);
        this.#addEntry(join(root, ...rel.split('/')), entry);
        dirRel = undefined;
        continue;
      }
      const node = this.#child(dir, name, this.#rules.key(name), true) as Node;
      this.#record(node, undefined, entry);
      if (entry.type === 'directory') {
        this.#changes++;
        node.listed = true;
      }
    }
  }

  #addEntry(path: string, entry: TreeEntry): void {
    const v: VirtualEntry = {
      path,
      type: entry.type,
      size: entry.size,
      mtimeMs: entry.mtimeMs,
      mode: entry.mode,
      entry,
    };
    if (entry.hash !== undefined) v.hash = entry.hash;
    if (entry.linkText !== undefined) v.linkText = entry.linkText;
    this.set(v);
    if (entry.type === 'directory') this.markListed(path);
  }

  addSnapshotTree(tree: TreeSnapshot): void {
    for (const m of tree.missing) this.markAbsent(m);
    if (tree.kind === 'directory') this.addTree(tree.path, 'directory', tree.entries);
    else if (tree.kind === 'missing') this.markAbsent(tree.path);
    else if (tree.kind === 'not-a-directory')
      this.set({ path: tree.path, type: 'other', size: 0, mtimeMs: 0, mode: 0 });
    else if (tree.kind === 'dangling-symlink')
      this.set({ path: tree.path, type: 'symlink', size: 0, mtimeMs: 0, mode: 0, linkText: '' });
  }

  /** Moves `from` and everything known under it to `to` (marks of absence stay where they are). */
  move(from: string, to: string): void {
    const source = this.#node(from, false);
    if (source !== undefined && source !== this.#root) {
      // Marks of absence stay at their old paths: taken out of the moved subtree first.
      const marks: string[] = [];
      if (source.absentBelow > 0) {
        const stack = [source];
        for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
          if (n.absent) {
            marks.push(this.#pathOf(n));
            this.#setAbsent(n, false);
          }
          for (const c of n.children?.values() ?? []) if (c.absentBelow > 0) stack.push(c);
        }
      }
      // Entry paths are brought up to date before the node leaves (its path changes).
      this.#moves++;
      source.parent?.children?.delete(segmentsOf(this.#rules.pathKey(from)).at(-1) as string);
      const target = this.#node(to, true);
      this.#merge(source, target);
      for (const m of marks) this.markAbsent(m);
    }
    this.markAbsent(from);
  }

  /** Puts what `source` (detached) holds at `target`, replacing entries there, keeping the rest. */
  #merge(source: Node, target: Node): void {
    if (typeAt(source) !== undefined) {
      target.entry = source.entry;
      target.snapshot = source.snapshot;
      target.entryAt = -1; // its path is the source's: refreshed when looked up
      this.#setAbsent(target, false);
    }
    if (source.listed) target.listed = true;
    if (source.pending !== undefined) {
      // Entries not made yet go as they are where nothing is known; else made, and merged.
      if (target.children === undefined && target.pending === undefined) {
        target.pending = source.pending;
        source.pending = undefined;
        this.#changes++;
        return;
      }
      this.#kids(source);
    }
    if (source.children === undefined) return;
    // Entries not made yet at the target are made first, so that the source's go among
    // them (and replace theirs), as they would had they been made from the start.
    this.#kids(target);
    for (const [k, child] of source.children) {
      const there = target.children?.get(k);
      if (there === undefined) {
        // Nothing known there: the whole subtree moves as it is.
        child.parent = target;
        target.children ??= new Map();
        target.children.set(k, child);
        if (child.absentBelow > 0) {
          for (let n: Node | undefined = target; n !== undefined; n = n.parent) n.absentBelow += child.absentBelow;
        }
      } else this.#merge(child, there);
    }
  }
}

type Draft<T> = T extends Operation ? Omit<T, 'id'> : never;

/** Collects operations, conflicts and warnings; numbers operations; updates the virtual tree. */
export class PlanBuilder {
  readonly snapshot: Snapshot;
  /** How paths compare: the snapshot's rule, recorded in the plan. */
  readonly rules: PathRules;
  readonly state: VirtualTree;
  readonly operations: Operation[] = [];
  readonly conflicts: Conflict[] = [];
  readonly warnings: Warning[] = [];
  readonly nowMs: number;
  readonly #conflictKeys = new Set<string>();
  readonly #warningKeys = new Set<string>();
  /** Accounts the plan is about (real paths), in snapshot order. */
  readonly accounts: string[];

  constructor(snapshot: Snapshot, context: PlanContext) {
    this.snapshot = snapshot;
    this.rules = pathRulesFor(snapshot.caseInsensitive);
    this.state = new VirtualTree(this.rules);
    this.nowMs = typeof context.now === 'number' ? context.now : context.now.getTime();
    if (!Number.isFinite(this.nowMs) || typeof context.id !== 'string' || context.id === '') {
      throw new SharedSessionsError(
        ErrorCodes.INVALID_OPTION,
        'A planner needs an id (a non-empty string) and now (ms since the epoch or a valid Date).',
      );
    }
    this.accounts = snapshot.accounts.filter((a) => a.exists).map((a) => a.realPath);
    for (const tree of Object.values(snapshot.shared)) this.state.addSnapshotTree(tree);
    this.state.addSnapshotTree(snapshot.conflicts);
    for (const account of snapshot.accounts) {
      if (!account.exists) continue;
      this.state.set({ path: account.realPath, type: 'directory', size: 0, mtimeMs: 0, mode: 0o700 });
      this.state.markListed(account.realPath);
      for (const name of account.names) {
        this.state.set({ path: join(account.realPath, name), type: 'other', size: 0, mtimeMs: 0, mode: 0 });
      }
      for (const folder of Object.values(account.folders)) {
        switch (folder.kind) {
          case 'directory':
            this.state.addTree(folder.path, 'directory', folder.entries);
            break;
          case 'missing':
            this.state.markAbsent(folder.path);
            break;
          case 'linked':
          case 'symlink-elsewhere':
          case 'dangling-symlink':
            this.state.set({
              path: folder.path,
              type: 'symlink',
              size: 0,
              mtimeMs: 0,
              mode: 0,
              linkText: folder.linkText ?? '',
            });
            break;
          default:
            this.state.set({ path: folder.path, type: 'other', size: 0, mtimeMs: 0, mode: 0 });
        }
      }
      for (const b of account.backups) {
        if (b.type === 'directory' && b.entries) this.state.addTree(b.path, 'directory', b.entries);
        else this.state.set({ path: b.path, type: b.type, size: 0, mtimeMs: 0, mode: 0 });
      }
      const s = account.settings;
      if (s.type === 'missing') this.state.markAbsent(s.path);
      else {
        const v: VirtualEntry = {
          path: s.path,
          type: s.type === 'unreadable' ? 'other' : s.type,
          size: s.size ?? 0,
          mtimeMs: s.mtimeMs ?? 0,
          mode: s.mode ?? 0o600,
        };
        if (s.hash !== undefined) v.hash = s.hash;
        this.state.set(v);
      }
    }
  }

  /** Adds an operation (numbered `op-0001`, ...) and applies it to the virtual tree. */
  add<T extends Draft<Operation>>(draft: T): T & { id: string } {
    const op = { id: this.nextId(), ...draft } as unknown as Operation;
    this.operations.push(op);
    this.#apply(op);
    return op as unknown as T & { id: string };
  }

  /** The id {@link add} gives the next operation. */
  nextId(): string {
    return `op-${String(this.operations.length + 1).padStart(4, '0')}`;
  }

  /**
   * {@link add} for an operation already numbered with {@link nextId} (the hot paths build
   * it whole instead of a draft that `add` copies).
   */
  push<T extends Operation>(op: T): T {
    this.operations.push(op);
    this.#apply(op);
    return op;
  }

  #apply(op: Operation): void {
    specOf(op).effect(op, this.#effects);
  }

  /** The virtual tree, as the operation table's effects see it. */
  readonly #effects: TreeEffects = {
    dir: (path, mode) => {
      this.state.set({ path, type: 'directory', size: 0, mtimeMs: 0, mode });
      this.state.markListed(path);
    },
    file: (path, file) => {
      const v: VirtualEntry = { path, type: 'file', size: file.size, mtimeMs: file.mtimeMs, mode: file.mode ?? 0o600 };
      if (file.hash !== undefined) v.hash = file.hash;
      this.state.set(v);
    },
    link: (path, text) => this.state.set({ path, type: 'symlink', size: 0, mtimeMs: 0, mode: 0o777, linkText: text }),
    absent: (path) => this.state.markAbsent(path),
    move: (from, to) => this.state.move(from, to),
  };

  /**
   * Makes sure `path` is a folder by the time the next operation runs, adding `mkdir`s
   * for it and its missing ancestors (outermost first). False when something that is not
   * a folder is in the way.
   */
  ensureDir(path: string, mode = 0o700, account?: string, reason: 'parent' | 'new' = 'parent'): boolean {
    const found = this.state.lookup(path);
    if (found.type === 'directory' || found.type === 'unknown') return true;
    if (found.type !== 'absent') return false;
    const parent = dirname(path);
    if (parent !== path && !this.ensureDir(parent, 0o700, account)) return false;
    this.add({
      type: 'mkdir',
      reason,
      path,
      mode,
      expect: { type: 'absent' },
      ...(account === undefined ? {} : { account }),
    });
    return true;
  }

  /** The state a `copyFile`/`forkSession`/`rename` expects at a file it reads or moves. */
  expectFile(v: VirtualEntry | TreeEntry): Extract<ExpectedState, { type: 'file' }> {
    const e: Extract<ExpectedState, { type: 'file' }> = {
      type: 'file',
      size: v.size,
      mtimeMs: v.mtimeMs,
      mode: v.mode,
    };
    if (v.hash !== undefined) e.hash = v.hash;
    return e;
  }

  conflict(conflict: Conflict): void {
    const key = `${conflict.code}\0${conflict.paths.join('\0')}`;
    if (this.#conflictKeys.has(key)) return;
    this.#conflictKeys.add(key);
    this.conflicts.push(conflict);
  }

  warn(code: WarningCode, message: string, path?: string): void {
    const key = `${code}\0${path ?? ''}\0${message}`;
    if (this.#warningKeys.has(key)) return;
    this.#warningKeys.add(key);
    this.warnings.push(path === undefined ? { code, message } : { code, message, path });
  }

  /** Warnings every plan carries about its accounts: missing, running, unreadable bits. */
  noteAccounts(): void {
    for (const account of this.snapshot.accounts) {
      if (!account.exists) {
        // Say why: "does not exist" would mislead about a folder that is only unreadable.
        const why = account.problems.find((p) => p.path === account.path && p.code !== 'ENOTFOUND_ACCOUNT');
        this.warn(
          'account-missing',
          why === undefined
            ? `${account.path} does not exist or is not a folder; the plan leaves it out. Check the account list.`
            : `${account.path} is left out of the plan: ${why.message}`,
          account.path,
        );
        for (const problem of account.problems) {
          if (problem === why || problem.code === 'ENOTFOUND_ACCOUNT') continue;
          this.warn(problem.code, problem.message, problem.path);
        }
        continue;
      }
      if (account.runningPids.length > 0) {
        this.warn(
          'claude-running',
          `Claude Code is running with ${account.path} (pid ${account.runningPids.join(', ')}). Quit it before applying: a session written during the apply can lose its newest lines.`,
          account.path,
        );
      }
      for (const problem of account.problems) {
        // Settings problems matter only to a share, whose cleanup step reports them itself.
        if (problem.code === 'ENOTFOUND_ACCOUNT' || problem.code.startsWith('ESETTINGS')) continue;
        this.warn(problem.code, problem.message, problem.path);
      }
    }
  }

  /** Assembles the plan: roots, fingerprint, version. */
  finish(kind: PlanKind, context: PlanContext): Plan {
    return {
      version: PLAN_VERSION,
      kind,
      id: context.id,
      createdAt: new Date(this.nowMs).toISOString(),
      roots: planRoots(this.snapshot),
      accounts: this.accounts,
      sharedDirs: Object.fromEntries(this.snapshot.folders.map((f) => [f, this.snapshot.shared[f]?.path ?? ''])),
      conflictsDir: this.snapshot.conflicts.path,
      fingerprint: fingerprintSnapshot(this.snapshot),
      caseInsensitive: this.rules.caseInsensitive,
      operations: this.operations,
      conflicts: this.conflicts,
      warnings: this.warnings,
    };
  }
}

/**
 * Refuses to plan writes into a shared folder that others could write to or that belongs
 * to someone else (what `inspect` found in `snapshot.unsafe`): every account would resume
 * whatever they put there.
 */
export function assertSafeShared(snapshot: Snapshot, what: string): void {
  const unsafe = snapshot.unsafe ?? [];
  if (unsafe.length === 0) return;
  throw new SharedSessionsError(
    ErrorCodes.UNSAFE_SHARED,
    `Refusing to ${what}: the shared folder is not safe.\n${unsafe.map((u) => `  ${u.reason}`).join('\n')}`,
    { path: unsafe[0]?.path, details: unsafe },
  );
}

/**
 * The folders a plan may touch under: each account's config dir (real path), the parent
 * of each shared folder (or the outermost folder the plan must create above it), and the
 * conflicts folder (likewise). Nested roots are folded into their ancestor; sorted.
 */
export function planRoots(snapshot: Snapshot): string[] {
  const { isInside } = pathRulesFor(snapshot.caseInsensitive);
  const candidates: string[] = [];
  for (const a of snapshot.accounts) if (a.exists) candidates.push(a.realPath);
  const treeRoot = (tree: TreeSnapshot, parent: boolean) => {
    const base = parent ? dirname(tree.path) : tree.path;
    const outer = tree.missing[0];
    return outer !== undefined && isInside(outer, base) ? outer : base;
  };
  for (const tree of Object.values(snapshot.shared)) candidates.push(treeRoot(tree, true));
  candidates.push(treeRoot(snapshot.conflicts, false));
  const sorted = [...new Set(candidates)].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const roots: string[] = [];
  for (const c of sorted) if (!roots.some((r) => isInside(r, c))) roots.push(c);
  return roots.sort();
}
