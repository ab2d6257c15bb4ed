/**
 * Fault injection on hand-made plans that cover every operation type: the k-th mutating
 * filesystem call fails, for every k. `once` is a transient error (the apply's own undo
 * then runs on a healthy disk); `from` is a disk that dies at call k (the undo fails too,
 * and recover() runs afterwards on a healthy one). After each run every original file's
 * bytes are reachable, the tree equals its state before the apply (directly or after
 * recover()), and a fresh plan and apply succeed. See helpers/sweep.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cacheProcessIds } from './helpers/snapshot.js';
import { disposeScenarios, sweep, syntheticShare, syntheticShareOnDisk, syntheticUnshare } from './helpers/sweep.js';

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

  it.each(['once', 'from'] as const)(
    'share on a real disk (%s)',
    async (mode) => {
      const r = await sweep(await syntheticShareOnDisk(), mode);
      expect(r.failedApplies).toBeGreaterThan(r.calls - 10);
    },
    120_000,
  );
});
