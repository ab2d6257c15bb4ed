import { describe, expect, it } from 'vitest';
import { createNodeFileSystem } from '../../src/fs/node.js';
import type { FileSystem } from '../../src/fs/types.js';
import { type InspectOptions, inspect } from '../../src/inspect/inspect.js';
import { readSessionRecords } from '../../src/inspect/records.js';
import { planRollback } from '../../src/plan/rollback.js';
import { planShare } from '../../src/plan/share.js';
import { applyForTest, makeDisk } from '../plan/support.js';
import { copyFixture, fixtureOnMemfs } from '../support/fixture.js';
import { dumpTree } from '../support/tree.js';

const FX = '/fx';
const LATER = Date.parse('2026-11-29T00:00:00Z');
const options = (fs: FileSystem, root = FX): InspectOptions => ({
  fs,
  home: root,
  cwd: root,
  env: {},
  accounts: [`${root}/acct-a`, `${root}/acct-b`, `${root}/acct-c`],
  sharedDir: `${root}/shared/projects`,
  isProcessAlive: () => false,
});

describe('what Claude Code records per account (history.jsonl)', () => {
  it('on the 2.1.332 fixture, names exactly the TUI sessions, each in the history of the account that holds it', async () => {
    const { fs } = await fixtureOnMemfs(FX);
    const snapshot = await inspect({ ...options(fs), records: true });
    let named = 0;
    for (const account of snapshot.accounts) {
      const ids = Object.keys(account.sessionRecords ?? {});
      named += ids.length;
      const own = new Set(
        (account.folders.projects?.entries ?? []).flatMap((e) => {
          const m = /^[^/]+\/([0-9a-f-]{36})\.jsonl$/.exec(e.path);
          return m ? [m[1]] : [];
        }),
      );
      for (const id of ids) expect(own.has(id), `${account.label}: ${id}`).toBe(true);
    }
    // The fixture's README: 3 interactive sessions, plus the two diverged ones resumed in the TUI; print mode writes none.
    expect(named).toBe(5);
    expect(snapshot.accounts.find((a) => a.realPath.endsWith('acct-b'))?.sessionRecords).toEqual({});
    // Without records: true, nothing is read.
    expect((await inspect(options(fs))).accounts[0]?.sessionRecords).toBeUndefined();
  });

  it('keeps the newest prompt time of each session and skips malformed lines', async () => {
    const { fs } = await makeDisk({
      '/c/history.jsonl': [
        '{"display":"a","timestamp":5,"project":"/p","sessionId":"s1"}',
        '{"display":"b","timestamp":9,"project":"/p","sessionId":"s1"}',
        '{"display":"c","sessionId":"s2"',
        'not json',
        '{"display":"d","timestamp":7,"project":"/p"}',
        '{"display":"e","timestamp":3,"project":"/p","sessionId":"s3"}',
      ].join('\n'),
    });
    expect(await readSessionRecords(fs, '/c')).toEqual({ s1: 9, s3: 3 });
    expect(await readSessionRecords(fs, '/missing')).toEqual({});
  });

  it('on the real disk, share then a TUI session in a new project then rollback brings it back to that account only', async () => {
    const { dir, cleanup } = copyFixture();
    try {
      const fs = createNodeFileSystem();
      // Shared after the fixture was made (its files are dated 2026-11-27).
      const when = { id: 'p', now: LATER };
      await applyForTest(fs, planShare(await inspect(options(fs, dir)), when));
      const id = '0b0b0b0b-0000-4000-8000-00000000000b';
      const project = `${dir}/shared/projects/-tmp-brand-new`;
      await fs.mkdir(project, { mode: 0o700 });
      const line = `${JSON.stringify({ type: 'user', sessionId: id, cwd: '/tmp/brand-new', timestamp: new Date(LATER + 60_000).toISOString(), message: { role: 'user', content: 'new' } })}\n`;
      await fs.writeFile(`${project}/${id}.jsonl`, line, { mode: 0o600 });
      await fs.writeFile(
        `${dir}/acct-b/history.jsonl`,
        `${JSON.stringify({ display: 'new', pastedContents: {}, timestamp: LATER + 60_000, project: '/tmp/brand-new', sessionId: id })}\n`,
        { mode: 0o600 },
      );
      const plan = planRollback(await inspect({ ...options(fs, dir), backups: true, records: true }), when);
      expect(plan.warnings.map((w) => w.code)).toEqual([]);
      expect(plan.operations.filter((o) => o.reason === 'carry').map((o) => o.account)).toEqual([`${dir}/acct-b`]);
      await applyForTest(fs, plan);
      expect(Object.keys(await dumpTree(fs, `${dir}/acct-b/projects/-tmp-brand-new`))).toEqual([`${id}.jsonl`]);
      for (const other of ['acct-a', 'acct-c']) {
        await expect(fs.lstat(`${dir}/${other}/projects/-tmp-brand-new`)).rejects.toMatchObject({ code: 'ENOENT' });
      }
    } finally {
      cleanup();
    }
  });
});
