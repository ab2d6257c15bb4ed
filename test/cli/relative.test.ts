/**
 * Issue 13: `--relative` links survive a home folder copied with `cp -a` (or restored from
 * a backup elsewhere); `status` and `doctor` explain an absolute link that still points
 * into the old home's shared folder.
 */
import { spawnSync } from 'node:child_process';
import { readlink, realpath, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cli, json, makeSandbox, type TestSandbox } from './support.js';

let sb: TestSandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

interface StatusJson {
  accounts: { path: string; projects: { kind: string; linkText?: string; linkTarget?: string } }[];
  shared: { folder: string; path: string; sessions: number; linkedAccounts: string[] }[];
  copiedLinks: {
    account: string;
    path: string;
    linkTarget: string;
    shared: string;
    dangling: boolean;
    advice: string;
  }[];
}
interface DoctorJson {
  findings: { code: string; severity: string; message: string; path?: string }[];
}
type ListJson = { sessionId: string; path: string; accounts: string[] }[];

/** `cp -a <home> <root>/copy/home`, as a user moving or restoring a home would. */
function copyHome(s: TestSandbox): string {
  const copy = join(s.root, 'copy');
  const r = spawnSync('mkdir', ['-p', copy]);
  expect(r.status).toBe(0);
  const cp = spawnSync('cp', ['-a', s.home, copy], { encoding: 'utf8' });
  expect(cp.stderr).toBe('');
  expect(cp.status).toBe(0);
  return join(copy, 'home');
}

async function shareAndCopy(relative: boolean) {
  sb = await makeSandbox(2);
  // Discovery by --home only, as a user runs it: nothing names the old home afterwards.
  const applied = cli(['apply', '--yes', '--home', sb.home, ...(relative ? ['--relative'] : [])]);
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  const before = json<ListJson>(cli(['list', '--all', '--json', '--home', sb.home]));
  const copy = await realpath(copyHome(sb));
  return { before, copy };
}

it('apply --relative writes relative links, and a cp -a copy of the home works on its own shared folder', async () => {
  const { before, copy } = await shareAndCopy(true);
  const s = sb as TestSandbox;
  for (const account of s.accounts) {
    expect(await readlink(join(account, 'projects'))).toBe('../.claude-shared/projects');
  }
  // The original home is gone (moved away): only the copy remains to be found.
  await rename(s.home, `${s.home}.gone`);

  const status = json<StatusJson>(cli(['status', '--json', '--home', copy]));
  expect(status.accounts.length).toBe(s.accounts.length);
  for (const a of status.accounts) {
    expect(a.path.startsWith(`${copy}/`)).toBe(true);
    expect(a.projects.kind).toBe('linked');
    expect(a.projects.linkTarget).toBe(join(copy, '.claude-shared', 'projects'));
  }
  const projects = status.shared.find((x) => x.folder === 'projects');
  expect(projects?.path).toBe(join(copy, '.claude-shared', 'projects'));
  expect(projects?.linkedAccounts.length).toBe(s.accounts.length);
  expect(status.copiedLinks).toEqual([]);

  const doctor = cli(['doctor', '--json', '--home', copy]);
  const findings = json<DoctorJson>(doctor).findings;
  expect(findings.filter((f) => f.code.startsWith('LINK_'))).toEqual([]);
  expect(findings.filter((f) => f.severity === 'error')).toEqual([]);

  const after = json<ListJson>(cli(['list', '--all', '--json', '--home', copy]));
  expect(after.map((x) => x.sessionId).sort()).toEqual(before.map((x) => x.sessionId).sort());
  expect(after.length).toBeGreaterThan(0);
  for (const row of after) expect(row.path.startsWith(join(copy, '.claude-shared', 'projects'))).toBe(true);

  // Rollback on the copy removes the relative links it finds (the text it expects is the
  // relative text), and puts the copy's own backups back.
  const rolled = cli(['rollback', '--yes', '--home', copy]);
  expect(rolled.stderr).toBe('');
  expect(rolled.code).toBe(0);
  const back = json<StatusJson>(cli(['status', '--json', '--home', copy]));
  for (const a of back.accounts) expect(a.projects.kind).toBe('directory');
}, 120_000); // a dozen runs of the built command: slow when the machine is busy

it('status and doctor explain an absolute link into the old home after cp -a, and the advice works', async () => {
  const { copy } = await shareAndCopy(false);
  const s = sb as TestSandbox;
  const oldShared = join(await realpath(s.home), '.claude-shared', 'projects');
  const newShared = join(copy, '.claude-shared', 'projects');

  const status = json<StatusJson>(cli(['status', '--json', '--home', copy]));
  for (const a of status.accounts) expect(a.projects.kind).toBe('symlink-elsewhere');
  expect(status.copiedLinks.map((l) => l.account).sort()).toEqual(status.accounts.map((a) => a.path).sort());
  for (const l of status.copiedLinks) {
    expect(l.linkTarget).toBe(oldShared);
    expect(l.shared).toBe(newShared);
    expect(l.dangling).toBe(false);
    expect(l.advice).toContain('another copy of the shared folder');
    expect(l.advice).toContain('apply --relative');
  }
  const text = cli(['status', '--home', copy, '--no-color']);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain(`is an absolute link to ${oldShared}, another copy of the shared folder`);
  expect(text.stdout).toContain('cp -a or restored from a backup');

  const doctor = json<DoctorJson>(cli(['doctor', '--json', '--home', copy])).findings;
  const elsewhere = doctor.filter((f) => f.code === 'LINK_ELSEWHERE');
  expect(elsewhere.length).toBe(s.accounts.length);
  for (const f of elsewhere) expect(f.message).toContain('another copy of the shared folder');

  // The old home gone: the links dangle, and the explanation says so.
  await rm(s.home, { recursive: true, force: true });
  const gone = json<StatusJson>(cli(['status', '--json', '--home', copy]));
  expect(gone.copiedLinks.length).toBe(s.accounts.length);
  for (const l of gone.copiedLinks) {
    expect(l.dangling).toBe(true);
    expect(l.advice).toContain('since that copy is gone');
  }
  const dangling = json<DoctorJson>(cli(['doctor', '--json', '--home', copy])).findings;
  expect(dangling.filter((f) => f.code === 'LINK_DANGLING' && f.message.includes('another copy')).length).toBe(
    s.accounts.length,
  );

  // Following the advice (remove the dangling links, apply --relative) links the copy to its own shared folder.
  for (const l of gone.copiedLinks) await rm(l.path);
  const fixed = cli(['apply', '--yes', '--relative', '--home', copy]);
  expect(fixed.stderr).toBe('');
  expect(fixed.code).toBe(0);
  const now = json<StatusJson>(cli(['status', '--json', '--home', copy]));
  for (const a of now.accounts) {
    expect(a.projects.kind).toBe('linked');
    expect(a.projects.linkTarget).toBe(newShared);
  }
  expect(now.copiedLinks).toEqual([]);
}, 120_000); // a dozen runs of the built command: slow when the machine is busy
