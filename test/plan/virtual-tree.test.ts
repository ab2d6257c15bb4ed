import { posix, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathRulesFor } from '../../src/layout/paths.js';
import { VirtualTree } from '../../src/plan/builder.js';
import { canonicalJson } from '../../src/plan/fingerprint.js';

const file = (path: string, size = 1) => ({ path, type: 'file' as const, size, mtimeMs: 0, mode: 0o600 });
const dir = (path: string) => ({ path, type: 'directory' as const, size: 0, mtimeMs: 0, mode: 0o700 });

describe('VirtualTree.move', () => {
  it('moves every entry and listed folder under the source, leaves siblings, and marks the source absent', () => {
    const t = new VirtualTree(pathRulesFor(false));
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

  it('puts a moved tree among the entries of a snapshot tree not made yet at the target, replacing theirs', () => {
    // Found by the property test below: /r/b/a's entries were still pending when the move
    // put /r/c/a/c/a there, and later made over it.
    const t = new VirtualTree(pathRulesFor(false));
    t.addTree('/r/c/a/c', 'directory', [{ path: 'a', type: 'file', size: 0, mode: 0o600, mtimeMs: 0 }]);
    t.addTree('/r/b/a', 'directory', [
      { path: 'c/a', type: 'file', size: 1, mode: 0o600, mtimeMs: 0 },
      { path: 'c/z', type: 'file', size: 2, mode: 0o600, mtimeMs: 0 },
    ]);
    t.move('/r/c', '/r/b');
    expect(t.lookup('/r/b/a/c/a')).toMatchObject({ type: 'file', size: 0 });
    expect(t.lookup('/r/b/a/c/z')).toMatchObject({ type: 'file', size: 2 });
    expect(t.lookup('/r/c/a/c/a').type).toBe('absent');
  });

  it('keeps a mark of absence under the source where it was', () => {
    const t = new VirtualTree(pathRulesFor(false));
    t.set(dir('/r/src'));
    t.markAbsent('/r/src/gone');
    t.set(file('/r/src/kept'));
    t.move('/r/src', '/r/dst');
    expect(t.lookup('/r/dst/kept').type).toBe('file');
    expect(t.lookup('/r/src/gone').type).toBe('absent');
    expect(t.lookup('/r/dst/gone').type).toBe('unknown');
    // ...and it still answers once a folder (not listed) is back at the source.
    t.set(dir('/r/src'));
    expect(t.lookup('/r/src/gone').type).toBe('absent');
    expect(t.lookup('/r/src/other').type).toBe('unknown');
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

/** The flat-map implementation the trie replaced (one map entry per path), as the reference. */
class FlatTree {
  readonly entries = new Map<string, { path: string; type: string; size: number }>();
  readonly absent = new Set<string>();
  readonly listed = new Set<string>();
  set(e: { path: string; type: string; size: number }): void {
    this.entries.set(e.path, e);
    this.absent.delete(e.path);
  }
  markAbsent(path: string): void {
    this.entries.delete(path);
    this.absent.add(path);
  }
  markListed(path: string): void {
    this.listed.add(path);
  }
  addTree(root: string, entries: readonly { path: string; type: 'file' | 'directory'; size: number }[]): void {
    this.set(dir(root));
    this.markListed(root);
    for (const e of entries) {
      const path = `${root}/${e.path}`;
      this.set(e.type === 'file' ? file(path, e.size) : dir(path));
      if (e.type === 'directory') this.markListed(path);
    }
  }
  lookup(path: string): { type: string; path: string; size?: number } {
    const found = this.entries.get(path);
    if (found) return found;
    if (this.absent.has(path)) return { type: 'absent', path };
    const parent = posix.dirname(path);
    if (parent === path) return { type: 'unknown', path };
    const p = this.lookup(parent);
    if (p.type === 'absent' || p.type === 'file' || p.type === 'symlink' || p.type === 'other')
      return { type: 'absent', path };
    if (p.type === 'directory' && this.listed.has(parent)) return { type: 'absent', path };
    return { type: 'unknown', path };
  }
  move(from: string, to: string): void {
    const under = (k: string) => k === from || k.startsWith(`${from}/`);
    const moved = [...this.entries.values()].filter((e) => under(e.path));
    const listed = [...this.listed].filter(under);
    for (const e of moved) this.entries.delete(e.path);
    for (const k of listed) this.listed.delete(k);
    for (const e of moved) this.set({ ...e, path: to + e.path.slice(from.length) });
    for (const k of listed) this.markListed(to + k.slice(from.length));
    this.markAbsent(from);
  }
}

describe('VirtualTree (a trie) against the flat map it replaced', () => {
  it('answers every lookup the same after any sequence of sets, absence marks, listings and moves', () => {
    if (sep !== '/') return; // the reference is written for POSIX paths
    const segment = fc.constantFrom('a', 'b', 'c');
    const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => `/r/${s.join('/')}`);
    const op = fc.oneof(
      fc.record({ t: fc.constant('file' as const), path, size: fc.nat(9) }),
      fc.record({ t: fc.constant('dir' as const), path }),
      fc.record({ t: fc.constant('absent' as const), path }),
      fc.record({ t: fc.constant('listed' as const), path }),
      fc.record({ t: fc.constant('move' as const), path, to: path }),
      // A snapshot tree (its entries made into nodes when first walked into).
      fc.record({
        t: fc.constant('tree' as const),
        path,
        entries: fc.array(
          fc.record({
            path: fc.array(segment, { minLength: 1, maxLength: 2 }).map((s) => s.join('/')),
            type: fc.constantFrom('file' as const, 'directory' as const),
            size: fc.nat(9),
          }),
          { maxLength: 6 },
        ),
      }),
    );
    const universe: string[] = ['/', '/r'];
    const walk = (prefix: string, depth: number) => {
      if (depth === 0) return;
      for (const s of ['a', 'b', 'c']) {
        universe.push(`${prefix}/${s}`);
        walk(`${prefix}/${s}`, depth - 1);
      }
    };
    walk('/r', 4);
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), fc.boolean(), (ops, lookEach) => {
        const t = new VirtualTree(pathRulesFor(false));
        const ref = new FlatTree();
        for (const o of ops) {
          if (o.t === 'file') {
            t.set(file(o.path, o.size));
            ref.set(file(o.path, o.size));
          } else if (o.t === 'dir') {
            t.set(dir(o.path));
            ref.set(dir(o.path));
          } else if (o.t === 'absent') {
            t.markAbsent(o.path);
            ref.markAbsent(o.path);
          } else if (o.t === 'listed') {
            t.markListed(o.path);
            ref.markListed(o.path);
          } else if (o.t === 'tree') {
            const entries = o.entries.map((e) => ({
              ...e,
              size: e.type === 'file' ? e.size : 0,
              mode: 0o600,
              mtimeMs: 0,
            }));
            t.addTree(o.path, 'directory', entries);
            ref.addTree(o.path, entries);
          } else {
            // A move into itself is not a rename anyone can make.
            if (o.to === o.path || o.to.startsWith(`${o.path}/`) || o.path.startsWith(`${o.to}/`)) continue;
            t.move(o.path, o.to);
            ref.move(o.path, o.to);
          }
          // Looking up after every step walks into every tree at once; looking up only
          // at the end leaves trees unmade until then (through moves and later changes).
          if (!lookEach && o !== ops.at(-1)) continue;
          for (const p of universe) {
            const got = t.lookup(p);
            const want = ref.lookup(p);
            expect({ p, type: got.type, path: got.path, size: 'size' in got ? got.size : undefined }).toEqual({
              p,
              type: want.type,
              path: want.path,
              size: want.size,
            });
          }
        }
      }),
      { numRuns: Number(process.env.VTREE_RUNS ?? 300) },
    );
  });
});
