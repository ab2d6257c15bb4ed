import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSessions } from '../../src/sessions/list.js';
import { sid, transcript } from './helpers.js';

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
