/**
 * Round trip on the real Claude Code fixture, with the library's own planners: share,
 * list, rollback with carry 'none'. Every account's projects/ comes back byte for byte
 * and mtime for mtime; planning again after each apply gives an empty plan.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import type { FileSystem } from '../../src/fs/types.js';
import { listSessions } from '../../src/sessions/list.js';
import { rollback, share } from '../../src/verbs/verbs.js';
import { copyFixture, FIXTURE_ACCOUNTS, fixtureOnMemfs } from '../support/fixture.js';
import { cacheProcessIds } from '../support/harness.js';
import { diff, snapshot } from '../support/tree.js';

cacheProcessIds();

async function fixtureOn(kind: 'memfs' | 'disk'): Promise<{ fs: FileSystem; root: string; cleanup: () => void }> {
  if (kind === 'memfs') {
    const { fs, root } = await fixtureOnMemfs('/fx');
    return { fs, root, cleanup: () => {} };
  }
  const { dir, cleanup } = copyFixture();
  return { fs: createNodeFileSystem(), root: dir, cleanup };
}

describe.each(['memfs', 'disk'] as const)('share, list, rollback on the fixture (%s)', (kind) => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it("restores every account's projects/ byte for byte and mtime for mtime", async () => {
    const env = await fixtureOn(kind);
    cleanup = env.cleanup;
    const { fs, root } = env;
    const accounts = FIXTURE_ACCOUNTS.map((a) => join(root, a));
    const options = { fs, home: root, accounts, sharedDir: join(root, 'shared', 'projects') };
    const before = await Promise.all(accounts.map((a) => snapshot(fs, join(a, 'projects'))));
    const listedBefore = await Promise.all(
      accounts.map(async (a) => (await listSessions({ fs, accounts: [a] })).sessions.map((s) => s.sessionId)),
    );

    const shared = await share({ ...options, id: 'share', now: Date.parse('2026-12-01T00:00:00Z') });
    const report = await applyPlan(shared, { fs });
    expect(report.operationsDone).toBe(shared.operations.length);
    // The fixture's two diverged sessions are forked (the default), nothing kept aside.
    expect(report.forks).toBe(2);
    expect(report.conflictsKept).toBe(0);
    // Idempotent: the same share planned again has nothing to do.
    expect((await share({ ...options, id: 'again', now: Date.parse('2026-12-02T00:00:00Z') })).operations).toEqual([]);

    // Every account now sees every session any account had.
    const union = new Set(listedBefore.flat());
    for (const account of accounts) {
      const listed = new Set((await listSessions({ fs, accounts: [account] })).sessions.map((s) => s.sessionId));
      for (const id of union) expect(listed.has(id), `${account} lists ${id}`).toBe(true);
    }

    const back = await rollback({ ...options, carry: 'none', id: 'rollback', now: Date.parse('2026-12-03T00:00:00Z') });
    await applyPlan(back, { fs });
    for (const [i, account] of accounts.entries()) {
      const after = await snapshot(fs, join(account, 'projects'));
      expect(diff(before[i] ?? {}, after), account).toEqual([]);
      expect((await fs.lstat(join(account, 'projects'))).type).toBe('directory');
    }
    expect((await rollback({ ...options, id: 'r2', now: Date.parse('2026-12-04T00:00:00Z') })).operations).toEqual([]);
  });
});
