/**
 * The fixture's share plan with the k-th mutating call failing, for every odd k (the
 * other half is in fault-fixture-every-k-even.test.ts, so that two workers share the
 * sweep): as a disk that dies at call k (recover() then restores the tree), and as a
 * transient error at call k (the apply's own undo restores it). After each run no byte
 * is lost and a fresh plan applies. See helpers/sweep.ts.
 */
import { describe, expect, it } from 'vitest';
import { cacheProcessIds } from './helpers/snapshot.js';
import { fixtureShare, sweep } from './helpers/sweep.js';

cacheProcessIds();

const ks = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((k) => k % 2 === 1);

describe("fault injection on the fixture's share plan, every odd k", () => {
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
