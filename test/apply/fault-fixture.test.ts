/**
 * Fault injection on the share plan of the real Claude Code fixture (three accounts,
 * diverged sessions, sidecars, memory folders): the plan with the k-th mutating call
 * failing, for every k, as a disk that dies at call k (recover() then restores the tree)
 * and as a transient error at call k (the apply's own undo restores it). After each run
 * no byte is lost and a fresh plan applies. See support/sweep.ts for what is checked
 * after each run.
 */
import { describe, expect, it } from 'vitest';
import { fixtureOnMemfs } from '../support/fixture.js';
import { cacheProcessIds } from '../support/harness.js';
import { diff, restoreOnMemfs, snapshot } from '../support/tree.js';
import { fixtureShare, sweep } from './support/sweep.js';

cacheProcessIds();

describe("fault injection on the fixture's share plan", () => {
  it('restoring a snapshot gives back exactly the same tree (the sweep relies on it)', async () => {
    const { fs } = await fixtureOnMemfs('/fx');
    const world = await snapshot(fs, '/fx');
    expect(diff(world, await snapshot(await restoreOnMemfs(world, '/fx'), '/fx'))).toEqual([]);
  });

  it('8 operations at once, a sample of k in both modes', async () => {
    // With concurrency the k-th call is not always the same one; the guarantees hold anyway.
    const ks = (n: number) => Array.from({ length: 8 }, (_, i) => 1 + Math.floor((i * n) / 8));
    const sc = await fixtureShare();
    await sweep(sc, 'from', { ks, concurrency: 8 });
    await sweep(sc, 'once', { ks, concurrency: 8 });
  }, 120_000);
});

// Every k, split by parity: the two halves are two tests each, so that a failure names its half.
describe.each(['odd', 'even'] as const)("fault injection on the fixture's share plan, every %s k", (parity) => {
  const remainder = parity === 'odd' ? 1 : 0;
  const ks = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((k) => k % 2 === remainder);

  it('a disk that dies at call k: no byte lost, recover() restores the tree', async () => {
    const r = await sweep(await fixtureShare(), 'from', { ks });
    expect(r.calls).toBeGreaterThan(200);
    expect(r.failedApplies).toBeGreaterThan(r.calls / 2 - 5);
    expect(r.recovered + r.undoneInPlace).toBe(r.failedApplies);
  }, 180_000);

  it('a transient error at call k: the apply undoes itself', async () => {
    const r = await sweep(await fixtureShare(), 'once', { ks });
    expect(r.undoneInPlace).toBeGreaterThan(r.calls / 2 - 10);
  }, 180_000);
});
