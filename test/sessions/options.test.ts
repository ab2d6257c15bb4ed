import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSharedSessionsError } from '../../src/errors.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { iterateSessions, listSessions } from '../../src/sessions/list.js';
import { spyFs } from '../support/faulty-fs.js';
import { copiedFixture, FIXTURE_DIR } from '../support/fixture.js';
import { HOME, memVolume, sessionPath, sid, transcript } from './support.js';

const T0 = Date.UTC(2026, 0, 2);
const account = `${HOME}/.claude`;

/** Ten sessions, session n modified at T0 + n seconds (session 10 newest). */
async function tenSessions() {
  const files: Record<string, string> = {};
  const mtimes: Record<string, number> = {};
  for (let n = 1; n <= 10; n++) {
    files[sessionPath(n)] = transcript(n);
    mtimes[sessionPath(n)] = T0 + n * 1000;
  }
  return memVolume(files, mtimes);
}

describe('project filter', () => {
  const fx = copiedFixture();

  const byDir = (account: string) =>
    JSON.parse(
      require('node:fs').readFileSync(join(FIXTURE_DIR, 'expected', `${account}.listSessions.byDir.json`), 'utf8'),
    ) as Record<string, { sessionId: string }[]>;

  // The SDK's per-directory listing, for the directories that are neither git worktrees
  // nor symlinks (those it resolves on disk; this library matches the folder name only).
  it.each(['acct-a', 'acct-b', 'acct-c'])('%s: equals the SDK for each plain working dir', async (acct) => {
    const expected = byDir(acct);
    const dirs = Object.keys(expected).filter((d) => !/gitrepo|link-to-plain/.test(d));
    expect(dirs).toHaveLength(5);
    for (const dir of dirs) {
      const { sessions } = await listSessions({ accounts: [join(fx.dir, acct)], project: dir });
      expect(
        sessions.map((s) => s.sessionId),
        dir,
      ).toEqual(expected[dir]?.map((e) => e.sessionId));
      expect(sessions.map((s) => s.summary)).toEqual(expected[dir]?.map((e) => (e as { summary?: string }).summary));
    }
  });

  it('matches a cut (over 200 characters) folder name by prefix', async () => {
    const long = Object.keys(byDir('acct-c')).find((d) => d.length > 200) as string;
    const { sessions } = await listSessions({ accounts: [join(fx.dir, 'acct-c')], project: long });
    expect(sessions).toHaveLength(3);
    expect(sessions.every((s) => s.projectDir.length > 200 && s.cwd === long)).toBe(true);
  });
});

describe('limit, offset and order', () => {
  it('pages are slices of the whole listing', async () => {
    const { fs } = await tenSessions();
    const all = (await listSessions({ fs, accounts: [account] })).sessions.map((s) => s.sessionId);
    expect(all).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map(sid));
    for (const [offset, limit] of [
      [0, 3],
      [3, 3],
      [8, 5],
      [10, 1],
      [2, 0],
    ] as const) {
      const page = (await listSessions({ fs, accounts: [account], offset, limit })).sessions.map((s) => s.sessionId);
      expect(page).toEqual(all.slice(offset, limit === 0 ? undefined : offset + limit));
    }
  });

  it('with a limit, files after the page are not opened', async () => {
    const { fs: inner } = await tenSessions();
    const spy = spyFs(inner);
    const { sessions } = await listSessions({ fs: spy.fs, accounts: [account], limit: 2, concurrency: 1 });
    expect(sessions.map((s) => s.sessionId)).toEqual([sid(10), sid(9)]);
    // Read ahead is bounded by the concurrency; the oldest sessions are never opened.
    expect(spy.opened).not.toContain(sessionPath(1));
    expect(spy.opened.length).toBeLessThanOrEqual(6);
  });

  it('equal mtimes are ordered by session id, greatest first, as the SDK does', async () => {
    const files: Record<string, string> = {};
    const mtimes: Record<string, number> = {};
    for (const n of [3, 1, 2]) {
      files[sessionPath(n)] = transcript(n);
      mtimes[sessionPath(n)] = T0;
    }
    const { fs } = await memVolume(files, mtimes);
    const { sessions } = await listSessions({ fs, accounts: [account] });
    expect(sessions.map((s) => s.sessionId)).toEqual([sid(3), sid(2), sid(1)]);
  });

  it('iterateSessions yields what listSessions returns, and stops early', async () => {
    const { fs } = await tenSessions();
    const listed = (await listSessions({ fs, accounts: [account] })).sessions;
    const streamed = [];
    for await (const s of iterateSessions({ fs, accounts: [account] })) streamed.push(s);
    expect(streamed).toEqual(listed);
    const firstTwo = [];
    for await (const s of iterateSessions({ fs, accounts: [account] })) {
      firstTwo.push(s.sessionId);
      if (firstTwo.length === 2) break;
    }
    expect(firstTwo).toEqual([sid(10), sid(9)]);
  });

  it('an aborted signal stops the listing with EABORTED', async () => {
    const { fs } = await tenSessions();
    const controller = new AbortController();
    controller.abort();
    const error = await listSessions({ fs, accounts: [account], signal: controller.signal }).catch((e) => e);
    expect(isSharedSessionsError(error, 'EABORTED')).toBe(true);
  });

  it('includeProgrammatic false leaves out sdk-cli sessions', async () => {
    const { fs } = await memVolume(
      { [sessionPath(1)]: transcript(1, { entrypoint: 'sdk-cli' }), [sessionPath(2)]: transcript(2) },
      { [sessionPath(1)]: T0 + 1, [sessionPath(2)]: T0 },
    );
    const all = await listSessions({ fs, accounts: [account] });
    const picker = await listSessions({ fs, accounts: [account], includeProgrammatic: false });
    expect(all.sessions.map((s) => s.sessionId)).toEqual([sid(1), sid(2)]);
    expect(picker.sessions.map((s) => s.sessionId)).toEqual([sid(2)]);
  });
});

describe('reads at most the first and last 64 KB', () => {
  let dir = '';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('of a 200 MB transcript (sparse), through the filesystem interface', async () => {
    dir = mkdtempSync(join(tmpdir(), 'css-big-'));
    const project = join(dir, '.claude', 'projects', '-p');
    mkdirSync(project, { recursive: true });
    const path = join(project, `${sid(1)}.jsonl`);
    const size = 200 * 1024 * 1024;
    const head = transcript(1, { prompts: ['Typed at the start'], paddingPerTurn: 100_000 });
    const tailLines = `\n${JSON.stringify({ type: 'last-prompt', lastPrompt: 'Typed at the end', sessionId: sid(1) })}\n${JSON.stringify({ type: 'tag', tag: 'big', sessionId: sid(1) })}\n`;
    const fd = openSync(path, 'w');
    writeSync(fd, head, 0);
    writeSync(fd, tailLines, size - Buffer.byteLength(tailLines)); // the hole between stays sparse
    closeSync(fd);
    const spy = spyFs(createNodeFileSystem());
    const { sessions } = await listSessions({ fs: spy.fs, accounts: [join(dir, '.claude')] });
    expect(sessions[0]).toMatchObject({
      fileSize: size,
      firstPrompt: 'Typed at the start',
      summary: 'Typed at the end',
      tag: 'big',
    });
    expect(spy.bytesRead.get(path)).toBeLessThanOrEqual(2 * 65_536);
    expect([...spy.bytesRead.values()].reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2 * 65_536);
  });
});
