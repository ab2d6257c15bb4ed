import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { treeDigest } from '../../src/inspect/digest.js';
import type { TreeEntry } from '../../src/inspect/types.js';

type DigestEntry = Pick<TreeEntry, 'path' | 'type' | 'size' | 'mtimeMs' | 'linkText'>;

/** The digest as its documentation defines it: SHA-256 of the sorted lines joined by newlines. */
function reference(entries: readonly DigestEntry[]): string {
  const lines = entries.map((e) =>
    e.type === 'file'
      ? `${e.path}\0f\0${e.size}\0${e.mtimeMs}`
      : e.type === 'symlink'
        ? `${e.path}\0l\0${e.linkText ?? ''}`
        : e.type === 'directory'
          ? `${e.path}\0d`
          : `${e.path}\0o`,
  );
  lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

// Short names over a small alphabet, so that prefixes, shared folders and '/' next to
// other characters (and NUL, which no real name holds) all turn up.
const name = fc.stringMatching(/^[ab.\-/\u0000é]{1,4}$/);
const entry: fc.Arbitrary<DigestEntry> = fc.record(
  {
    path: name,
    type: fc.constantFrom('file', 'directory', 'symlink', 'other') as fc.Arbitrary<TreeEntry['type']>,
    size: fc.nat(5000),
    mtimeMs: fc.oneof(fc.nat(), fc.double({ min: 0, max: 2e12, noNaN: true })),
    linkText: name,
  },
  { requiredKeys: ['path', 'type', 'size', 'mtimeMs'] },
);
const byPath = (x: DigestEntry, y: DigestEntry) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);

describe('treeDigest', () => {
  it('is the hash of the sorted lines, whether the entries come sorted by path or not', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), (entries) => {
        const expected = reference(entries);
        expect(treeDigest(entries)).toBe(expected);
        expect(treeDigest([...entries].sort(byPath))).toBe(expected);
        expect(treeDigest([...entries].reverse())).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('hashes a tree larger than one 64 K step as one text', () => {
    const entries: DigestEntry[] = [];
    for (let i = 0; i < 5000; i++) {
      entries.push({ path: `-p${i % 7}/${String(i).padStart(6, '0')}.jsonl`, type: 'file', size: i, mtimeMs: i * 3 });
    }
    entries.sort(byPath);
    expect(treeDigest(entries)).toBe(reference(entries));
    // One more entry, or one changed size, changes it.
    expect(treeDigest([...entries, { path: 'zz', type: 'directory', size: 0, mtimeMs: 0 }])).not.toBe(
      treeDigest(entries),
    );
    const changed = entries.map((e, i) => (i === 2500 ? { ...e, size: e.size + 1 } : e));
    expect(treeDigest(changed)).not.toBe(treeDigest(entries));
  });
});
