import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DiscoverOptions, defaultIsProcessAlive, discoverAccounts } from '../../src/accounts/discover.js';
import type { Account } from '../../src/accounts/types.js';
import { ErrorCodes } from '../../src/errors.js';
import type { FileSystem } from '../../src/fs/types.js';
import { denyFs, faultyFs } from '../support/faulty-fs.js';
import { copyFixture, FIXTURE_ACCOUNTS, FIXTURE_DIR, fixtureExpected, fixtureOnMemfs } from '../support/fixture.js';
import { createHarness, type Harness, KINDS } from '../support/harness.js';

/** A session id that is a valid uuid. */
const sid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

type Node = string | null | { link: string };

/** Creates `tree` under `base`: strings are files, null folders, `{ link }` symlinks. */
async function seed(fs: FileSystem, base: string, tree: Record<string, Node>): Promise<void> {
  for (const [rel, node] of Object.entries(tree)) {
    const path = join(base, rel);
    const parent = join(path, '..');
    await fs.mkdir(parent, { recursive: true });
    if (node === null) await fs.mkdir(path, { recursive: true });
    else if (typeof node === 'string') await fs.writeFile(path, node);
    else await fs.symlink(node.link, path);
  }
}

const pick = (a: Account) => ({ path: a.path, source: a.source, label: a.label });

describe.each(KINDS)('discoverAccounts on %s', (kind) => {
  let h: Harness;
  let fs: FileSystem;
  let home: string;
  const at = (...parts: string[]) => join(home, ...parts);
  const discover = (options: Partial<DiscoverOptions> = {}) =>
    discoverAccounts({ fs, home, env: {}, cwd: home, isProcessAlive: () => false, ...options });

  beforeEach(async () => {
    h = await createHarness(kind);
    fs = h.fs;
    home = join(h.root, 'home');
    await fs.mkdir(home);
  });
  afterEach(async () => {
    await h.cleanup();
  });

  describe('finding config dirs', () => {
    it('finds ~/.claude and reports it in full', async () => {
      await seed(fs, home, {
        [`.claude/projects/-p/${sid(1)}.jsonl`]: 'abc\n',
        [`.claude/projects/-p/${sid(2)}.jsonl`]: '0123456789',
      });
      const accounts = await discover();
      expect(accounts).toEqual([
        {
          path: at('.claude'),
          realPath: at('.claude'),
          label: '.claude',
          source: 'default',
          exists: true,
          folders: { projects: { name: 'projects', path: at('.claude', 'projects'), kind: 'directory' } },
          projects: { name: 'projects', path: at('.claude', 'projects'), kind: 'directory' },
          sessions: 2,
          sessionBytes: 14,
          projectCount: 1,
          backups: [],
          runningPids: [],
          cleanupPeriodDays: 30,
          cleanupPeriodDaysSet: false,
          problems: [],
        },
      ]);
    });

    it('finds nothing in an empty home, and never fails on a missing one', async () => {
      expect(await discover()).toEqual([]);
      expect(await discover({ home: join(h.root, 'no-such-home') })).toEqual([]);
    });

    it('finds ~/.claude-* siblings that look like config dirs, and leaves out the rest', async () => {
      await seed(fs, home, {
        '.claude/projects': null,
        '.claude-2/projects': null,
        '.claude-work/settings.json': '{}',
        '.claude-empty': null,
        '.claude-code-router/config.json': '{}',
        '.claude-2.bak.1795761125/projects': null,
        '.claude-2.bak/projects': null,
        '.claude-backup/projects': null,
        '.claude-bak2/projects': null,
        '.claude-2.old/projects': null,
        '.claude-orig/projects': null,
        '.claude-3~/projects': null,
        '.claude-shared/projects': null,
        '.claude-file': 'not a folder',
        '.claude-dangling': { link: at('nowhere') },
        'claude-9/projects': null,
        '.claude-bakery/projects': null,
      });
      const accounts = await discover();
      expect(accounts.map(pick)).toEqual([
        { path: at('.claude'), source: 'default', label: '.claude' },
        { path: at('.claude-2'), source: 'sibling', label: '.claude-2' },
        { path: at('.claude-bakery'), source: 'sibling', label: '.claude-bakery' },
        { path: at('.claude-work'), source: 'sibling', label: '.claude-work' },
      ]);
    });

    it('finds siblings without ~/.claude, and with a pattern of the caller', async () => {
      await seed(fs, home, {
        '.claude-2/projects': null,
        '.cc-one/history.jsonl': '',
        '.cc-two/todos': null,
        '.cc-three/nothing-here': '',
      });
      expect((await discover()).map((a) => a.label)).toEqual(['.claude-2']);
      expect((await discover({ pattern: '.cc-*' })).map((a) => a.label)).toEqual(['.cc-one', '.cc-two']);
      expect((await discover({ pattern: '{.cc-two,.claude-2}' })).map((a) => a.label)).toEqual([
        '.cc-two',
        '.claude-2',
      ]);
    });

    it('never takes the shared folder’s parent for an account, wherever this run shares', async () => {
      // Bug fixed: with a custom sharedDir, ~/.claude-shared (left by an earlier run) was
      // discovered as an account.
      await seed(fs, home, {
        '.claude/projects': null,
        '.claude-shared/projects': null,
        '.claude-pool/projects': null,
      });
      expect((await discover()).map((a) => a.label)).toEqual(['.claude', '.claude-pool']);
      expect((await discover({ sharedDir: '~/.claude-pool/projects' })).map((a) => a.label)).toEqual(['.claude']);
      expect((await discover({ sharedDir: join(h.root, 'elsewhere', 'projects') })).map((a) => a.label)).toEqual([
        '.claude',
        '.claude-pool',
      ]);
    });

    it('adds CLAUDE_CONFIG_DIR first, with ~ expanded, and merges it with the same folder found otherwise', async () => {
      await seed(fs, h.root, { 'opt/acct/settings.json': '{}' });
      await seed(fs, home, { '.claude/projects': null, '.claude-2/projects': null });
      const env = { CLAUDE_CONFIG_DIR: join(h.root, 'opt', 'acct') };
      expect((await discover({ env })).map(pick)).toEqual([
        { path: join(h.root, 'opt', 'acct'), source: 'env', label: 'acct' },
        { path: at('.claude'), source: 'default', label: '.claude' },
        { path: at('.claude-2'), source: 'sibling', label: '.claude-2' },
      ]);
      expect((await discover({ env: { CLAUDE_CONFIG_DIR: '~/.claude-2' } })).map(pick)).toEqual([
        { path: at('.claude-2'), source: 'env', label: '.claude-2' },
        { path: at('.claude'), source: 'default', label: '.claude' },
      ]);
      expect((await discover({ env, includeEnv: false })).map((a) => a.label)).toEqual(['.claude', '.claude-2']);
    });

    it('reads an empty CLAUDE_CONFIG_DIR as set: the current folder', async () => {
      await seed(fs, h.root, { 'work/acct/settings.json': '{}' });
      const accounts = await discover({ env: { CLAUDE_CONFIG_DIR: '' }, cwd: join(h.root, 'work', 'acct') });
      expect(accounts.map(pick)).toEqual([{ path: join(h.root, 'work', 'acct'), source: 'env', label: 'acct' }]);
    });

    it('reports a CLAUDE_CONFIG_DIR that does not exist, and skips one that is the shared folder', async () => {
      const missing = await discover({ env: { CLAUDE_CONFIG_DIR: join(h.root, 'gone') } });
      expect(missing).toHaveLength(1);
      expect(missing[0]?.exists).toBe(false);
      expect(missing[0]?.problems.map((p) => p.code)).toEqual([ErrorCodes.NOT_FOUND]);
      await seed(fs, home, { '.claude-shared/projects': null });
      expect(await discover({ env: { CLAUDE_CONFIG_DIR: '~/.claude-shared' } })).toEqual([]);
    });

    it('takes an explicit list as it is: in order, ~ and relative paths resolved, nothing else added', async () => {
      await seed(fs, home, {
        '.claude/projects': null,
        '.claude-work/projects': null,
        'rel-acct/settings.json': '{}',
      });
      await seed(fs, h.root, { 'opt/acct': null });
      const accounts = await discover({
        accounts: ['~/.claude-work', join(h.root, 'opt', 'acct'), 'rel-acct'],
        env: { CLAUDE_CONFIG_DIR: at('.claude') },
      });
      expect(accounts.map(pick)).toEqual([
        { path: at('.claude-work'), source: 'explicit', label: '.claude-work' },
        { path: join(h.root, 'opt', 'acct'), source: 'explicit', label: 'acct' },
        { path: at('rel-acct'), source: 'explicit', label: 'rel-acct' },
      ]);
      const both = await discover({ accounts: ['~/.claude'], discover: true });
      expect(both.map(pick)).toEqual([
        { path: at('.claude'), source: 'explicit', label: '.claude' },
        { path: at('.claude-work'), source: 'sibling', label: '.claude-work' },
      ]);
    });

    it('merges duplicates by real path: a link to an account, the same folder listed twice', async () => {
      await seed(fs, home, {
        '.claude/projects': null,
        [`.claude-2/projects/-p/${sid(1)}.jsonl`]: 'x',
        '.claude-link': { link: at('.claude-2') },
        '.claude-rel': { link: '.claude-2' },
      });
      expect((await discover()).map(pick)).toEqual([
        { path: at('.claude'), source: 'default', label: '.claude' },
        { path: at('.claude-2'), source: 'sibling', label: '.claude-2' },
      ]);
      const explicit = await discover({ accounts: ['~/.claude-link', '~/.claude-2', '~/.claude-2/', '~/.claude-rel'] });
      expect(explicit).toHaveLength(1);
      expect(explicit[0]).toMatchObject({ path: at('.claude-link'), realPath: at('.claude-2'), sessions: 1 });
    });

    it('refuses a named account that does not exist or is a file (ENOTFOUND_ACCOUNT), naming each', async () => {
      await seed(fs, home, { '.claude/projects': null, 'a-file': 'x' });
      const refused = await discover({ accounts: ['~/.claude', '~/.claude-gone', '~/a-file'] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toMatchObject({
        code: ErrorCodes.NOT_FOUND,
        path: at('.claude-gone'),
        message: expect.stringContaining(`${at('.claude-gone')} does not exist`),
        details: [
          { path: at('.claude-gone'), problems: [expect.objectContaining({ code: ErrorCodes.NOT_FOUND })] },
          { path: at('a-file'), problems: [expect.objectContaining({ code: ErrorCodes.NOT_A_DIRECTORY })] },
        ],
      });
      expect((refused as Error).message).toContain(`as were ${at('a-file')}`);
    });

    it('refuses a named config dir it cannot read (EPERMISSION); found through CLAUDE_CONFIG_DIR, it is reported on that account only', async () => {
      await seed(fs, home, { '.claude/projects': null, '.claude-2/projects': null });
      const denied = denyFs(fs, [at('.claude-2')], ['stat', 'readdir']);
      const refused = await discoverAccounts({
        fs: denied,
        home,
        env: {},
        accounts: ['~/.claude', '~/.claude-2'],
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toMatchObject({ code: ErrorCodes.PERMISSION, path: at('.claude-2') });
      const accounts = await discoverAccounts({ fs: denied, home, env: { CLAUDE_CONFIG_DIR: at('.claude-2') } });
      const found = accounts.find((a) => a.path === at('.claude-2'));
      expect(accounts.find((a) => a.path === at('.claude'))?.problems).toEqual([]);
      expect(found?.exists).toBe(false);
      expect(found?.problems.map((p) => p.code)).toEqual([ErrorCodes.PERMISSION]);
      // Bug fixed: it said 'missing' although nobody could look.
      expect(found?.projects.kind).toBe('unreadable');
    });
  });

  describe('the state of projects/', () => {
    const shared = () => at('.claude-shared', 'projects');
    const stateOf = async (tree: Record<string, Node>, options: Partial<DiscoverOptions> = {}) => {
      await seed(fs, home, { '.claude-shared/projects': null, ...tree });
      const [account] = await discover({ accounts: ['~/acct'], ...options });
      return account as Account;
    };

    it('missing', async () => {
      const a = await stateOf({ 'acct/settings.json': '{}' });
      expect(a.projects).toEqual({ name: 'projects', path: at('acct', 'projects'), kind: 'missing' });
      expect(a.sessions).toBe(0);
    });

    it('a real directory', async () => {
      expect((await stateOf({ 'acct/projects': null })).projects.kind).toBe('directory');
    });

    it.each([
      ['an absolute link', (s: string) => s],
      ['a relative link', () => '../.claude-shared/projects'],
      ['a link with a trailing slash', (s: string) => `${s}/`],
    ])('linked to the shared folder through %s', async (_what, text) => {
      await seed(fs, home, { [`.claude-shared/projects/-p/${sid(7)}.jsonl`]: 'shared!' });
      const a = await stateOf({ 'acct/projects': { link: text(shared()) } });
      expect(a.projects).toEqual({
        name: 'projects',
        path: at('acct', 'projects'),
        kind: 'linked',
        linkText: text(shared()),
        linkTarget: shared(),
      });
      expect([a.sessions, a.sessionBytes]).toEqual([1, 7]);
    });

    it('linked through a chain of links, and to a shared folder given by the caller', async () => {
      await seed(fs, home, { hop: { link: join('.claude-shared', 'projects') } });
      expect((await stateOf({ 'acct/projects': { link: at('hop') } })).projects.kind).toBe('linked');
      await seed(fs, h.root, { 'pool/projects': null });
      const custom = await stateOf(
        { 'acct2/projects': { link: join(h.root, 'pool', 'projects') } },
        { accounts: ['~/acct2'], sharedDir: join(h.root, 'pool', 'projects') },
      );
      expect(custom.projects.kind).toBe('linked');
    });

    it('a link elsewhere: its sessions are counted through it', async () => {
      const a = await stateOf({
        [`other/-p/${sid(3)}.jsonl`]: '12345',
        'acct/projects': { link: at('other') },
      });
      expect(a.projects).toMatchObject({ kind: 'symlink-elsewhere', linkText: at('other'), linkTarget: at('other') });
      expect([a.sessions, a.sessionBytes]).toEqual([1, 5]);
    });

    it('a dangling link, and a link loop (reported as dangling)', async () => {
      const a = await stateOf({ 'acct/projects': { link: '../gone' } });
      expect(a.projects).toEqual({
        name: 'projects',
        path: at('acct', 'projects'),
        kind: 'dangling-symlink',
        linkText: '../gone',
        linkTarget: at('gone'),
      });
      const loop = await stateOf({ 'acct2/projects': { link: 'projects' } }, { accounts: ['~/acct2'] });
      expect(loop.projects.kind).toBe('dangling-symlink');
      expect(loop.problems).toEqual([]);
    });

    it('not a directory: a file, or a link to a file', async () => {
      expect((await stateOf({ 'acct/projects': 'oops' })).projects.kind).toBe('not-a-directory');
      const viaLink = await stateOf(
        { 'acct2/file': 'x', 'acct2/projects': { link: 'file' } },
        { accounts: ['~/acct2'] },
      );
      expect(viaLink.projects).toMatchObject({ kind: 'not-a-directory', linkText: 'file' });
    });

    it('unreadable (permission denied on lstat), reported on that account', async () => {
      await seed(fs, home, { 'acct/projects': null, 'ok/projects': null });
      const denied = denyFs(fs, [at('acct', 'projects')], ['lstat']);
      const accounts = await discoverAccounts({ fs: denied, home, env: {}, accounts: ['~/acct', '~/ok'] });
      expect(accounts[0]?.projects.kind).toBe('unreadable');
      expect(accounts[0]?.problems).toEqual([
        expect.objectContaining({ code: ErrorCodes.PERMISSION, path: at('acct', 'projects') }),
      ]);
      expect(accounts[1]?.projects.kind).toBe('directory');
      expect(accounts[1]?.problems).toEqual([]);
    });

    it('a link whose text cannot be read: unreadable, not a crash of the whole discovery', async () => {
      // Bug fixed: readlink was outside any try, so one EACCES failed discoverAccounts.
      await seed(fs, home, {
        '.claude-shared/projects': null,
        'acct/projects': { link: shared() },
        'ok/projects': null,
      });
      const denied = denyFs(fs, [at('acct', 'projects')], ['readlink']);
      const accounts = await discoverAccounts({ fs: denied, home, env: {}, accounts: ['~/acct', '~/ok'] });
      expect(accounts.map((a) => a.projects.kind)).toEqual(['unreadable', 'directory']);
      expect(accounts[0]?.problems.map((p) => p.code)).toEqual([ErrorCodes.PERMISSION]);
    });

    it('a link gone between lstat and readlink (a concurrent rollback) reads as missing', async () => {
      await seed(fs, home, { '.claude-shared/projects': null, 'acct/projects': { link: shared() } });
      const racing = faultyFs(fs, {
        when: (c) => c.call === 'readlink' && c.path === at('acct', 'projects'),
        failAt: 1,
        mode: 'from',
        code: 'ENOENT',
      });
      const [a] = await discoverAccounts({ fs: racing, home, env: {}, accounts: ['~/acct'] });
      expect(a?.projects.kind).toBe('missing');
      expect(a?.problems).toEqual([]);
    });

    it('reports other folders when asked, each against its own shared folder', async () => {
      const a = await stateOf(
        {
          '.claude-shared/memory': null,
          'acct/projects': null,
          'acct/memory': { link: at('.claude-shared', 'memory') },
          'acct/todos': 'file',
        },
        { folders: ['memory', 'todos', 'file-history'] },
      );
      expect(Object.fromEntries(Object.entries(a.folders).map(([k, v]) => [k, v.kind]))).toEqual({
        projects: 'directory',
        memory: 'linked',
        todos: 'not-a-directory',
        'file-history': 'missing',
      });
    });
  });

  describe('sessions, backups, running processes, settings', () => {
    it('counts only <uuid>.jsonl files directly in project folders, and their bytes', async () => {
      await seed(fs, home, {
        [`acct/projects/-p1/${sid(1)}.jsonl`]: '12345',
        [`acct/projects/-p1/${sid(2)}.jsonl`]: '1234567',
        [`acct/projects/-p1/${sid(2)}/subagents/agent-a1.jsonl`]: 'not a session',
        'acct/projects/-p1/memory/MEMORY.md': 'notes',
        'acct/projects/-p1/sessions-index.json': '{}',
        'acct/projects/-p1/agent-1a2b3c4d.jsonl': 'legacy',
        'acct/projects/-p1/notes.jsonl': 'x',
        [`acct/projects/-p1/${sid(9)}.jsonl.tmp`]: 'x',
        [`acct/projects/-p1/${sid(3)}.jsonl`]: { link: `${sid(1)}.jsonl` },
        [`acct/projects/-p1/${sid(4)}.jsonl/inner`]: 'a folder named like a session',
        [`acct/projects/-p2/${sid(5)}.jsonl`]: 'x'.repeat(100),
        'acct/projects/-p3': null,
        'acct/projects/-linked-project': { link: '-p2' },
        [`acct/projects/${sid(6)}.jsonl`]: 'top level, not in a project',
      });
      const [a] = await discover({ accounts: ['~/acct'] });
      expect([a?.sessions, a?.sessionBytes, a?.projectCount]).toEqual([3, 112, 3]);
      expect(a?.problems).toEqual([]);
    });

    it('reports an unreadable projects/ or project folder and counts the rest', async () => {
      await seed(fs, home, {
        [`acct/projects/-p1/${sid(1)}.jsonl`]: '12345',
        [`acct/projects/-p2/${sid(2)}.jsonl`]: '12',
        [`other/projects/-p/${sid(3)}.jsonl`]: '1',
      });
      const denied = denyFs(fs, [at('acct', 'projects', '-p2'), at('other', 'projects')], ['readdir']);
      const accounts = await discoverAccounts({ fs: denied, home, env: {}, accounts: ['~/acct', '~/other'] });
      expect([accounts[0]?.sessions, accounts[0]?.sessionBytes, accounts[0]?.projectCount]).toEqual([1, 5, 2]);
      expect(accounts[0]?.problems).toEqual([
        expect.objectContaining({ code: ErrorCodes.PERMISSION, path: at('acct', 'projects', '-p2') }),
      ]);
      expect([accounts[1]?.projects.kind, accounts[1]?.sessions]).toEqual(['directory', 0]);
      expect(accounts[1]?.problems.map((p) => p.code)).toEqual([ErrorCodes.PERMISSION]);
    });

    it('lists backups newest first (numeric stamps), folders and links only', async () => {
      await seed(fs, home, {
        'acct/projects': null,
        'acct/projects.bak.99': null,
        'acct/projects.bak.100': null,
        'acct/projects.bak.1795761125': null,
        'acct/projects.bak.1795761125.1': null,
        'acct/memory.bak.1795761200': null,
        'acct/projects.bak.5': 'a file, not a backup',
        'acct/projects.bak.7': { link: 'projects.bak.99' },
        'acct/projects.backup': null,
      });
      const [a] = await discover({ accounts: ['~/acct'] });
      expect(a?.backups).toEqual([
        {
          name: 'memory.bak.1795761200',
          path: at('acct', 'memory.bak.1795761200'),
          folder: 'memory',
          stamp: '1795761200',
        },
        {
          name: 'projects.bak.1795761125.1',
          path: at('acct', 'projects.bak.1795761125.1'),
          folder: 'projects',
          stamp: '1795761125.1',
        },
        {
          name: 'projects.bak.1795761125',
          path: at('acct', 'projects.bak.1795761125'),
          folder: 'projects',
          stamp: '1795761125',
        },
        { name: 'projects.bak.100', path: at('acct', 'projects.bak.100'), folder: 'projects', stamp: '100' },
        { name: 'projects.bak.99', path: at('acct', 'projects.bak.99'), folder: 'projects', stamp: '99' },
        { name: 'projects.bak.7', path: at('acct', 'projects.bak.7'), folder: 'projects', stamp: '7' },
      ]);
    });

    it('lists live pids from sessions/<pid>.json names (injected liveness)', async () => {
      await seed(fs, home, {
        'acct/sessions/123.json': '{}',
        'acct/sessions/456.json': '{}',
        'acct/sessions/789.json': '{}',
        'acct/sessions/notes.txt': '',
        'acct/sessions/abc.json': '{}',
        'acct/sessions/12.json.tmp': '',
        'other/sessions': 'a file, not a folder',
      });
      const asked: number[] = [];
      const accounts = await discover({
        accounts: ['~/acct', '~/other'],
        isProcessAlive: (pid) => {
          asked.push(pid);
          return pid !== 789;
        },
      });
      expect(accounts[0]?.runningPids).toEqual([123, 456]);
      expect(asked.sort((a, b) => a - b)).toEqual([123, 456, 789]);
      expect(accounts[1]?.runningPids).toEqual([]);
      expect(accounts[1]?.problems).toEqual([]);
    });

    it('reports an unreadable sessions/ folder', async () => {
      await seed(fs, home, { 'acct/sessions/1.json': '{}' });
      const denied = denyFs(fs, [at('acct', 'sessions')], ['readdir']);
      const [a] = await discoverAccounts({
        fs: denied,
        home,
        env: {},
        accounts: ['~/acct'],
        isProcessAlive: () => true,
      });
      expect(a?.runningPids).toEqual([]);
      expect(a?.problems).toEqual([
        expect.objectContaining({ code: ErrorCodes.PERMISSION, path: at('acct', 'sessions') }),
      ]);
    });

    it('reads cleanupPeriodDays: unset -> 30, set, with a BOM', async () => {
      await seed(fs, home, {
        'none/projects': null,
        'empty/settings.json': '{}',
        'seven/settings.json': '{"cleanupPeriodDays": 7, "model": "x"}',
        'bom/settings.json': '\uFEFF{"cleanupPeriodDays": 14}',
        'long/settings.json': '{"cleanupPeriodDays": 3650}',
      });
      const accounts = await discover({ accounts: ['~/none', '~/empty', '~/seven', '~/bom', '~/long'] });
      expect(accounts.map((a) => [a.label, a.cleanupPeriodDays, a.cleanupPeriodDaysSet, a.problems])).toEqual([
        ['none', 30, false, []],
        ['empty', 30, false, []],
        ['seven', 7, true, []],
        ['bom', 14, true, []],
        ['long', 3650, true, []],
      ]);
    });

    it('reports a malformed settings.json on that account only', async () => {
      await seed(fs, home, {
        'bad/settings.json': '{"cleanupPeriodDays": 7,',
        'good/settings.json': '{"cleanupPeriodDays": 9}',
      });
      const accounts = await discover({ accounts: ['~/bad', '~/good'] });
      expect(accounts[0]).toMatchObject({ cleanupPeriodDays: 30, cleanupPeriodDaysSet: false });
      expect(accounts[0]?.problems).toEqual([
        expect.objectContaining({ code: 'ESETTINGS_MALFORMED', path: at('bad', 'settings.json') }),
      ]);
      expect(accounts[1]).toMatchObject({ cleanupPeriodDays: 9, cleanupPeriodDaysSet: true, problems: [] });
    });

    it.each(['0', '-3', '"30"', 'null', 'true', '1e999', '[7]'])(
      'reports cleanupPeriodDays: %s as invalid and falls back to 30',
      async (value) => {
        await seed(fs, home, { 'acct/settings.json': `{"cleanupPeriodDays": ${value}}` });
        const [a] = await discover({ accounts: ['~/acct'] });
        expect(a).toMatchObject({ cleanupPeriodDays: 30, cleanupPeriodDaysSet: false });
        expect(a?.problems.map((p) => p.code)).toEqual(['ESETTINGS_CLEANUP']);
        expect(a?.problems[0]?.message).toContain('cleanupPeriodDays');
      },
    );

    it('reports a settings.json that cannot be read', async () => {
      await seed(fs, home, { 'acct/settings.json': '{}', 'dir/settings.json/inner': 'x' });
      const denied = denyFs(fs, [at('acct', 'settings.json')], ['readFile']);
      const accounts = await discoverAccounts({ fs: denied, home, env: {}, accounts: ['~/acct', '~/dir'] });
      expect(accounts[0]?.problems.map((p) => p.code)).toEqual([ErrorCodes.PERMISSION]);
      expect(accounts[1]?.problems.map((p) => p.code)).toEqual([ErrorCodes.IO]);
      expect(accounts.map((a) => a.cleanupPeriodDays)).toEqual([30, 30]);
    });
  });
});

describe('running processes, for real', () => {
  it('defaultIsProcessAlive: this process is alive, an exited child is not, nonsense pids are not', () => {
    const child = spawnSync(process.execPath, ['-e', '']);
    expect(child.pid).toBeGreaterThan(0);
    expect(defaultIsProcessAlive(process.pid)).toBe(true);
    expect(defaultIsProcessAlive(child.pid as number)).toBe(false);
    for (const pid of [0, -1, 1.5, Number.NaN, 2 ** 53]) expect(defaultIsProcessAlive(pid)).toBe(false);
  });

  it('discoverAccounts reports the live pid and not the dead one', async () => {
    const h = await createHarness('node');
    try {
      const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
      const home = join(h.root, 'home');
      await seed(h.fs, home, {
        [`.claude/sessions/${process.pid}.json`]: '{}',
        [`.claude/sessions/${dead}.json`]: '{}',
      });
      const [a] = await discoverAccounts({ fs: h.fs, home, env: {} });
      expect(a?.runningPids).toEqual([process.pid]);
    } finally {
      await h.cleanup();
    }
  });
});

describe('the fixture’s three accounts', () => {
  /** Expected counts from the fixture's own files, read with node:fs. */
  const expected = (account: string) => {
    const mtimes = JSON.parse(readFileSync(join(FIXTURE_DIR, 'mtimes.json'), 'utf8')) as Record<string, number>;
    const transcripts = Object.keys(mtimes).filter((rel) =>
      new RegExp(`^${account}/projects/[^/]+/[0-9a-f-]{36}\\.jsonl$`).test(rel),
    );
    return {
      sessions: transcripts.length,
      sessionBytes: transcripts.reduce((n, rel) => n + statSync(join(FIXTURE_DIR, rel)).size, 0),
      projectCount: readdirSync(join(FIXTURE_DIR, account, 'projects')).length,
    };
  };

  const check = (accounts: Account[], home: string) => {
    expect(accounts.map((a) => a.path)).toEqual(FIXTURE_ACCOUNTS.map((a) => join(home, a)));
    expect(accounts.map((a) => a.sessions)).toEqual([11, 11, 12]);
    for (const [i, account] of FIXTURE_ACCOUNTS.entries()) {
      const a = accounts[i] as Account;
      expect({ sessions: a.sessions, sessionBytes: a.sessionBytes, projectCount: a.projectCount }).toEqual(
        expected(account),
      );
      expect(a.sessions).toBe(fixtureExpected(account, 'listSessions').length);
      expect(a).toMatchObject({
        source: 'explicit',
        label: account,
        exists: true,
        backups: [],
        runningPids: [],
        cleanupPeriodDays: 30,
        cleanupPeriodDaysSet: false,
        problems: [],
      });
      expect(a.projects.kind).toBe('directory');
    }
    expect(accounts.reduce((n, a) => n + a.sessionBytes, 0)).toBeGreaterThan(4_000_000);
  };

  it('on a real copy (mtimes restored)', async () => {
    const copy = copyFixture();
    try {
      const accounts = await discoverAccounts({
        home: copy.dir,
        env: {},
        accounts: FIXTURE_ACCOUNTS.map((a) => `~/${a}`),
      });
      check(accounts, copy.dir);
    } finally {
      copy.cleanup();
    }
  });

  it('on memfs', async () => {
    const { fs, root } = await fixtureOnMemfs('/fx');
    const accounts = await discoverAccounts({
      fs,
      home: root,
      env: {},
      accounts: FIXTURE_ACCOUNTS.map((a) => `~/${a}`),
    });
    check(accounts, root);
  });
});
