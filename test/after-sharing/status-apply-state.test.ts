/**
 * Issue 10 §4: `status` (text and --json) reports a dirty journal and a held or stale
 * lock beside the shared folder and says to run `recover`; `doctor` reports stale locks.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cli, json, makeSandbox, type TestSandbox } from '../cli/support.js';

let sb: TestSandbox;
let stateDir: string;
beforeEach(async () => {
  sb = await makeSandbox(1);
  stateDir = join(dirname(sb.sharedDir), '.claude-shared-sessions');
});
afterEach(() => sb.cleanup());

async function lockOwnedBy(pid: number): Promise<string> {
  const lock = join(stateDir, 'lock');
  await mkdir(lock, { recursive: true });
  const owner = { pid, host: hostname(), token: 't', acquiredAt: '2026-12-01T00:00:00.000Z', purpose: 'apply p1' };
  await writeFile(join(lock, 'owner.json'), JSON.stringify(owner));
  return lock;
}

interface Status {
  applyState: { journal?: string; lock?: { path: string; state: string }; advice?: string };
}

it('status reports a stale lock and says to run recover; doctor reports it too', async () => {
  // A pid that is not alive: the apply that took the lock is gone.
  const lock = await lockOwnedBy(2 ** 22 + 12345);
  const report = json<Status>(cli(['status', '--json', ...sb.args]));
  expect(report.applyState.lock).toMatchObject({ path: lock, state: 'stale' });
  expect(report.applyState.advice).toMatch(/stale lock .*apply p1.*Run `claude-shared-sessions recover`/);
  const text = cli(['status', ...sb.args]);
  expect(text.stdout).toMatch(/! A stale lock .*recover/);
  const doctor = cli(['doctor', '--json', ...sb.args]);
  const findings = json<{ findings: { code: string; path?: string }[] }>(doctor).findings;
  expect(findings).toContainEqual(expect.objectContaining({ code: 'STALE_LOCK', path: lock }));
});

it('status reports a held lock (a live apply) as running, not as something to recover', async () => {
  await lockOwnedBy(process.pid);
  const report = json<Status>(cli(['status', '--json', ...sb.args]));
  expect(report.applyState.lock?.state).toBe('held');
  expect(report.applyState.advice).toMatch(/is running .*wait for it to finish/);
});

it('status reports an interrupted apply’s journal and says to run recover', async () => {
  await mkdir(stateDir, { recursive: true });
  const journal = join(stateDir, 'journal.jsonl');
  await writeFile(journal, '{"t":"begin"}\n');
  const report = json<Status>(cli(['status', '--json', ...sb.args]));
  expect(report.applyState.journal).toBe(journal);
  expect(report.applyState.advice).toMatch(/interrupted .*Run `claude-shared-sessions recover`/);
  expect(cli(['status', ...sb.args]).stdout).toMatch(/! An apply was interrupted .*recover/);
});
