/**
 * Fault injection on the share plan of the real Claude Code fixture (three accounts,
 * diverged sessions, sidecars, memory folders). The sweeps of every k are in
 * fault-fixture-every-k-{odd,even}.test.ts, so that two workers share them.
 * See support/sweep.ts for what is checked after each run.
 */
import { describe, expect, it } from 'vitest';
import { fixtureOnMemfs } from '../support/fixture.js';
import { cacheProcessIds, capture, diff, restoreOnMemfs } from './support/snapshot.js';
import { fixtureShare, sweep } from './support/sweep.js';

cacheProcessIds();

describe("fault injection on the fixture's share plan", () => {
  it('restoring a capture gives back exactly the same tree (the sweep relies on it)', async () => {
    const { fs } = await fixtureOnMemfs('/fx');
    const world = await capture(fs, '/fx');
    expect(diff(world, await capture(await restoreOnMemfs(world, '/fx'), '/fx'))).toEqual([]);
  });

  it('8 operations at once, a sample of k in both modes', async () => {
    // With concurrency the k-th call is not always the same one; the guarantees hold anyway.
    const ks = (n: number) => Array.from({ length: 8 }, (_, i) => 1 + Math.floor((i * n) / 8));
    const sc = await fixtureShare();
    await sweep(sc, 'from', { ks, concurrency: 8 });
    await sweep(sc, 'once', { ks, concurrency: 8 });
  }, 120_000);
});
