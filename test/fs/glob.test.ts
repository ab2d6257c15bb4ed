import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { globNames, globToRegExp } from '../../src/fs/glob.js';
import type { FileSystem } from '../../src/fs/types.js';
import { denyFs } from '../support/faulty-fs.js';
import { createHarness, type Harness, KINDS } from '../support/harness.js';

describe.each(KINDS)('globNames on %s', (kind) => {
  let h: Harness;
  let fs: FileSystem;
  let home: string;

  beforeEach(async () => {
    h = await createHarness(kind);
    fs = h.fs;
    // Glob-special characters in the folder itself must not be read as a pattern.
    home = join(h.root, 'home [x] (y) *');
    await fs.mkdir(join(home, '.claude', 'projects'), { recursive: true });
    await fs.mkdir(join(home, '.claude-2', '.claude-nested'), { recursive: true });
    await fs.mkdir(join(home, '.claude-work'));
    await fs.writeFile(join(home, '.claude-file'), '');
    await fs.writeFile(join(home, '.claude.json'), '{}');
    await fs.symlink(join(home, '.claude-2'), join(home, '.claude-link'));
    await fs.symlink(join(home, 'nowhere'), join(home, '.claude-dangling'));
    await fs.mkdir(join(home, 'claude-3'));
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('lists the dot entries directly in the folder that match, of every type, sorted', async () => {
    expect(await globNames(fs, home, '.claude-*')).toEqual([
      '.claude-2',
      '.claude-dangling',
      '.claude-file',
      '.claude-link',
      '.claude-work',
    ]);
  });

  it('takes other patterns: character classes, braces, a plain name', async () => {
    expect(await globNames(fs, home, '.claude-[0-9]')).toEqual(['.claude-2']);
    expect(await globNames(fs, home, '{.claude,claude-3}')).toEqual(['.claude', 'claude-3']);
    expect(await globNames(fs, home, '.claude-work')).toEqual(['.claude-work']);
    expect(await globNames(fs, home, '.claude-missing')).toEqual([]);
  });

  it('does not descend, not even through a link', async () => {
    const all = await globNames(fs, home, '**');
    expect(all).not.toContain('.claude-2/.claude-nested');
    expect(all.every((n) => !n.includes('/'))).toBe(true);
  });

  it('answers [] for a missing or unreadable folder', async () => {
    expect(await globNames(fs, join(home, 'missing'), '*')).toEqual([]);
    expect(await globNames(denyFs(fs, [home]), home, '.claude-*')).toEqual([]);
  });
});

describe('globToRegExp', () => {
  const cases: [string, string, boolean][] = [
    ['.claude-*', '.claude-2', true],
    ['.claude-*', '.claude', false],
    ['*', '.hidden', true],
    ['**', 'a', true],
    ['a/*', 'a', false],
    ['.claude-?', '.claude-2', true],
    ['.claude-?', '.claude-22', false],
    ['.claude-[0-9]', '.claude-7', true],
    ['.claude-[0-9]', '.claude-x', false],
    ['.claude-[!0-9]', '.claude-x', true],
    ['.claude-[^0-9]', '.claude-1', false],
    ['[]]', ']', true],
    ['[a-]', '-', true],
    ['{.cc-two,.claude-2}', '.claude-2', true],
    ['{.cc-two,.claude-2}', '.cc-two', true],
    ['{.cc-two,.claude-2}', '.cc-three', false],
    ['x{a,{b,c}}', 'xc', true],
    ['{a}', '{a}', true],
    ['{a,b', '{a,b', true],
    ['[ab', '[ab', true],
    ['a.b', 'axb', false],
    ['(x)+', '(x)+', true],
    ['\\*', '*', true],
    ['\\*', 'x', false],
    ['ü*', 'über', true],
  ];
  it.each(cases)('%s against %s: %s', (pattern, name, expected) => {
    expect(globToRegExp(pattern).test(name)).toBe(expected);
  });

  it('agrees with bash pattern matching (extglob off) on the same cases', () => {
    // bash's [[ name == pattern ]] is an independent implementation of the same rules
    // for everything but braces (a bash expansion, not a pattern).
    const plain = cases.filter(([p]) => !p.includes('{') && !p.includes('/'));
    const script = plain.map(([p, n]) => `[[ ${shellQuote(n)} == ${bashPattern(p)} ]] && echo 1 || echo 0`).join('\n');
    const out = execFileSync('bash', ['-c', `shopt -s dotglob\n${script}`], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(out.map((o) => o === '1')).toEqual(plain.map(([p, n]) => globToRegExp(p).test(n)));
  });
});

/** A word bash reads literally. */
function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** The pattern for the right side of [[ == ]]: specials kept, everything else quoted. */
function bashPattern(p: string): string {
  let out = '';
  for (const c of p) out += '*?[]!^-\\'.includes(c) ? c : shellQuote(c);
  return out;
}
