import { normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathRulesFor, pathRulesOf } from '../../src/layout/paths.js';
import { hostCaseInsensitive } from '../../src/util/host.js';

const sensitive = pathRulesFor(false);
const insensitive = pathRulesFor(true);

describe('isInside', () => {
  it.each([
    ['/home/u/.claude', '/home/u/.claude', true],
    ['/home/u/.claude', '/home/u/.claude/projects/x.jsonl', true],
    ['/home/u/.claude/', '/home/u/.claude/projects', true],
    ['/', '/etc/passwd', true],
    ['/home/u/.claude', '/home/u/.claude-2/projects', false],
    ['/home/u/.claude', '/home/u', false],
    ['/home/u/.claude', '/home/u/.claude/../.claude-2', false],
    ['/home/u/.claude', '/home/u/.claude/..foo', true],
    ['/home/u/.claude', '/etc/passwd', false],
  ])('isInside(%s, %s) is %s under either rule', (root, path, expected) => {
    expect(sensitive.isInside(root, path)).toBe(expected);
    expect(insensitive.isInside(root, path)).toBe(expected);
  });

  it('lets case differ only under the case-insensitive rule', () => {
    expect(sensitive.isInside('/home/u/.Claude', '/home/u/.claude/projects')).toBe(false);
    expect(insensitive.isInside('/home/u/.Claude', '/home/u/.claude/projects')).toBe(true);
    expect(sensitive.isInsideNormal('/Shared', '/shared/p/s.jsonl')).toBe(false);
    expect(insensitive.isInsideNormal('/Shared', '/shared/p/s.jsonl')).toBe(true);
    expect(insensitive.isInsideNormal('/Shared', '/shared-2/p')).toBe(false);
  });

  it('isInsideNormal agrees with isInside on normal paths', () => {
    for (const rules of [sensitive, insensitive]) {
      for (const [root, path] of [
        ['/a', '/a/b'],
        ['/a', '/ab'],
        ['/', '/x'],
        ['/a/B', '/a/b/c'],
        ['/a/b', '/a'],
      ] as const) {
        expect(rules.isInsideNormal(root, path)).toBe(rules.isInside(root, path));
      }
    }
  });
});

describe('pathKey', () => {
  it.each([
    '/home/u/.claude',
    '/home/u//.claude',
    '/home/u/./.claude',
    '/home/u/x/../.claude',
    '/home/u/.claude/',
    '/home/u/.claude/.',
    '/home/u/..claude/.x',
    '/',
  ])('agrees with path.normalize for %s (case-sensitive)', (path) => {
    expect(sensitive.pathKey(path)).toBe(normalize(path));
    expect(insensitive.pathKey(path)).toBe(normalize(path).toLowerCase());
  });

  it('makes Foo.jsonl and foo.jsonl one key only under the case-insensitive rule', () => {
    expect(sensitive.pathKey('/p/Foo.jsonl')).not.toBe(sensitive.pathKey('/p/foo.jsonl'));
    expect(insensitive.pathKey('/p/Foo.jsonl')).toBe(insensitive.pathKey('/p/foo.jsonl'));
    expect(sensitive.key('Foo')).toBe('Foo');
    expect(insensitive.key('Foo')).toBe(insensitive.key('fOO'));
  });
});

describe('segmentsUnder and rebase', () => {
  it('split and map paths by the rule', () => {
    expect(sensitive.segmentsUnder('/a/B', '/a/b/c')).toBeUndefined();
    expect(insensitive.segmentsUnder('/a/B', '/a/b/c')).toEqual(['c']);
    expect(sensitive.segmentsUnder('/a', '/a')).toEqual([]);
    expect(sensitive.rebase('/a/p/x', '/a/p', '/b/q')).toBe('/b/q/x');
    expect(sensitive.rebase('/a/p', '/a/p', '/b/q')).toBe('/b/q');
    expect(insensitive.rebase('/a/P', '/a/p', '/b/q')).toBe('/b/q');
    expect(insensitive.rebase('/a/P/x', '/a/p', '/b/q')).toBe('/b/q/x');
  });
});

describe('pathRulesOf', () => {
  it("takes a plan's own rule, and this host's for a plan without one", () => {
    expect(pathRulesOf({ caseInsensitive: true })).toBe(insensitive);
    expect(pathRulesOf({ caseInsensitive: false })).toBe(sensitive);
    expect(pathRulesOf({}).caseInsensitive).toBe(hostCaseInsensitive());
  });

  it('knows which hosts compare without case', () => {
    expect(hostCaseInsensitive('darwin')).toBe(true);
    expect(hostCaseInsensitive('win32')).toBe(true);
    expect(hostCaseInsensitive('linux')).toBe(false);
    expect(hostCaseInsensitive()).toBe(process.platform === 'darwin' || process.platform === 'win32');
  });
});

describe('segmentsUnder', () => {
  it.each([
    ['/', '/a/b', ['a', 'b']],
    ['/a', '/a', []],
    ['/a/', '/a/b/c', ['b', 'c']],
    ['/a', '/a/./b//c', ['b', 'c']],
    ['/a', '/ab', undefined],
    ['/a/b', '/a', undefined],
  ])('segmentsUnder(%s, %s) is %j under either rule', (root, path, expected) => {
    expect(sensitive.segmentsUnder(root, path)).toEqual(expected);
    expect(insensitive.segmentsUnder(root, path)).toEqual(expected);
  });
});
