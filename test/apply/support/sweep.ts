/**
 * The fault-injection sweep: run a plan once per k with the k-th mutating filesystem
 * call failing, and check what the disk holds after each run.
 */
import { existsSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { applyPlan, recover, stateDirOf } from '../../../src/apply/index.js';
import type { FileSystem } from '../../../src/fs/types.js';
import type { Plan } from '../../../src/plan/types.js';
import { share } from '../../../src/verbs/verbs.js';
import { faultyFs } from '../../support/faulty-fs.js';
import { fixtureOnMemfs } from '../../support/fixture.js';
import { createHarness } from '../../support/harness.js';
import { contents, diff, lostFiles, restoreOnMemfs, snapshot, type Tree } from '../../support/tree.js';
import { buildWorld, sharePlan, unsharePlan, worldAt, writeLateSession } from './world.js';

export interface Scenario {
  root: string;
  sharedDir: string;
  plan: Plan;
  /** The world before the apply, on a filesystem of its own. */
  make: () => Promise<FileSystem>;
  /** What `make` restores exactly, when known (saves capturing it for every k). */
  base?: Tree;
  /** Plans again from the disk as it is now. */
  replan: (fs: FileSystem) => Promise<Plan>;
  /** Re-plan and re-apply after every `replanEvery`-th k (all when 1). */
  replanEvery: number;
  /** `replan` is the library's planner (planning after an apply gives an empty plan). */
  realPlanner?: boolean;
  /**
   * Files the plan removes for good (`removeFile`): their bytes may be gone after a run.
   * Only after a commit: a run that failed must leave the tree as it was, which the
   * comparison with the state before checks whatever this says.
   */
  removes?: readonly string[];
}

/** Files the apply writes with a fresh mtime (settings.json, and share's record that there was none): compared without it. */
const WRITTEN = /(^|\/)settings\.json(\.bak\.[\d.]+\.absent)?$/;

export interface SweepResult {
  calls: number;
  failedApplies: number;
  recovered: number;
  undoneInPlace: number;
  committed: number;
}

/**
 * Runs the scenario once without faults to learn its mutating calls and end state, then
 * once per k with the k-th call failing.
 */
export async function sweep(
  sc: Scenario,
  mode: 'once' | 'from',
  options: { ks?: (n: number) => number[]; concurrency?: number } = {},
): Promise<SweepResult> {
  const concurrency = options.concurrency ?? 1;
  const cleanFs = await sc.make();
  const counting = faultyFs(cleanFs);
  await applyPlan(sc.plan, { fs: counting, concurrency });
  const calls = counting.calls;
  const after = await snapshot(cleanFs, sc.root);
  const journal = join(stateDirOf(sc.sharedDir), 'journal.jsonl');
  // Until the journal's first record is on the disk, nothing records what the executor
  // made for it: a disk that dies then can leave the (empty) folders of the journal.
  const journalDurableAt = counting.log.indexOf(`sync ${journal}`) + 1;

  const result: SweepResult = { calls, failedApplies: 0, recovered: 0, undoneInPlace: 0, committed: 0 };
  const ks = options.ks?.(calls) ?? Array.from({ length: calls }, (_, i) => i + 1);
  for (const k of ks) {
    const fs = await sc.make();
    const before = sc.base ?? (await snapshot(fs, sc.root));
    const faulty = faultyFs(fs, { failAt: k, mode, code: k % 2 === 0 ? 'ENOSPC' : 'EIO' });
    let failed = false;
    try {
      await applyPlan(sc.plan, { fs: faulty, concurrency });
    } catch {
      failed = true;
    }
    const where = `k=${k} (${faulty.log[k - 1] ?? 'after the last call'})`;
    const removed = new Set(sc.removes ?? []);
    const lost = lostFiles(contents(before), await snapshot(fs, sc.root)).filter((p) => !removed.has(p));
    expect(lost, `bytes lost at ${where}`).toEqual([]);

    if (failed) {
      result.failedApplies++;
      let applied = false;
      if (diff(before, await snapshot(fs, sc.root)).length === 0) result.undoneInPlace++;
      else {
        // The undo could not finish (a dead disk), or the commit could not be recorded:
        // recover() brings the disk back, or finishes an apply that had committed.
        const report = await recover({ fs, sharedDir: sc.sharedDir });
        // A transient fault leaves something to recover only when it hits the commit record.
        if (mode === 'once')
          expect(faulty.log[k - 1], `undo incomplete at ${where}`).toMatch(/^(write|sync) .*journal/);
        expect(report.kept, `recover kept things at ${where}`).toEqual([]);
        const end = await snapshot(fs, sc.root);
        applied = report.status === 'finished';
        let left = applied ? diff(after, end, { dirTimes: true, fileTimes: WRITTEN }) : diff(before, end);
        if (k <= journalDurableAt) left = withoutStateLeftovers(left, sc.sharedDir);
        expect(left, `recover did not restore the tree at ${where} (${report.status})`).toEqual([]);
        result.recovered++;
      }
      if (applied) {
        if (sc.realPlanner) expect((await sc.replan(fs)).operations, `not idempotent at ${where}`).toEqual([]);
      } else if (k % sc.replanEvery === 0 || k === ks.at(-1)) {
        // And the user can simply plan and apply again.
        await applyPlan(await sc.replan(fs), { fs });
        const again = diff(after, await snapshot(fs, sc.root), { dirTimes: true, fileTimes: WRITTEN });
        expect(again, `re-apply differs at ${where}`).toEqual([]);
      }
    } else {
      // The fault hit after the commit (its cleanup): the plan is applied; recover tidies up.
      result.committed++;
      expect(faulty.fired.length > 0 || k > calls, `no failure at ${where}`).toBe(true);
      await recover({ fs, sharedDir: sc.sharedDir });
      const left = diff(after, await snapshot(fs, sc.root), { dirTimes: true, fileTimes: WRITTEN });
      expect(left, `state after the commit at ${where}`).toEqual([]);
    }
  }
  return result;
}

/**
 * Differences that only the executor's own folders can leave when the disk fails before
 * its journal exists or after it is gone (nothing records them then): the empty folders
 * made to hold the journal and the mtime of the folder they were made in.
 */
export function withoutStateLeftovers(differences: string[], sharedDir: string): string[] {
  const sharedParent = dirname(sharedDir);
  const allowed = new Set([
    `+ ${sharedParent} (directory)`,
    `+ ${stateDirOf(sharedDir)} (directory)`,
    `~ ${dirname(sharedParent)}/: mtime`,
    `~ ${sharedParent}/: mtime`,
  ]);
  return differences.filter((l) => !allowed.has(l.replace(/ -?\d+ -> \d+$/, '')));
}

/** A scenario on memfs: the world is built once and restored from a snapshot for each run. */
async function onMemfs(
  root: string,
  sharedDir: string,
  build: (fs: FileSystem) => Promise<void>,
  planner: (fs: FileSystem) => Promise<Plan>,
  replanEvery: number,
): Promise<Scenario> {
  const { createMemFileSystem } = await import('../../../src/fs/memfs.js');
  const { Volume } = await import('memfs');
  const base = createMemFileSystem(new Volume());
  await base.mkdir(root, { recursive: true });
  await build(base);
  const world = await snapshot(base, root);
  return {
    root,
    sharedDir,
    base: world,
    plan: await planner(base),
    make: () => restoreOnMemfs(world, root),
    replan: planner,
    replanEvery,
  };
}

const SANDBOX = '/sandbox';
const SYNTH_SHARED = join(SANDBOX, 'home', '.claude-shared', 'projects');

export const syntheticShare = () =>
  onMemfs(
    SANDBOX,
    SYNTH_SHARED,
    async (fs) => void (await buildWorld(fs, SANDBOX)),
    async (fs) => sharePlan(fs, worldAt(SANDBOX)),
    1,
  );

export const syntheticUnshare = () =>
  onMemfs(
    SANDBOX,
    SYNTH_SHARED,
    async (fs) => {
      const world = await buildWorld(fs, SANDBOX);
      await applyPlan(await sharePlan(fs, world), { fs });
      await writeLateSession(fs, world);
    },
    async (fs) => unsharePlan(fs, worldAt(SANDBOX)),
    1,
  );

/** The synthetic share on a real temp folder, rebuilt in the same place for each run. */
export async function syntheticShareOnDisk(): Promise<Scenario> {
  const env = await createHarness('node');
  cleanups.add(env.cleanup);
  // Unlinks are slow on this kind of disk (discard): set old worlds aside, remove them at the end.
  let n = 0;
  const fresh = async () => {
    if (existsSync(join(env.root, 'home'))) renameSync(join(env.root, 'home'), join(env.root, `old-${n++}`));
    return buildWorld(env.fs, env.root);
  };
  const world = await fresh();
  return {
    root: join(env.root, 'home'),
    sharedDir: world.sharedDir,
    plan: await sharePlan(env.fs, world),
    make: async () => {
      await fresh();
      return env.fs;
    },
    replan: (fs) => sharePlan(fs, world),
    replanEvery: 4,
  };
}

const cleanups = new Set<() => Promise<void>>();
/** Removes the temp folders the disk scenarios made (call from afterAll). */
export async function disposeScenarios(): Promise<void> {
  for (const c of cleanups) await c();
  cleanups.clear();
}

const FX_ACCOUNTS = ['/fx/acct-a', '/fx/acct-b', '/fx/acct-c'];
const FX_OPTIONS = {
  home: '/fx',
  accounts: FX_ACCOUNTS,
  sharedDir: '/fx/shared/projects',
  now: Date.parse('2026-12-01T00:00:00Z'),
};

export async function fixtureShare(): Promise<Scenario> {
  const { fs } = await fixtureOnMemfs('/fx');
  const world = await snapshot(fs, '/fx');
  const replan = (on: FileSystem) => share({ ...FX_OPTIONS, fs: on, id: 'fx-share' });
  return {
    root: '/fx',
    base: world,
    sharedDir: FX_OPTIONS.sharedDir,
    plan: await replan(fs),
    make: () => restoreOnMemfs(world, '/fx'),
    replan,
    replanEvery: 16,
    realPlanner: true,
  };
}
