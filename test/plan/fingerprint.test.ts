import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/inspect/types.js';
import { canonicalJson, fingerprintSnapshot } from '../../src/plan/fingerprint.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const fingerprint = (value: unknown) => fingerprintSnapshot(value as Snapshot);

describe('fingerprintSnapshot', () => {
  it('is the SHA-256 of the canonical JSON, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(fingerprint({ v: value })).toBe(sha(canonicalJson({ v: value })));
      }),
      { numRuns: 300 },
    );
  });

  it('hashes long runs of entries (written in 64 K slices) as the whole text, surrogate pairs included', () => {
    // Entries long enough that the run's text is several 64 K slices long, with a
    // character outside the BMP (two UTF-16 units) at every offset around slice ends.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1000, max: 2500 }), (shift, count) => {
        const entries = [];
        for (let i = 0; i < count; i++) {
          const name = `${'x'.repeat((i + shift) % 41)}😀${i % 3 === 0 ? 'é' : ''}`;
          entries.push({ path: `-p/${name}.jsonl`, type: 'file', size: i, mode: 0o600, mtimeMs: i / 7 });
        }
        const value = { accounts: [{ folders: { projects: { entries } } }], version: 1 };
        expect(fingerprint(value)).toBe(sha(canonicalJson(value)));
      }),
      { numRuns: 40 },
    );
    // A pair astride each slice end: the run's text is `{"path":"<path>"}`, so the pair
    // starts at text offset 9 + k, for every k around the first two 64 K ends.
    for (const end of [1 << 16, 2 << 16]) {
      for (let k = end - 12; k < end - 6; k++) {
        const value = { entries: [{ path: `${'a'.repeat(k)}😀b` }] };
        expect(fingerprint(value)).toBe(sha(canonicalJson(value)));
      }
    }
  });
});
