import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeMsOfNs, restoredMtimeUs } from '../../src/fs/times.js';

const NS_PER_MS = 1_000_000n;

/** Times from 2001 to 2100 in ns, half of them within 200 ns below a half millisecond. */
const times = fc.oneof(
  fc.bigInt({ min: 978_307_200_000_000_000n, max: 4_102_444_800_000_000_000n }),
  fc
    .tuple(fc.bigInt({ min: 978_307_200_000n, max: 4_102_444_800_000n }), fc.bigInt({ min: 1n, max: 200n }))
    .map(([ms, below]) => ms * NS_PER_MS + NS_PER_MS / 2n - below),
);

describe('nodeMsOfNs', () => {
  it('is what Node reads: stat.mtime.getTime() of the double sec * 1e3 + nsec / 1e6, rounded', () => {
    // 0.499921 ms past …640: the double rounds it up to …641 (issue 14).
    expect(nodeMsOfNs(1_796_293_725_640_499_921n)).toBe(1_796_293_725_641);
    expect(nodeMsOfNs(1_796_293_725_640_499_000n)).toBe(1_796_293_725_640);
    expect(nodeMsOfNs(1_796_293_725_640_500_000n)).toBe(1_796_293_725_641);
  });
});

describe('restoredMtimeUs', () => {
  it('gives a microsecond that reads the same ms both through Node and floored, less than 1 µs from the time', () => {
    let moved = 0;
    fc.assert(
      fc.property(times, (ns) => {
        const t = { mtimeMs: nodeMsOfNs(ns), mtimeUs: Number(ns / 1000n) };
        const us = restoredMtimeUs(t);
        const back = BigInt(us) * 1000n;
        expect(nodeMsOfNs(back)).toBe(t.mtimeMs);
        expect(back / NS_PER_MS).toBe(ns / NS_PER_MS);
        expect(back > ns ? back - ns : ns - back).toBeLessThan(1000n);
        // Its own microsecond unless that reads as another ms; then the next one, which is
        // the nearer (the double's error is 122 ns today, 244 ns after 2039).
        if (us !== t.mtimeUs) {
          moved++;
          expect(us).toBe(t.mtimeUs + 1);
          expect(back - ns).toBeLessThan(500n);
        }
      }),
      { numRuns: 4000, seed: 20261203 },
    );
    expect(moved).toBeGreaterThan(100);
  });

  it('keeps a time on a whole microsecond as it is', () => {
    for (const us of [1_796_293_725_640_499, 1_796_293_725_640_500, 1_796_293_725_640_000]) {
      expect(restoredMtimeUs({ mtimeMs: nodeMsOfNs(BigInt(us) * 1000n), mtimeUs: us })).toBe(us);
    }
  });
});
