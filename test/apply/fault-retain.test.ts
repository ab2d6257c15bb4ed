/**
 * Fault injection on retain plans (issue 10 §1): the k-th mutating filesystem call of an
 * apply that makes retained links, brings deleted shared files back from theirs and
 * makes the folders both need fails, for every k, transient (`once`) and a disk that
 * dies (`from`). After each run no byte is lost, the tree is what it was (directly or
 * after recover()), and planning and applying again gives the same end state.
 */

import { join } from 'node:path';
import { Volume } from 'memfs';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import { readRetainState } from '../../src/doctor/retained.js';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import type { FileSystem } from '../../src/fs/types.js';
import { retainedDirOf } from '../../src/layout/config-dir.js';
import { planRetain } from '../../src/plan/retain.js';
import { faultyFs } from '../support/faulty-fs.js';
import { restoreOnMemfs, snapshot } from '../support/tree.js';
import { type Scenario, sweep } from './support/sweep.js';

const ROOT = '/r';
const SHARED = join(ROOT, 'home', '.claude-shared', 'projects');
const RETAINED = retainedDirOf(SHARED);
const ID = (n: number) => `0000000${n}-1111-4222-8333-444444444444`;

/**
 * A shared folder with sessions in two projects (one with its subagents folder), a
 * retained folder that has some of them, and retained files whose shared name is gone
 * (in a project folder that is gone too).
 */
async function build(fs: FileSystem): Promise<void> {
  const line = (n: number) => `{"type":"user","sessionId":"${ID(n)}","message":{"content":"s${n}"}}\n`;
  const write = async (path: string, text: string, mtime: number) => {
    await fs.mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
    await fs.writeFile(path, text, { mode: 0o600 });
    await fs.utimes(path, mtime, mtime);
  };
  const t = Date.parse('2026-11-01T00:00:00Z');
  await write(join(SHARED, '-a', `${ID(1)}.jsonl`), line(1), t);
  await write(join(SHARED, '-a', `${ID(2)}.jsonl`), line(2), t + 1000);
  await write(join(SHARED, '-a', ID(2), 'subagents', 'agent-a1.jsonl'), line(2), t + 2000);
  await write(join(SHARED, '-b', `${ID(3)}.jsonl`), line(3), t + 3000);
  // Retained before: session 1 (as its own copy here; a link on the real disk).
  await write(join(RETAINED, '-a', `${ID(1)}.jsonl`), line(1), t);
  // Deleted from the shared folder since: session 4 in -a, session 5 in the gone -c.
  await write(join(RETAINED, '-a', `${ID(4)}.jsonl`), line(4), t + 4000);
  await write(join(RETAINED, '-c', `${ID(5)}.jsonl`), line(5), t + 5000);
  await write(join(RETAINED, '-c', ID(5), 'subagents', 'agent-b2.jsonl'), line(5), t + 6000);
}

async function retainScenario(mode: 'recover' | 'prune' = 'recover'): Promise<Scenario> {
  const base = createMemFileSystem(new Volume());
  await base.mkdir(ROOT, { recursive: true });
  await build(base);
  const world = await snapshot(base, ROOT);
  const planner = async (fs: FileSystem) =>
    planRetain(await readRetainState(fs, SHARED), { id: 'retain-sweep', now: 0, [mode]: true });
  const plan = await planner(base);
  return {
    root: ROOT,
    sharedDir: SHARED,
    base: world,
    plan,
    removes: plan.operations.flatMap((op) => (op.type === 'removeFile' ? [op.path] : [])),
    make: () => restoreOnMemfs(world, ROOT),
    replan: planner,
    replanEvery: 1,
  };
}

describe('fault injection, every k, retain plans (issue 10 §1)', () => {
  it('the plan covers what the sweep needs: folders on both sides, links both ways', async () => {
    const sc = await retainScenario();
    const kinds = sc.plan.operations.map((op) => `${op.type}:${op.reason}`);
    // Session 1 counts as retained only on a real disk (same inode): here it is replaced.
    expect(kinds.filter((k) => k === 'hardLink:retain').length).toBe(3);
    expect(kinds.filter((k) => k === 'hardLink:recover').length).toBe(3);
    expect(kinds.filter((k) => k.startsWith('mkdir')).length).toBeGreaterThanOrEqual(5);
    const probe = faultyFs(await sc.make());
    await applyPlan(sc.plan, { fs: probe, concurrency: 1 });
    expect(probe.log.filter((l) => l.startsWith('link ')).length).toBe(6);
  });

  it.each(['once', 'from'] as const)(
    'prune: removeFile held until the commit, then released, and the folders it empties removed (memfs, %s)',
    async (mode) => {
      const sc = await retainScenario('prune');
      const removals = sc.plan.operations.filter((op) => op.type === 'removeFile');
      expect(removals.map((op) => (op.type === 'removeFile' ? op.path.slice(RETAINED.length) : ''))).toEqual([
        `/-a/${ID(4)}.jsonl`,
        `/-c/${ID(5)}.jsonl`,
        `/-c/${ID(5)}/subagents/agent-b2.jsonl`,
      ]);
      // -c holds nothing else, so it goes with its folders, deepest first; -a keeps session 1.
      const folders = sc.plan.operations.flatMap((op) => (op.type === 'removeDir' ? [op.path] : []));
      expect(folders.map((p) => p.slice(RETAINED.length))).toEqual([`/-c/${ID(5)}/subagents`, `/-c/${ID(5)}`, '/-c']);
      expect(sc.plan.operations.slice(-3).map((op) => op.type)).toEqual(['removeDir', 'removeDir', 'removeDir']);
      if (mode === 'once') {
        // A clean run: the three are gone, with no held name left and nothing else touched.
        const fs = await sc.make();
        const report = await applyPlan(sc.plan, { fs });
        expect(report.warnings).toEqual([]);
        const after = await snapshot(fs, ROOT);
        for (const op of removals) if (op.type === 'removeFile') expect(op.path in after).toBe(false);
        for (const path of folders) expect(path in after).toBe(false);
        expect(after[join(RETAINED, '-a')]?.type).toBe('directory');
        expect(after[RETAINED]?.type).toBe('directory');
        expect(Object.keys(after).filter((p) => p.endsWith('.css-tmp'))).toEqual([]);
        expect(Object.keys(after).filter((p) => p.startsWith(SHARED)).length).toBe(
          Object.keys(sc.base ?? {}).filter((p) => p.startsWith(SHARED)).length,
        );
      }
      const r = await sweep(sc, mode);
      // Each removal is a rename to its held name, and one unlink after the commit.
      expect(r.calls).toBeGreaterThan(3 * 2);
      expect(r.committed).toBeGreaterThanOrEqual(3);
      // A fault before the commit undoes every removal: the files are back under their names.
      expect(r.failedApplies).toBeGreaterThan(3);
    },
  );

  it.each(['once', 'from'] as const)('mkdir and hardLink, both directions (memfs, %s)', async (mode) => {
    const r = await sweep(await retainScenario(), mode);
    expect(r.calls).toBeGreaterThan(15);
    expect(r.failedApplies).toBeGreaterThan(r.calls - 10);
    if (mode === 'once') expect(r.undoneInPlace).toBeGreaterThan(r.calls - 12);
    else expect(r.recovered).toBeGreaterThan(r.calls / 2);
  });
});
