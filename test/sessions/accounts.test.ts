import { cpSync, mkdirSync, renameSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverAccounts } from '../../src/accounts/discover.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { listSessions } from '../../src/sessions/list.js';
import type { SessionInfo } from '../../src/sessions/types.js';
import { copiedFixture, copyFixture, fixtureExpected } from '../support/fixture.js';
import { HOME, memVolume, PROJECT, sessionPath, sid, transcript } from './support.js';

const T0 = Date.UTC(2026, 0, 2);

describe('several accounts', () => {
  const fx = copiedFixture();

  it('the fixture accounts: one row per session id, with the diverged copies named', async () => {
    const accounts = ['acct-a', 'acct-b', 'acct-c'].map((a) => join(fx.dir, a));
    const { sessions, problems } = await listSessions({ fs: createNodeFileSystem(), accounts });
    expect(problems).toEqual([]);
    const ids = sessions.map((s) => s.sessionId);
    expect(new Set(ids).size).toBe(ids.length);
    // 34 transcripts, two ids present twice.
    expect(sessions).toHaveLength(32);
    for (const id of ['cd132a96', 'ceb3fbf6']) {
      const row = sessions.find((s) => s.sessionId.startsWith(id)) as SessionInfo;
      expect(row.copies).toHaveLength(1);
      expect(row.copies?.[0]?.relation).toBe('diverged');
      expect(row.copies?.[0]?.accounts).toHaveLength(1);
      expect(row.copies?.[0]?.accounts[0]).not.toBe(row.accounts[0]);
      // The row describes the newest copy, as the SDK keeps the newest of equal ids.
      expect(row.lastModified).toBeGreaterThan(row.copies?.[0]?.lastModified ?? Infinity);
    }
    // Every row is what the SDK says for the account holding that file.
    for (const row of sessions) {
      const account = row.accounts[0]?.split('/').pop() as 'acct-a' | 'acct-b' | 'acct-c';
      const expected = fixtureExpected(account, 'listSessions') as { sessionId: string }[];
      expect(expected.find((e) => e.sessionId === row.sessionId)).toMatchObject({
        summary: row.summary,
        lastModified: row.lastModified,
      });
    }
    // Newest first across accounts.
    const times = sessions.map((s) => s.lastModified);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('accounts linked to one shared projects/ folder see one row per session, naming every account', async () => {
    // acct-b and acct-c share acct-a's projects folder through symlinks.
    const shared = join(fx.dir, 'shared-projects');
    cpSync(join(fx.dir, 'acct-a', 'projects'), shared, { recursive: true, preserveTimestamps: true });
    const linked = ['acct-a', 'acct-b', 'acct-c'].map((a) => join(fx.dir, `linked-${a}`));
    for (const a of linked) {
      mkdirSync(a);
      symlinkSync(shared, join(a, 'projects'));
    }
    const { sessions } = await listSessions({ fs: createNodeFileSystem(), accounts: linked });
    expect(sessions.map((s) => s.sessionId)).toEqual(
      (fixtureExpected('acct-a', 'listSessions') as { sessionId: string }[]).map((e) => e.sessionId),
    );
    for (const s of sessions) {
      expect(s.accounts).toEqual(linked);
      expect(s.copies).toBeUndefined();
      expect(s.path.startsWith(shared)).toBe(true);
    }
  });

  it('accepts Accounts from discoverAccounts', async () => {
    const home = join(fx.dir, 'home');
    mkdirSync(home);
    cpSync(join(fx.dir, 'acct-b'), join(home, '.claude'), { recursive: true, preserveTimestamps: true });
    const accounts = await discoverAccounts({ home, env: {} });
    const viaAccounts = await listSessions({ accounts });
    const viaHome = await listSessions({ home, env: {} });
    expect(viaAccounts.sessions.map((s) => s.sessionId)).toEqual(
      (fixtureExpected('acct-b', 'listSessions') as { sessionId: string }[]).map((e) => e.sessionId),
    );
    expect(viaHome).toEqual(viaAccounts);
    expect(viaAccounts.sessions[0]?.accounts).toEqual([join(home, '.claude')]);
  });

  it('a symlinked project subfolder is reported and not listed (Claude Code drops those)', async () => {
    const acct = join(fx.dir, 'sublinked');
    mkdirSync(join(acct, 'projects'), { recursive: true });
    const real = join(fx.dir, 'acct-a', 'projects', '-tmp-ccfixture-work-gitrepo');
    symlinkSync(real, join(acct, 'projects', '-tmp-ccfixture-work-gitrepo'));
    const { sessions, problems } = await listSessions({ fs: createNodeFileSystem(), accounts: [acct] });
    expect(sessions).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ code: 'ELINKED_ENTRY', accounts: [acct] })]);
  });

  it('a hard link in two accounts is one physical file: one row, both accounts', async () => {
    const { fs, volume } = await memVolume({ [sessionPath(1)]: transcript(1) }, {});
    volume.mkdirSync(`${HOME}/.claude-2/projects/${PROJECT}`, { recursive: true });
    volume.linkSync(sessionPath(1), sessionPath(1, '.claude-2'));
    const { sessions } = await listSessions({ fs, accounts: [`${HOME}/.claude`, `${HOME}/.claude-2`] });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.accounts).toEqual([`${HOME}/.claude`, `${HOME}/.claude-2`]);
    expect(sessions[0]?.copies).toBeUndefined();
  });
});

describe('copies of one session in several accounts', () => {
  const base = transcript(1, { paddingPerTurn: 150_000 });
  const grown = `${base}${JSON.stringify({ type: 'last-prompt', lastPrompt: 'Grown', sessionId: sid(1) })}\n`;
  const lines = base.split('\n');
  // Same size as base, one byte different in the middle (outside both 64 KB windows).
  const middle = Math.floor(base.length / 2);
  const sameSizeOtherMiddle = `${base.slice(0, middle)}${base[middle] === 'a' ? 'b' : 'a'}${base.slice(middle + 1)}`;

  async function rowOf(files: Record<string, string>, mtimes: Record<string, number>, compareCopies?: 'full') {
    const { fs } = await memVolume(files, mtimes);
    const { sessions } = await listSessions({
      fs,
      accounts: [`${HOME}/.claude`, `${HOME}/.claude-2`, `${HOME}/.claude-3`],
      ...(compareCopies ? { compareCopies } : {}),
    });
    expect(sessions).toHaveLength(1);
    return sessions[0] as SessionInfo;
  }

  it('identical, prefix, extends and diverged, each against the newest copy', async () => {
    const diverged = `${lines.slice(0, 6).join('\n')}\n${transcript(1, { prompts: ['Other branch'] })}`;
    const row = await rowOf(
      {
        [sessionPath(1)]: grown, // newest
        [sessionPath(1, '.claude-2')]: base, // older and shorter: a prefix
        [sessionPath(1, '.claude-3')]: diverged,
      },
      { [sessionPath(1)]: T0 + 3000, [sessionPath(1, '.claude-2')]: T0 + 2000, [sessionPath(1, '.claude-3')]: T0 },
    );
    expect(row).toMatchObject({ summary: 'Grown', accounts: [`${HOME}/.claude`], lastModified: T0 + 3000 });
    expect(row.copies?.map((c) => [c.accounts[0], c.relation, c.fileSize, c.lastModified])).toEqual([
      [`${HOME}/.claude-2`, 'prefix', base.length, T0 + 2000],
      [`${HOME}/.claude-3`, 'diverged', diverged.length, T0],
    ]);

    const older = await rowOf(
      { [sessionPath(1)]: base, [sessionPath(1, '.claude-2')]: grown, [sessionPath(1, '.claude-3')]: base },
      { [sessionPath(1)]: T0 + 3000, [sessionPath(1, '.claude-2')]: T0 + 2000, [sessionPath(1, '.claude-3')]: T0 },
    );
    expect(older.copies?.map((c) => c.relation)).toEqual(['extends', 'identical']);
  });

  it('windows mode samples the ends; full mode finds a difference in the middle', async () => {
    const files = { [sessionPath(1)]: base, [sessionPath(1, '.claude-2')]: sameSizeOtherMiddle };
    const mtimes = { [sessionPath(1)]: T0 + 1, [sessionPath(1, '.claude-2')]: T0 };
    expect(base.length).toBeGreaterThan(3 * 65_536);
    expect((await rowOf(files, mtimes)).copies?.[0]?.relation).toBe('identical');
    expect((await rowOf(files, mtimes, 'full')).copies?.[0]?.relation).toBe('diverged');
    const same = { [sessionPath(1)]: base, [sessionPath(1, '.claude-2')]: base };
    expect((await rowOf(same, mtimes, 'full')).copies?.[0]?.relation).toBe('identical');
  });

  it('windows mode tells a prefix from a copy that differs inside the shorter one’s last window', async () => {
    const cut = base.length - 100_000;
    const prefix = base.slice(0, cut);
    expect(cut).toBeGreaterThan(2 * 65_536);
    const notPrefix = `${prefix.slice(0, -10)}XXXXXXXXXX`;
    const mtimes = { [sessionPath(1)]: T0 + 1, [sessionPath(1, '.claude-2')]: T0 };
    const a = await rowOf({ [sessionPath(1)]: base, [sessionPath(1, '.claude-2')]: prefix }, mtimes);
    const b = await rowOf({ [sessionPath(1)]: base, [sessionPath(1, '.claude-2')]: notPrefix }, mtimes);
    expect(a.copies?.[0]?.relation).toBe('prefix');
    expect(b.copies?.[0]?.relation).toBe('diverged');
  });

  it('a newest copy that Claude Code would not list gives way to the next one', async () => {
    const row = await rowOf(
      { [sessionPath(1)]: '{"type":"mode","mode":"normal"}\n', [sessionPath(1, '.claude-2')]: base },
      { [sessionPath(1)]: T0 + 5, [sessionPath(1, '.claude-2')]: T0 },
    );
    expect(row.accounts).toEqual([`${HOME}/.claude-2`]);
    expect(row.lastModified).toBe(T0);
    expect(row.copies?.[0]).toMatchObject({ accounts: [`${HOME}/.claude`], relation: 'diverged' });
  });
});

describe('a moved projects/ folder is listed as one folder', () => {
  it('projectsDir lists a backup with no accounts', async () => {
    const { dir, cleanup } = copyFixture();
    try {
      const backup = join(dir, 'acct-c', 'projects.bak.1795761125');
      renameSync(join(dir, 'acct-c', 'projects'), backup);
      utimesSync(backup, new Date(), new Date());
      const { sessions } = await listSessions({ projectsDir: backup });
      expect(sessions).toHaveLength(12);
      expect(sessions.every((s) => s.accounts.length === 0 && s.path.startsWith(backup))).toBe(true);
    } finally {
      cleanup();
    }
  });
});
