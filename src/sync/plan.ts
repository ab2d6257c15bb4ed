/**
 * Plans the sync set-up and repairs as ordinary plan operations (journaled, undoable,
 * precondition-checked by the executor), appended to a share or fix plan. Pure: the
 * snapshot comes from {@link inspectSync}.
 */

import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { WarningCode } from '../codes.js';
import { pathsOf } from '../operations/table.js';
import {
  type Conflict,
  type ExpectedState,
  type Operation,
  PLAN_VERSION,
  type Plan,
  type Warning,
} from '../plan/types.js';
import type { FileState, Fold, MachineRecord, SyncSnapshot } from './inspect.js';
import {
  LOCAL_DIR,
  localBackupsDir,
  MACHINES_DIR,
  machineRecordPath,
  pathMapsPath,
  projectsRootError,
  STIGNORE,
  STIGNORE_LOCAL,
  stignoreLocalText,
  stignoreText,
} from './layout.js';

export interface SyncPlanOptions {
  nowMs: number;
  /** Write the engine's ignore files (Syncthing detected), the path maps and this machine's record. */
  setup: boolean;
  /** Add alias links (and merge folders) for the path maps. */
  aliases: boolean;
  /** Fold the engine's conflict copies back. */
  fold: boolean;
  /** This machine's record, to write when it changed (besides `lastSeen`). */
  machineRecord?: MachineRecord;
}

type Draft = Operation extends infer O ? (O extends Operation ? Omit<O, 'id'> : never) : never;

function expectFile(s: FileState): Extract<ExpectedState, { type: 'file' }> {
  const e: Extract<ExpectedState, { type: 'file' }> = { type: 'file', size: s.size, mtimeMs: s.mtimeMs, mode: s.mode };
  if (s.hash !== undefined) e.hash = s.hash;
  return e;
}

function stamp(nowMs: number): string {
  return String(Math.floor(nowMs / 1000));
}

/** The record without `lastSeen`, for deciding whether it changed. */
function recordKey(r: MachineRecord | undefined): string {
  if (!r) return '';
  const { lastSeen: _ignored, ...rest } = r;
  return JSON.stringify(rest);
}

export function machineRecordText(r: MachineRecord): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/**
 * A plan with no operation for a shared folder: the base `doctor --fix` extends when
 * nothing else needs fixing.
 */
export function emptyPlan(id: string, nowMs: number, sharedDir: string, conflictsDir: string): Plan {
  const root = dirname(sharedDir);
  return {
    version: PLAN_VERSION,
    kind: 'fix',
    id,
    createdAt: new Date(nowMs).toISOString(),
    roots: conflictsDir.startsWith(root) ? [root] : [root, conflictsDir].sort(),
    accounts: [],
    sharedDirs: { projects: sharedDir },
    conflictsDir,
    fingerprint: createHash('sha256').update(`sync:${sharedDir}`).digest('hex'),
    operations: [],
    conflicts: [],
    warnings: [],
  };
}

// Long on purpose: the fold planner's helpers (ensureDir, move, foldOne) are closures
// over the drafts, the folders made and the paths touched so far, in plan order.
/**
 * Appends the sync operations to `base`: the `.stignore` (and an empty `.stignore-local`)
 * when Syncthing's marker is in the synced root, the machine-local path maps, this
 * machine's record in the registry, alias links for mapped project folders (merging two
 * real folders of one project into the one with the smaller name, which every machine
 * picks alike), and the folding of conflict copies: a copy that is a byte prefix of its
 * original (or equal) goes to the conflicts folder; a longer copy replaces the original,
 * which goes there; a diverged transcript is forked under a new session id (so both are
 * resumable) and then moved to the conflicts folder. Nothing is deleted.
 *
 * @throws SharedSessionsError `ESYNC_LAYOUT` when Syncthing's root is `projects/` itself.
 */
export function extendPlan(base: Plan, snap: SyncSnapshot, options: SyncPlanOptions): Plan {
  if (snap.projectsIsRoot) throw projectsRootError(snap.sharedDir);
  const drafts: Draft[] = [];
  const conflicts: Conflict[] = [];
  const warnings: Warning[] = [];
  const warn = (code: WarningCode, message: string, path?: string) =>
    warnings.push(path === undefined ? { code, message } : { code, message, path });
  const made = new Set<string>();
  const known = new Set<string>(snap.existingDirs);
  const touched = new Set<string>();
  for (const op of base.operations) {
    if (op.type === 'mkdir') made.add(op.path);
    for (const p of pathsOf(op)) touched.add(p);
  }
  const ensureDir = (dir: string) => {
    const chain: string[] = [];
    let d = dir;
    while (!known.has(d) && !made.has(d) && d !== snap.root && d !== snap.sharedDir && dirname(d) !== d) {
      chain.unshift(d);
      d = dirname(d);
    }
    for (const c of chain) {
      drafts.push({ type: 'mkdir', reason: 'parent', path: c, mode: 0o700, expect: { type: 'absent' } });
      made.add(c);
    }
  };
  const writeSmall = (path: string, content: string, current: FileState, backupTo: string, mode = 0o600) => {
    if (current.type === 'missing') {
      ensureDir(dirname(path));
      drafts.push({ type: 'writeFile', reason: 'sync-setup', path, content, mode, expect: { type: 'absent' } });
    } else if (current.type === 'file') {
      if (current.text === content) return;
      ensureDir(dirname(backupTo));
      drafts.push({
        type: 'writeFile',
        reason: 'sync-setup',
        path,
        content,
        mode: current.mode || mode,
        expect: expectFile(current),
        backupTo,
      });
    } else {
      warn('sync-file-in-the-way', `${path} is not a regular file; it is left alone and not written.`, path);
    }
  };

  if (options.setup) {
    if (snap.engine === 'syncthing') {
      const st = snap.stignore;
      if (st.type === 'file' && st.text !== stignoreText()) {
        warn(
          'stignore-replaced',
          `${st.path} differs from the one this tool writes; it is replaced and the old one kept as ${join(snap.root, `${STIGNORE}.bak.${stamp(options.nowMs)}`)}. Put your own patterns in ${join(snap.root, STIGNORE_LOCAL)}, which the new one includes.`,
          st.path,
        );
      }
      writeSmall(st.path, stignoreText(), st, join(snap.root, `${STIGNORE}.bak.${stamp(options.nowMs)}`), 0o644);
      if (snap.stignoreLocal.type === 'missing') {
        writeSmall(snap.stignoreLocal.path, stignoreLocalText(), snap.stignoreLocal, '', 0o644);
      }
    }
    const same =
      snap.maps.length === snap.storedMaps.length &&
      snap.maps.every((m, i) => m.from === snap.storedMaps[i]?.from && m.to === snap.storedMaps[i]?.to);
    if (!same) {
      writeSmall(
        pathMapsPath(snap.root),
        `${JSON.stringify({ version: 1, maps: snap.maps }, null, 2)}\n`,
        snap.pathMapsFile,
        join(localBackupsDir(snap.root), `path-maps.json.${stamp(options.nowMs)}`),
      );
    }
    const r = options.machineRecord;
    if (r && (snap.machineFile.type !== 'file' || recordKey(r) !== recordKey(parseRecord(snap.machineFile.text)))) {
      if (snap.machinesDir.type === 'directory') known.add(snap.machinesDir.path);
      writeSmall(
        machineRecordPath(snap.root, snap.machine),
        machineRecordText(r),
        snap.machineFile,
        join(localBackupsDir(snap.root), `${snap.machine}.json.${stamp(options.nowMs)}`),
        0o644,
      );
    }
  }

  const replaced = new Set<string>();
  const foldOne = (f: Fold): void => {
    if (f.busy !== undefined) {
      warn(
        'sync-busy',
        `${f.busy}; ${f.copy.path} is left for now. Wait until Syncthing is in sync and run doctor --fix again.`,
        f.copy.path,
      );
      return;
    }
    let relation = f.relation;
    if (replaced.has(f.original.path) && (relation === 'original-prefix' || relation === 'original-missing')) {
      relation = 'diverged';
    }
    const sid = f.sessionId === undefined ? {} : { sessionId: f.sessionId };
    const aside = () => {
      ensureDir(dirname(f.aside));
      return f.aside;
    };
    /** Moves a copy of the session (the conflict copy or the original) to `to`. */
    const move = (reason: 'new' | 'superseded' | 'longer', from: typeof f.copy, to: string) =>
      drafts.push({
        type: 'rename',
        reason,
        from: from.path,
        to,
        expectFrom: expectFile(from),
        expectTo: { type: 'absent' },
        ...sid,
      });
    switch (relation) {
      case 'original-missing':
        move('new', f.copy, f.original.path);
        replaced.add(f.original.path);
        return;
      case 'identical':
      case 'copy-prefix':
        move('superseded', f.copy, aside());
        return;
      case 'original-prefix':
        ensureDir(dirname(f.originalAside));
        move('superseded', f.original, f.originalAside);
        move('longer', f.copy, f.original.path);
        replaced.add(f.original.path);
        return;
      case 'diverged': {
        const kept: string[] = [];
        if (f.fork && f.sessionId !== undefined) {
          if (f.fork.state.type === 'missing') {
            drafts.push({
              type: 'forkSession',
              reason: 'fork',
              from: f.copy.path,
              to: f.fork.path,
              oldSessionId: f.sessionId,
              newSessionId: f.fork.id,
              expectFrom: expectFile(f.copy),
              expectTo: { type: 'absent' },
              sessionId: f.sessionId,
            });
          }
          kept.push(f.fork.path);
        }
        const to = aside();
        drafts.push({
          type: 'rename',
          reason: 'conflict-kept',
          from: f.copy.path,
          to,
          expectFrom: expectFile(f.copy),
          expectTo: { type: 'absent' },
          ...sid,
        });
        kept.push(to);
        const conflict: Conflict = {
          code: 'diverged',
          message: f.fork
            ? `${f.copy.path} and ${f.original.path} diverged (the sync engine kept one and renamed the other). The copy becomes the new session ${f.fork.id} (resumable) and the file itself is kept in the conflicts folder: ${kept.join(', ')}.`
            : `${f.copy.path} differs from ${f.original.path}; it is not a transcript, so ${f.original.path} stays and the copy is kept in the conflicts folder: ${to}.`,
          paths: [f.original.path, f.copy.path],
          resolution: f.fork ? 'forked' : 'kept-newest',
          kept: f.original.path,
          keptAside: kept,
          ...sid,
        };
        conflicts.push(conflict);
      }
    }
  };

  if (options.aliases) {
    for (const a of snap.aliases) {
      const toPath = join(snap.sharedDir, a.to);
      const fromPath = join(snap.sharedDir, a.from);
      const s = a.toState;
      if (s.type === 'symlink') {
        if (s.linkText !== a.from && s.linkText !== fromPath) {
          warn(
            'alias-elsewhere',
            `${toPath} is a link to ${s.linkText}, not to ${a.from}; it is left alone. Remove it to let the path map ${a.map.from}=${a.map.to} link it.`,
            toPath,
          );
        }
        continue;
      }
      if (s.type === 'missing') {
        if (touched.has(toPath)) {
          warn(
            'alias-later',
            `${toPath} is created by this plan too; run doctor --fix afterwards to merge it with ${a.from}.`,
            toPath,
          );
          continue;
        }
        drafts.push({
          type: 'symlink',
          reason: 'alias',
          path: toPath,
          target: fromPath,
          linkText: a.from,
          linkType: 'dir',
          expect: { type: 'absent' },
        });
        continue;
      }
      const m = a.merge;
      if (s.type !== 'directory' || !m) {
        warn('alias-blocked', `${toPath} is in the way of the alias for ${a.from}; it is left alone.`, toPath);
        continue;
      }
      if (m.blockers.length > 0 || m.folds.some((f) => f.busy !== undefined)) {
        warn(
          'alias-merge-blocked',
          `${a.from} and ${a.to} are one project on two machines, but ${m.blockers[0] ?? m.folds.find((f) => f.busy)?.busy} stands in the way of merging them; nothing is merged. Deal with it and run doctor --fix again.`,
          join(snap.sharedDir, m.other),
        );
        continue;
      }
      const canonicalDir = join(snap.sharedDir, m.canonical);
      const otherDir = join(snap.sharedDir, m.other);
      const inside = (d: string) =>
        [...touched].some((p) => p === d || p.startsWith(`${d}/`) || p.startsWith(`${d}\\`));
      if (inside(canonicalDir) || inside(otherDir)) {
        warn(
          'alias-later',
          `${m.other} and ${m.canonical} are one project on two machines, but this plan writes into them already; run doctor --fix afterwards to merge them.`,
          otherDir,
        );
        continue;
      }
      for (const d of m.dirs) {
        const p = join(canonicalDir, ...d.split('/'));
        drafts.push({ type: 'mkdir', reason: 'new', path: p, mode: 0o700, expect: { type: 'absent' } });
        made.add(p);
      }
      for (const mv of m.moves) {
        drafts.push({
          type: 'rename',
          reason: 'new',
          from: join(otherDir, ...mv.rel.split('/')),
          to: join(canonicalDir, ...mv.rel.split('/')),
          expectFrom: expectFile(mv.state),
          expectTo: { type: 'absent' },
        });
      }
      for (const f of m.folds) foldOne(f);
      ensureDir(dirname(m.otherAside));
      drafts.push({
        type: 'rename',
        reason: 'conflict-kept',
        from: otherDir,
        to: m.otherAside,
        expectFrom: { type: 'directory' },
        expectTo: { type: 'absent' },
      });
      drafts.push({
        type: 'symlink',
        reason: 'alias',
        path: otherDir,
        target: canonicalDir,
        linkText: m.canonical,
        linkType: 'dir',
        expect: { type: 'absent' },
      });
      warn(
        'alias-merged',
        `${m.other} and ${m.canonical} hold sessions of one project from two machines: ${m.other}'s files move into ${m.canonical} (same rules as merging accounts) and ${m.other} becomes a link to it; its emptied folder is kept as ${m.otherAside}.`,
        otherDir,
      );
    }
  }

  if (options.fold) for (const f of snap.folds) foldOne(f);

  // The engine's ignore file goes first, before the plan creates anything in the synced
  // root (the executor's state folder, backups, conflicts) that must never travel.
  const ignoreFiles = new Set([join(snap.root, STIGNORE), join(snap.root, STIGNORE_LOCAL)]);
  const first = drafts.filter((d) => d.type === 'writeFile' && ignoreFiles.has(d.path));
  const rest = drafts.filter((d) => !first.includes(d));
  let n = 0;
  const renumber = (op: Omit<Operation, 'id'>) => ({ ...op, id: `op-${String(++n).padStart(4, '0')}` }) as Operation;
  const operations = [...first, ...base.operations, ...rest].map(renumber);
  return {
    ...base,
    roots: base.roots.some((r) => snap.root === r || snap.root.startsWith(`${r}/`))
      ? base.roots
      : [...base.roots, snap.root].sort(),
    operations,
    conflicts: [...base.conflicts, ...conflicts],
    warnings: [...base.warnings, ...warnings],
  };
}

function parseRecord(text: string | undefined): MachineRecord | undefined {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as MachineRecord);
  } catch {
    return undefined;
  }
}

export { LOCAL_DIR, MACHINES_DIR };
