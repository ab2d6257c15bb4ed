import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, json, makeSandbox, type TestSandbox } from './support.js';

interface StatusJSON {
  home: string;
  accounts: {
    path: string;
    projects: { kind: string };
    sessions: number;
    sessionBytes: number;
    runningPids: number[];
    cleanupPeriodDays: number;
    backups: unknown[];
    problems: { code: string }[];
  }[];
  shared: { folder: string; path: string; exists: boolean; sessions: number; linkedAccounts: string[] }[];
}

describe('status', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await makeSandbox();
  });
  afterEach(() => sb.cleanup());

  it('prints one row per account, then the shared folder, and changes nothing', async () => {
    const before = await sb.dump();
    const r = cli(['status', ...sb.args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\s+~\/\.claude[\w-]*\s/.test(l));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/~\/\.claude\s+directory\s+\d+\s+[\d.]+ KB\s+no\s+no\s+30d/);
    expect(rows[1]).toMatch(/~\/\.claude-2\s+directory.*14d/);
    expect(r.stdout).toMatch(/Shared\n\s+~\/\.claude-shared\/projects\s+not created yet/);
    expect(await sb.dump()).toEqual(before);
  });

  it('--json prints the accounts and shared totals as one JSON document', () => {
    const r = cli(['status', '--json', ...sb.args]);
    expect(r.code).toBe(0);
    const out = json<StatusJSON>(r);
    expect(out.accounts.map((a) => a.path)).toEqual(sb.accounts);
    for (const a of out.accounts) {
      expect(a.projects.kind).toBe('directory');
      expect(a.sessions).toBeGreaterThanOrEqual(3);
      expect(a.sessionBytes).toBeGreaterThan(0);
      expect(a.runningPids).toEqual([]);
    }
    expect(out.accounts.map((a) => a.cleanupPeriodDays)).toEqual([30, 14, 90]);
    expect(out.shared).toEqual([
      expect.objectContaining({
        folder: 'projects',
        path: sb.sharedDir,
        exists: false,
        sessions: 0,
        linkedAccounts: [],
      }),
    ]);
  });

  it('discovers the accounts in --home when --accounts is not given', () => {
    const out = json<StatusJSON>(cli(['status', '--json', '--home', sb.home]));
    expect(out.accounts.map((a) => a.path).sort()).toEqual([...sb.accounts].sort());
  });

  it('reports a linked account, a running Claude Code and the shared totals', async () => {
    const [a] = sb.accounts as [string];
    // Make the first account look shared by hand: its projects/ moved to the shared folder.
    await mkdir(join(sb.home, '.claude-shared'), { recursive: true });
    const { rename } = await import('node:fs/promises');
    await rename(join(a, 'projects'), sb.sharedDir);
    await symlink(sb.sharedDir, join(a, 'projects'));
    await writeFile(join(a, 'sessions', `${process.pid}.json`), '{}');
    const out = json<StatusJSON>(cli(['status', '--json', ...sb.args]));
    expect(out.accounts[0]?.projects.kind).toBe('linked');
    expect(out.accounts[0]?.runningPids).toEqual([process.pid]);
    const shared = out.shared[0];
    expect(shared?.exists).toBe(true);
    expect(shared?.sessions).toBe(out.accounts[0]?.sessions);
    expect(shared?.linkedAccounts).toEqual([a]);
    const human = cli(['status', ...sb.args]).stdout;
    expect(human).toMatch(/~\/\.claude\s+linked.*yes\s+yes \(pid \d+\)/);
    expect(human).toMatch(/linked from 1 of 3 accounts/);
  });

  it('refuses an account named with --accounts that does not exist (ENOTFOUND_ACCOUNT, exit 1), not a crash', () => {
    const r = cli(['status', '--home', sb.home, '--accounts', join(sb.home, '.claude-nope')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ENOTFOUND_ACCOUNT: .*\.claude-nope does not exist.*check the account list/m);
  });

  it('refuses to look at per-account folders as shareable (EFORBIDDEN_FOLDER, exit 1)', () => {
    const r = cli(['status', ...sb.args, '--folders', 'sessions']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^EFORBIDDEN_FOLDER: "sessions" is per-account/);
  });

  it('--folders adds a column per folder', () => {
    const r = cli(['status', ...sb.args, '--folders', 'todos']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/projects:directory todos:missing/);
    expect(r.stdout).toMatch(/~\/\.claude-shared\/todos\s+not created yet/);
  });
});
