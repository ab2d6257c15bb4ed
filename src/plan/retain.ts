import { basename, dirname, join } from 'node:path';
import { fingerprintSnapshot } from './fingerprint.js';
import { type HardLinkOperation, type MkdirOperation, type Operation, PLAN_VERSION, type Plan } from './types.js';

/** Name of the folder, beside the shared folders, that holds their retained links. */
export const RETAINED_DIR = '.retained';

/**
 * Where the retained links of a shared folder live: `<shared parent>/.retained/<name>`,
 * outside `projects/` (Claude Code's cleanup never looks there) and on the same filesystem
 * as the shared folder (a hard link cannot cross devices).
 *
 * @example
 * retainedDirOf('/h/.claude-shared/projects') // '/h/.claude-shared/.retained/projects'
 */
export function retainedDirOf(sharedDir: string): string {
  return join(dirname(sharedDir), RETAINED_DIR, basename(sharedDir));
}

/** A regular file as the retain planner needs it. */
export interface RetainFile {
  size: number;
  mtimeMs: number;
  mode: number;
  ino: number;
  dev: number;
}

/** What `readRetainState` found: the shared folder's files and the retained ones, by relative path. */
export interface RetainState {
  sharedDir: string;
  retainedDir: string;
  /** Relative path (with `/` or the platform separator) -> the file in the shared folder. */
  shared: Record<string, RetainFile>;
  /** Relative path -> the retained link. */
  retained: Record<string, RetainFile>;
  /** Folders (relative, `''` for the top) that exist under each. */
  sharedDirs: string[];
  retainedDirs: string[];
  /** Whether `<shared parent>/.retained` exists. */
  retainedTopExists: boolean;
}

/** What a retain plan covers, counted. */
export interface RetainSummary {
  /** Shared files with no retained link yet. */
  unretained: string[];
  /** Retained files whose shared file is gone: deleted since (Claude Code's cleanup, or by hand). */
  deleted: string[];
  /** Shared files whose retained link is another file (rewritten in place of the old one). */
  replaced: string[];
}

export function summariseRetain(state: RetainState): RetainSummary {
  const summary: RetainSummary = { unretained: [], deleted: [], replaced: [] };
  for (const [rel, file] of Object.entries(state.shared)) {
    const kept = state.retained[rel];
    if (!kept) summary.unretained.push(rel);
    else if (kept.ino !== file.ino || kept.dev !== file.dev) summary.replaced.push(rel);
  }
  for (const rel of Object.keys(state.retained)) if (!state.shared[rel]) summary.deleted.push(rel);
  for (const list of Object.values(summary)) list.sort();
  return summary;
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
}

/**
 * Plans the retained links of a shared folder: a hard link in `retainedDirOf(sharedDir)`
 * for every shared file that has none, and, with `recover`, a hard link back into the
 * shared folder for every retained file whose shared name is gone. Pure: the state is read
 * by `readRetainState`. The plan is applied by `applyPlan` like any other (journaled,
 * undoable).
 *
 * @example
 * const state = await readRetainState(fs, sharedDir);
 * const plan = planRetain(state, { id: 'r1', now: Date.now(), recover: true });
 */
export function planRetain(state: RetainState, options: RetainPlanOptions): Plan {
  const summary = summariseRetain(state);
  const operations: Operation[] = [];
  const nextId = () => `op-${String(operations.length + 1).padStart(4, '0')}`;
  const dirsUnder = (root: string, known: string[]) => {
    const have = new Set(known);
    return (rel: string) => {
      const parts = dirname(rel)
        .split(/[\\/]/)
        .filter((p) => p !== '' && p !== '.');
      const missing: string[] = [];
      for (let i = 0; i <= parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (!have.has(d)) {
          have.add(d);
          missing.push(d);
        }
      }
      for (const d of missing) {
        const op: MkdirOperation = {
          id: nextId(),
          type: 'mkdir',
          reason: 'parent',
          path: d === '' ? root : join(root, d),
          mode: 0o700,
          expect: { type: 'absent' },
        };
        operations.push(op);
      }
    };
  };
  const link = (reason: 'retain' | 'recover', from: string, to: string, file: RetainFile) => {
    const op: HardLinkOperation = {
      id: nextId(),
      type: 'hardLink',
      reason,
      from,
      to,
      expectFrom: { type: 'file', size: file.size, mtimeMs: file.mtimeMs, mode: file.mode },
      expectTo: { type: 'absent' },
    };
    operations.push(op);
  };

  const retainedParents = dirsUnder(state.retainedDir, state.retainedDirs);
  const retainedTop = dirname(state.retainedDir);
  let topMade = state.retainedTopExists;
  for (const rel of summary.unretained) {
    const file = state.shared[rel] as RetainFile;
    if (!topMade) {
      operations.push({
        id: nextId(),
        type: 'mkdir',
        reason: 'parent',
        path: retainedTop,
        mode: 0o700,
        expect: { type: 'absent' },
      });
      topMade = true;
    }
    retainedParents(rel);
    link('retain', join(state.sharedDir, rel), join(state.retainedDir, rel), file);
  }
  if (options.recover) {
    const sharedParents = dirsUnder(state.sharedDir, state.sharedDirs);
    for (const rel of summary.deleted) {
      sharedParents(rel);
      link('recover', join(state.retainedDir, rel), join(state.sharedDir, rel), state.retained[rel] as RetainFile);
    }
  }

  const parent = dirname(state.sharedDir);
  return {
    version: PLAN_VERSION,
    kind: 'fix',
    id: options.id,
    createdAt: new Date(options.now).toISOString(),
    roots: [parent],
    accounts: [],
    sharedDirs: { [basename(state.sharedDir)]: state.sharedDir },
    conflictsDir: join(parent, 'conflicts'),
    fingerprint: fingerprintSnapshot(state as never),
    operations,
    conflicts: [],
    warnings: summary.replaced.length
      ? [
          {
            code: 'retained-replaced',
            message: `${summary.replaced.length} shared file(s) were replaced by a new file since they were retained (e.g. ${summary.replaced[0]}); their retained link keeps the older version and is left as it is.`,
          },
        ]
      : [],
  };
}
