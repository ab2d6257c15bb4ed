import { normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInside, pathKey } from '../../src/layout/paths.js';

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
  ])('isInside(%s, %s) is %s', (root, path, expected) => {
    expect(isInside(root, path)).toBe(expected);
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
  ])('agrees with path.normalize for %s', (path) => {
    expect(pathKey(path)).toBe(normalize(path));
  });
});
