import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSessions } from '../../src/sessions/list.js';
import { sid, transcript } from './support.js';

// Worker threads load the built library (a worker cannot run the TypeScript sources), so
// this compares the built listing on workers with the sources' listing in one thread.
const DIST = join(import.meta.dirname, '..', '..', 'dist', 'index.js');
const FILES = 600;

describe('a large listing on worker threads', () => {
  let dir = '';
  const accounts: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'css-workers-'));
    for (const name of ['.claude', '.claude-2']) {
      accounts.push(join(dir, name));
      for (let p = 0; p < 8; p++) mkdirSync(join(dir, name, 'projects', `-work-p${p}`), { recursive: true });
    }
    const t0 = Date.UTC(2026, 0, 1) / 1000;
    for (let n = 0; n < FILES; n++) {
      const account = accounts[n % 2] as string;
      const path = join(account, 'projects', `-work-p${n % 8}`, `${sid(n)}.jsonl`);
      const extra = n % 3 === 0 ? { entrypoint: 'sdk-cli' as const } : n % 5 === 0 ? { customTitle: `Title ${n}` } : {};
      writeFileSync(path, transcript(n, { prompts: [`Prompt ${n}`], paddingPerTurn: 200, ...extra }));
      utimesSync(path, t0 + (n % 200), t0 + (n % 200)); // ties, ordered by id
      if (n % 50 === 0) {
        // A copy in the other account: identical for even n, diverged for odd.
        const other = join(accounts[(n + 1) % 2] as string, 'projects', `-work-p${n % 8}`, `${sid(n)}.jsonl`);
        writeFileSync(
          other,
          transcript(n, { prompts: [n % 100 === 0 ? `Prompt ${n}` : 'Elsewhere'], paddingPerTurn: 200, ...extra }),
        );
        utimesSync(other, t0 - 1, t0 - 1);
      }
    }
    mkdirSync(join(accounts[0] as string, 'projects', '-work-p0', `${sid(99_999)}.jsonl`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([true, false])('equals the single-thread listing (includeProgrammatic %s)', async (includeProgrammatic) => {
    const built = (await import(pathToFileURL(DIST).href)) as { listSessions: typeof listSessions };
    let started = 0;
    const count = () => started++;
    process.on('worker', count);
    const onWorkers = await built.listSessions({ accounts, workers: 2, includeProgrammatic }).finally(() => {
      process.off('worker', count);
    });
    expect(started).toBe(2);
    const inThread = await listSessions({ accounts, workers: 0, includeProgrammatic });
    expect(onWorkers.sessions.length).toBe(includeProgrammatic ? FILES : FILES - Math.ceil(FILES / 3));
    expect(onWorkers.sessions).toEqual(inThread.sessions);
    expect(onWorkers.problems).toEqual(inThread.problems);
    expect(onWorkers.problems.map((p) => p.code)).toEqual(['ENOT_A_FILE']);
    const copies = onWorkers.sessions.filter((s) => s.copies !== undefined);
    expect(copies.map((s) => s.copies?.[0]?.relation)).toEqual(
      copies.map((s) => (Number(s.sessionId.slice(-12)) % 100 === 0 ? 'identical' : 'diverged')),
    );
    const paged = await built.listSessions({ accounts, workers: 2, includeProgrammatic, offset: 300, limit: 40 });
    expect(paged.sessions).toEqual(inThread.sessions.slice(300, 340));
  });
});

describe('the workers list the folders', () => {
  let dir = '';
  const accounts: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'css-workers-scan-'));
    for (const name of ['.claude', '.claude-2', '.claude-3']) {
      accounts.push(join(dir, name));
      for (let p = 0; p < 5; p++) mkdirSync(join(dir, name, 'projects', `-work-p${p}`), { recursive: true });
    }
    const [a, b, c] = accounts as [string, string, string];
    const t0 = Date.UTC(2026, 0, 1) / 1000;
    const put = (account: string, p: number, n: number, at: number, prompt = `Prompt ${n}`) => {
      const path = join(account, 'projects', `-work-p${p}`, `${sid(n)}.jsonl`);
      writeFileSync(path, transcript(n, { prompts: [prompt] }));
      utimesSync(path, at, at);
      return path;
    };
    for (let n = 0; n < 40; n++) put(accounts[n % 3] as string, n % 5, n, t0 + (n % 7)); // ties, ordered by id
    // One file under two paths (a hard link in another account): one copy, both accounts.
    linkSync(put(a, 1, 100, t0 + 50), join(b, 'projects', '-work-p1', `${sid(100)}.jsonl`));
    // Three copies of one session, the newest in the last account listed.
    put(a, 2, 101, t0 + 60, 'old');
    put(b, 3, 101, t0 + 61, 'older');
    put(c, 4, 101, t0 + 62, 'newest');
    // A sidecar folder, a linked transcript, a folder with a transcript's name, an unreadable folder.
    mkdirSync(join(a, 'projects', '-work-p0', sid(0)));
    writeFileSync(join(a, 'projects', '-work-p0', sid(0), 'custom-title.json'), '{"customTitle":"From the sidecar"}');
    symlinkSync(
      join(a, 'projects', '-work-p1', `${sid(100)}.jsonl`),
      join(c, 'projects', '-work-p0', `${sid(102)}.jsonl`),
    );
    mkdirSync(join(b, 'projects', '-work-p4', `${sid(103)}.jsonl`));
    mkdirSync(join(c, 'projects', '-work-locked'));
    writeFileSync(join(c, 'projects', '-work-locked', `${sid(104)}.jsonl`), transcript(104));
    chmodSync(join(c, 'projects', '-work-locked'), 0o000);
  });
  afterAll(() => {
    chmodSync(join(accounts[2] as string, 'projects', '-work-locked'), 0o700);
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds what the calling thread finds: files, hard links, copies, sidecars, problems', async () => {
    const built = (await import(pathToFileURL(DIST).href)) as { listSessions: typeof listSessions };
    let started = 0;
    const count = () => started++;
    process.on('worker', count);
    const onWorkers = await built.listSessions({ accounts, workers: 2 }).finally(() => {
      process.off('worker', count);
    });
    expect(started).toBe(2);
    const inThread = await listSessions({ accounts, workers: 0 });
    // Root reads any folder: the locked folder is a problem only for other users.
    const root = process.getuid?.() === 0;
    expect(onWorkers.sessions.length).toBe(root ? 43 : 42);
    expect(onWorkers.sessions).toEqual(inThread.sessions);
    const byPath = (x: { path: string }, y: { path: string }) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);
    expect([...onWorkers.problems].sort(byPath)).toEqual([...inThread.problems].sort(byPath));
    const codes = onWorkers.problems.map((p) => p.code).sort();
    const locked = root ? [] : ['EPERMISSION'];
    expect(codes).toEqual(['ELINKED_ENTRY', 'ENOT_A_FILE', ...locked].sort());
    const linked = onWorkers.sessions.find((r) => r.sessionId === sid(100));
    expect(linked?.accounts).toEqual([accounts[0], accounts[1]]);
    expect(linked?.copies).toBeUndefined();
    const copied = onWorkers.sessions.find((r) => r.sessionId === sid(101));
    expect(copied?.summary).toBe('newest');
    expect(copied?.copies?.map((k) => k.accounts)).toEqual([[accounts[1]], [accounts[0]]]);
    expect(onWorkers.sessions.find((r) => r.sessionId === sid(0))?.summary).toBe('From the sidecar');
  });
});
