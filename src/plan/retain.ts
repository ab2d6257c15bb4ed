import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { RetainFile, RetainState } from '../doctor/retained.js';
import { ErrorCodes, SharedSessionsError } from '../errors.js';
import { defaultConflictsDir } from '../layout/config-dir.js';
import {
  type HardLinkOperation,
  type MkdirOperation,
  type Operation,
  PLAN_VERSION,
  type Plan,
  type RemoveDirOperation,
  type RemoveFileOperation,
} from './types.js';

/**
 * Shared folders whose files are not retained: Claude Code's cleanup leaves them alone
 * (checked with the real CLI 2.1.332, `scripts/real-cli/cleanup-folders.sh`), and it
 * rewrites their files in place.
 */
export const NOT_RETAINED_FOLDERS: readonly string[] = ['memory'];

/** What a retain plan covers, counted. */
export interface RetainSummary {
  /** Shared files with no retained link yet. */
  unretained: string[];
  /** Retained files whose shared file is gone: deleted since (Claude Code's cleanup, or by hand). */
  deleted: string[];
  /** Shared files whose retained link is another file (rewritten in place of the old one). */
  replaced: string[];
}

/** The paths of {@link RetainState}'s lists, sorted. */
export function summariseRetain(state: RetainState): RetainSummary {
  return {
    unretained: Object.keys(state.unretained).sort(),
    deleted: Object.keys(state.deleted).sort(),
    replaced: [...state.replaced].sort(),
  };
}

export interface RetainPlanOptions {
  /** Given to the planner (never random inside it). */
  id: string;
  /** ms since the epoch, or a Date. */
  now: number | Date;
  /**
   * Bring back, from their retained links, the shared files deleted since they were
   * retained (same inode: same bytes and mtime).
   * @default false
   */
  recover?: boolean;
  /**
   * Let go of the retained links whose shared file is gone (deleted on purpose), which
   * releases the space they hold. Not with `recover`.
   * @default false
   */
  prune?: boolean;
  /**
   * Whether paths compare without case, recorded in the plan (`plan.caseInsensitive`);
   * the `retain` verb gives this host's rule. Left out, the plan carries none and is
   * checked and applied with the rule of the host that applies it.
   */
  caseInsensitive?: boolean;
}

/**
 * Plans the retained links of a shared folder, or of several beside each other (one
 * state each: `projects` and the folders shared with it, never `memory`, which Claude
 * Code's cleanup leaves alone): a hard link in `retainedDirOf(sharedDir)`
 * for every shared file that has none, and, with `recover`, a hard link back into the
 * shared folder for every retained file whose shared name is gone. Pure, and it looks at
 * nothing but the differences `readRetainState` listed (a state with nothing to do gives
 * an empty plan at once). The missing folders come first, shallowest first, so that the
 * executor makes each level in one batch and then every link in one batch, at once. Each
 * operation states what it expects of the disk (the source file, the destination
 * absent), which the executor checks; there is no fingerprint of the whole state. The
 * plan is applied by `applyPlan` like any other (journaled, undoable).
 *
 * @example
 * const state = await readRetainState(fs, sharedDir);
 * const plan = planRetain(state, { id: 'r1', now: Date.now(), recover: true });
 */
export function planRetain(input: RetainState | readonly RetainState[], options: RetainPlanOptions): Plan {
  if (options.recover && options.prune) {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      'recover and prune contradict each other: recover brings the deleted shared files back, prune lets their retained links go. Choose one.',
    );
  }
  const states: readonly RetainState[] = Array.isArray(input)
    ? (input as readonly RetainState[])
    : [input as RetainState];
  const first = states[0];
  if (first === undefined)
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      'planRetain needs the state of at least one shared folder.',
    );
  const parent = dirname(first.sharedDir);
  for (const state of states) {
    if (dirname(state.sharedDir) !== parent) {
      throw new SharedSessionsError(
        ErrorCodes.INVALID_OPTION,
        `The shared folders of one retain plan must be beside each other: ${state.sharedDir} is not in ${parent}.`,
      );
    }
  }
  const links: HardLinkOperation[] = [];
  const removals: RemoveFileOperation[] = [];
  const emptied: RemoveDirOperation[] = [];
  const folders: { path: string; depth: number }[] = [];
  const replaced: string[] = [];
  let counted = 0;
  const missingParents = (root: string, known: string[], depth0: number) => {
    const have = new Set(known);
    return (rel: string) => {
      const parts = rel.split('/');
      parts.pop();
      for (let i = 0; i <= parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (have.has(d)) continue;
        have.add(d);
        folders.push({ path: d === '' ? root : join(root, d), depth: depth0 + i });
      }
    };
  };
  const link = (reason: 'retain' | 'recover', from: string, to: string, file: RetainFile) => {
    links.push({
      id: '',
      type: 'hardLink',
      reason,
      from,
      to,
      expectFrom: { type: 'file', size: file.size, mtimeMs: file.mtimeMs, mode: file.mode },
      expectTo: { type: 'absent' },
    });
  };

  let topPlanned = false;
  for (const state of states) {
    const summary = summariseRetain(state);
    counted += summary.unretained.length + (options.recover || options.prune ? summary.deleted.length : 0);
    replaced.push(...summary.replaced.map((rel) => join(basename(state.sharedDir), rel)));
    if (summary.unretained.length > 0) {
      if (!state.retainedTopExists && !topPlanned) {
        folders.push({ path: dirname(state.retainedDir), depth: 0 });
        topPlanned = true;
      }
      const parents = missingParents(state.retainedDir, state.retainedTopExists ? state.retainedDirs : [], 1);
      for (const rel of summary.unretained) {
        parents(rel);
        link('retain', join(state.sharedDir, rel), join(state.retainedDir, rel), state.unretained[rel] as RetainFile);
      }
    }
    if (options.recover) {
      const parents = missingParents(state.sharedDir, state.sharedDirs, 1);
      for (const rel of summary.deleted) {
        parents(rel);
        link('recover', join(state.retainedDir, rel), join(state.sharedDir, rel), state.deleted[rel] as RetainFile);
      }
    }
    if (options.prune) {
      for (const rel of summary.deleted) {
        const file = state.deleted[rel] as RetainFile;
        removals.push({
          id: '',
          type: 'removeFile',
          reason: 'prune',
          path: join(state.retainedDir, rel),
          expect: { type: 'file', size: file.size, mtimeMs: file.mtimeMs, mode: file.mode },
        });
      }
      emptied.push(...emptiedFolders(state, summary.deleted));
    }
  }

  // Shallowest folders first (a stable sort keeps the order among equals): each level is
  // one batch of the executor, and the links after them one more.
  folders.sort((a, b) => a.depth - b.depth);
  const operations: Operation[] = [];
  const nextId = () => `op-${String(operations.length + 1).padStart(4, '0')}`;
  for (const f of folders) {
    const op: MkdirOperation = {
      id: nextId(),
      type: 'mkdir',
      reason: 'parent',
      path: f.path,
      mode: 0o700,
      expect: { type: 'absent' },
    };
    operations.push(op);
  }
  for (const l of links) operations.push({ ...l, id: nextId() });
  for (const r of removals) operations.push({ ...r, id: nextId() });
  for (const d of emptied) operations.push({ ...d, id: nextId() });

  return {
    version: PLAN_VERSION,
    kind: 'fix',
    id: options.id,
    createdAt: new Date(options.now).toISOString(),
    roots: [parent],
    accounts: [],
    sharedDirs: Object.fromEntries(states.map((st) => [basename(st.sharedDir), st.sharedDir])),
    conflictsDir: defaultConflictsDir(first.sharedDir),
    ...(options.caseInsensitive === undefined ? {} : { caseInsensitive: options.caseInsensitive }),
    // Every operation carries its own expectations; this only names what was planned.
    fingerprint: createHash('sha256')
      .update(`retain\0${states.map((st) => st.sharedDir).join('\0')}\0${counted}`)
      .digest('hex'),
    operations,
    conflicts: [],
    warnings: replaced.length
      ? [
          {
            code: 'retained-replaced',
            message: `${replaced.length} shared file(s) were replaced by a new file since they were retained (e.g. ${replaced[0]}); their retained link keeps the older version and is left as it is.`,
          },
        ]
      : [],
  };
}

/** The parent of a relative path (`''` for the top). */
function parentRel(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

/**
 * The retained folders that pruning `pruned` leaves empty, deepest first (then by name): a folder whose
 * entries (as the reader counted them, whatever they are) are all pruned files or folders
 * emptied the same way. Never the retained folder itself, and nothing when the state has
 * no counts.
 */
function emptiedFolders(state: RetainState, pruned: readonly string[]): RemoveDirOperation[] {
  const entries = state.retainedEntries;
  if (entries === undefined || pruned.length === 0) return [];
  const removed = new Map<string, number>();
  // Folders by depth (`a/b` is 2): a folder's subfolders are all counted before it is.
  const byDepth: string[][] = [];
  const count = (dir: string) => {
    const n = removed.get(dir);
    removed.set(dir, (n ?? 0) + 1);
    if (n !== undefined || dir === '') return;
    const depth = dir.split('/').length;
    for (let d = byDepth.length; d <= depth; d++) byDepth.push([]);
    byDepth[depth]?.push(dir);
  };
  for (const rel of pruned) count(parentRel(rel));
  const out: RemoveDirOperation[] = [];
  for (let depth = byDepth.length - 1; depth >= 1; depth--) {
    for (const dir of (byDepth[depth] ?? []).sort()) {
      if (entries[dir] === undefined || removed.get(dir) !== entries[dir]) continue;
      out.push({
        id: '',
        type: 'removeDir',
        reason: 'prune',
        path: join(state.retainedDir, dir),
        expect: { type: 'directory' },
      });
      count(parentRel(dir));
    }
  }
  return out;
}
