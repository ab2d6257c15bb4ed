/**
 * The fixture's share plan with a disk that dies at mutating call k, for every odd k
 * (the other half is in fault-fixture-every-k-even.test.ts): after each run no byte is lost
 * and recover() restores the tree. See helpers/sweep.ts.
 */
import { describe, expect, it } from 'vitest';
import { cacheProcessIds } from './helpers/snapshot.js';
import { fixtureShare, sweep } from './helpers/sweep.js';

cacheProcessIds();

describe("fault injection on the fixture's share plan, a dying disk", () => {
  it('every odd k: no byte lost, recover() restores the tree, a fresh plan applies', async () => {
    const ks = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((k) => k % 2 === 1);
    const r = await sweep(await fixtureShare(), 'from', { ks });
    expect(r.calls).toBeGreaterThan(200);
    expect(r.failedApplies).toBeGreaterThan(r.calls / 2 - 5);
    expect(r.recovered + r.undoneInPlace).toBe(r.failedApplies);
  }, 180_000);
});
