import { describe, expect, it } from 'vitest';
import {
  absolutePath,
  claudeJsonPath,
  defaultSharedDir,
  expandHome,
  resolveConfigDir,
} from '../../src/layout/config-dir.js';

const HOME = '/home/dev';
const CWD = '/work/here';

describe('resolveConfigDir', () => {
  it('is ~/.claude when CLAUDE_CONFIG_DIR is unset', () => {
    expect(resolveConfigDir({}, HOME, CWD)).toBe('/home/dev/.claude');
    expect(resolveConfigDir({ OTHER: 'x', CLAUDE_CONFIG_DIR: undefined }, HOME, CWD)).toBe('/home/dev/.claude');
  });

  it('is CLAUDE_CONFIG_DIR when set, normalised', () => {
    expect(resolveConfigDir({ CLAUDE_CONFIG_DIR: '/opt/acct-2' }, HOME, CWD)).toBe('/opt/acct-2');
    expect(resolveConfigDir({ CLAUDE_CONFIG_DIR: '/opt/x/../acct-2/' }, HOME, CWD)).toBe('/opt/acct-2');
  });

  it('counts an empty CLAUDE_CONFIG_DIR as set: the current folder, as Claude Code reads it', () => {
    expect(resolveConfigDir({ CLAUDE_CONFIG_DIR: '' }, HOME, CWD)).toBe(CWD);
    expect(resolveConfigDir({ CLAUDE_CONFIG_DIR: '' }, HOME)).toBe(HOME);
  });

  it('expands ~ and ~/...', () => {
    expect(resolveConfigDir({ CLAUDE_CONFIG_DIR: '~' }, HOME, CWD)).toBe(HOME);
    expect(resolveConfigDir({ CLAUDE_CONFIG_DIR: '~/.claude-2' }, HOME, CWD)).toBe('/home/dev/.claude-2');
  });

  it('resolves a relative value against cwd (default: home)', () => {
    expect(resolveConfigDir({ CLAUDE_CONFIG_DIR: 'accounts/two' }, HOME, CWD)).toBe('/work/here/accounts/two');
    expect(resolveConfigDir({ CLAUDE_CONFIG_DIR: '../two' }, HOME, CWD)).toBe('/work/two');
    expect(resolveConfigDir({ CLAUDE_CONFIG_DIR: '.claude-9' }, HOME)).toBe('/home/dev/.claude-9');
  });

  it('does not expand ~user or a ~ inside a path', () => {
    expect(resolveConfigDir({ CLAUDE_CONFIG_DIR: '~other/x' }, HOME, CWD)).toBe('/work/here/~other/x');
    expect(resolveConfigDir({ CLAUDE_CONFIG_DIR: '/a/~/b' }, HOME, CWD)).toBe('/a/~/b');
  });
});

describe('claudeJsonPath', () => {
  it('is ~/.claude.json (beside, not inside, ~/.claude) when CLAUDE_CONFIG_DIR is unset', () => {
    expect(claudeJsonPath({}, HOME, CWD)).toBe('/home/dev/.claude.json');
  });

  it('is inside the config dir when CLAUDE_CONFIG_DIR is set, even to ~/.claude or empty', () => {
    expect(claudeJsonPath({ CLAUDE_CONFIG_DIR: '/opt/acct-2' }, HOME, CWD)).toBe('/opt/acct-2/.claude.json');
    expect(claudeJsonPath({ CLAUDE_CONFIG_DIR: '~/.claude' }, HOME, CWD)).toBe('/home/dev/.claude/.claude.json');
    expect(claudeJsonPath({ CLAUDE_CONFIG_DIR: '' }, HOME, CWD)).toBe('/work/here/.claude.json');
    expect(claudeJsonPath({ CLAUDE_CONFIG_DIR: 'rel' }, HOME, CWD)).toBe('/work/here/rel/.claude.json');
  });
});

describe('expandHome, absolutePath, defaultSharedDir', () => {
  it('expandHome only touches a leading ~ alone or before a separator', () => {
    expect(expandHome('~', HOME)).toBe(HOME);
    expect(expandHome('~/a/b', HOME)).toBe('/home/dev/a/b');
    expect(expandHome('~\\a', HOME)).toBe('/home/dev/a');
    expect(expandHome('~a', HOME)).toBe('~a');
    expect(expandHome('a/~', HOME)).toBe('a/~');
    expect(expandHome('/abs', HOME)).toBe('/abs');
  });

  it('absolutePath expands, resolves and normalises', () => {
    expect(absolutePath('~/x/../y', HOME, CWD)).toBe('/home/dev/y');
    expect(absolutePath('x', HOME, CWD)).toBe('/work/here/x');
    expect(absolutePath('/a//b/', HOME, CWD)).toBe('/a/b');
  });

  it('defaultSharedDir is ~/.claude-shared/<folder>', () => {
    expect(defaultSharedDir(HOME)).toBe('/home/dev/.claude-shared/projects');
    expect(defaultSharedDir(HOME, 'memory')).toBe('/home/dev/.claude-shared/memory');
  });
});
