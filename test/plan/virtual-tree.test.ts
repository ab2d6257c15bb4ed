import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualTree } from '../../src/plan/builder.js';
import { canonicalJson } from '../../src/plan/fingerprint.js';

const file = (path: string, size = 1) => ({ path, type: 'file' as const, size, mtimeMs: 0, mode: 0o600 });
const dir = (path: string) => ({ path, type: 'directory' as const, size: 0, mtimeMs: 0, mode: 0o700 });

describe('VirtualTree.move', () => {
  it('moves every entry and listed folder under the source, leaves siblings, and marks the source absent', () => {
    const t = new VirtualTree();
    t.addTree('/a/projects', 'directory', [
      { path: 'p1', type: 'directory', size: 0, mode: 0o700, mtimeMs: 0 },
      { path: 'p1/s.jsonl', type: 'file', size: 5, mode: 0o600, mtimeMs: 7 },
      { path: 'p1/deep', type: 'directory', size: 0, mode: 0o700, mtimeMs: 0 },
      { path: 'p1/deep/x', type: 'file', size: 2, mode: 0o600, mtimeMs: 1 },
    ]);
    t.set(file('/a/projects-other/y'));
    t.move('/a/projects', '/a/projects.bak.1');
    expect(t.lookup('/a/projects').type).toBe('absent');
    expect(t.lookup('/a/projects/p1/s.jsonl').type).toBe('absent');
    expect(t.lookup('/a/projects.bak.1/p1/s.jsonl')).toMatchObject({ type: 'file', size: 5, mtimeMs: 7 });
    expect(t.lookup('/a/projects.bak.1/p1/deep/x')).toMatchObject({ type: 'file', size: 2 });
    // Listed folders stay listed at their new place: an unknown name there is absent.
    expect(t.lookup('/a/projects.bak.1/p1/deep/nope').type).toBe('absent');
    expect(t.lookup('/a/projects-other/y').type).toBe('file');
    // Moving again (a second rename of the same tree) finds everything at its new place.
    t.move('/a/projects.bak.1/p1', '/b/p1');
    expect(t.lookup('/b/p1/deep/x')).toMatchObject({ type: 'file', size: 2 });
    expect(t.lookup('/a/projects.bak.1/p1/deep/x').type).toBe('absent');
  });

  it('keeps a mark of absence under the source where it was', () => {
    const t = new VirtualTree();
    t.set(dir('/r/src'));
    t.markAbsent('/r/src/gone');
    t.set(file('/r/src/kept'));
    t.move('/r/src', '/r/dst');
    expect(t.lookup('/r/dst/kept').type).toBe('file');
    expect(t.lookup('/r/src/gone').type).toBe('absent');
    expect(t.lookup('/r/dst/gone').type).toBe('unknown');
  });
});

/** The first, plainer implementation (arrays of parts joined), as the reference. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

describe('canonicalJson', () => {
  it('gives the text of the plain implementation for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 300 },
    );
  });
});
