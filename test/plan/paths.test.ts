import { describe, expect, it } from 'vitest';
import { isInside } from '../../src/plan/paths.js';

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
