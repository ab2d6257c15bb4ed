/**
 * The fixture's share plan with the k-th mutating call failing, for every k of one
 * parity: as a disk that dies at call k (recover() then restores the tree), and as a
 * transient error at call k (the apply's own undo restores it). After each run no byte
 * is lost and a fresh plan applies. The two parities are two test files, so that two
 * workers share the sweep. See sweep.ts.
 */
import { describe, expect, it } from 'vitest';
import { cacheProcessIds } from './snapshot.js';
import { fixtureShare, sweep } from './sweep.js';

export function faultFixtureSweep(parity: 'odd' | 'even'): void {
  cacheProcessIds();
  const remainder = parity === 'odd' ? 1 : 0;
  const ks = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((k) => k % 2 === remainder);

  describe(`fault injection on the fixture's share plan, every ${parity} k`, () => {
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
}
