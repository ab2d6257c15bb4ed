/**
 * Fault injection on hand-made plans that cover every operation type: the k-th mutating
 * filesystem call fails, for every k. `once` is a transient error (the apply's own undo
 * then runs on a healthy disk); `from` is a disk that dies at call k (the undo fails too,
 * and recover() runs afterwards on a healthy one). After each run every original file's
 * bytes are reachable, the tree equals its state before the apply (directly or after
 * recover()), and a fresh plan and apply succeed. See support/sweep.ts.
 */

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlan, recover, stateDirOf } from '../../src/apply/index.js';
import { faultyFs } from '../support/faulty-fs.js';
import { cacheProcessIds } from '../support/harness.js';
import { contents, diff, lostFiles, snapshot } from '../support/tree.js';
import {
  disposeScenarios,
  sweep,
  syntheticShare,
  syntheticShareOnDisk,
  syntheticUnshare,
  withoutStateLeftovers,
} from './support/sweep.js';

cacheProcessIds();
afterAll(disposeScenarios);

describe('fault injection, every k, hand-made plans', () => {
  it.each(['once', 'from'] as const)(
    'share: mkdir, copyFile, forkSession, writeFile, rename, symlink (memfs, %s)',
    async (mode) => {
      const r = await sweep(await syntheticShare(), mode);
      expect(r.calls).toBeGreaterThan(50);
      // Every call but the cleanup after the commit makes the apply fail.
      expect(r.failedApplies).toBeGreaterThan(r.calls - 10);
      if (mode === 'from') expect(r.recovered).toBeGreaterThan(r.calls / 2);
      else expect(r.undoneInPlace).toBeGreaterThan(r.calls - 12);
    },
  );

  it.each(['once', 'from'] as const)('unshare: unlinkSymlink, rename back, carry a copy (memfs, %s)', async (mode) => {
    const r = await sweep(await syntheticUnshare(), mode);
    expect(r.failedApplies).toBeGreaterThan(10);
  });

  it('the disk dies during the undo, at every call of it: recover() finishes the undo, keeping nothing', async () => {
    const sc = await syntheticShare();
    // A transient error at the last link makes the apply undo everything; then the disk
    // dies at each call of that undo in turn.
    const probe = faultyFs(await sc.make());
    await applyPlan(sc.plan, { fs: probe, concurrency: 1 });
    const lastLink = probe.log.findLastIndex((l) => l.startsWith('symlink')) + 1;
    const undoing = faultyFs(await sc.make(), { failAt: lastLink });
    await expect(applyPlan(sc.plan, { fs: undoing, concurrency: 1 })).rejects.toThrow();
    const before = sc.base ?? {};
    const journal = join(stateDirOf(sc.sharedDir), 'journal.jsonl');
    const lastUndoWrite = undoing.log.lastIndexOf(`unlink ${journal}`) + 1;
    let recovered = 0;
    for (let m = lastLink + 1; m <= undoing.calls; m++) {
      const fs = await sc.make();
      const dying = faultyFs(fs, { failAt: lastLink, dieAt: m });
      await expect(applyPlan(sc.plan, { fs: dying, concurrency: 1 })).rejects.toThrow();
      const now = await snapshot(fs, sc.root);
      expect(lostFiles(contents(before), now), `bytes lost, undo cut at ${m}`).toEqual([]);
      if (diff(before, now).length === 0) continue;
      const report = await recover({ fs, sharedDir: sc.sharedDir });
      expect(report.kept, `recover kept things, undo cut at ${m} (${dying.log[m - 1]})`).toEqual([]);
      // Cut after the journal was removed, only the time of the journal's folder's folder is left.
      const left = diff(before, await snapshot(fs, sc.root));
      expect(m > lastUndoWrite ? withoutStateLeftovers(left, sc.sharedDir) : left, `undo cut at ${m}`).toEqual([]);
      recovered++;
    }
    expect(recovered).toBeGreaterThan(20);
  });

  it('share on a real disk, a dying disk at every k', async () => {
    const r = await sweep(await syntheticShareOnDisk(), 'from');
    expect(r.failedApplies).toBeGreaterThan(r.calls - 10);
  }, 120_000);

  it('share on a real disk, a transient error at every third k', async () => {
    const ks = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((k) => k % 3 === 0);
    const r = await sweep(await syntheticShareOnDisk(), 'once', { ks });
    expect(r.undoneInPlace).toBeGreaterThan(15);
  }, 120_000);
});
