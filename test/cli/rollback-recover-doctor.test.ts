import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateTranscript, transcriptEndMs } from '../../src/demo/transcript.js';
import { encodeProjectDir } from '../../src/layout/names.js';
import type { Plan } from '../../src/plan/types.js';
import { dumpTree } from '../support/tree.js';
import { cli, fs, json, makeSandbox, type TestSandbox } from './support.js';

interface StatusJSON {
  accounts: { path: string; projects: { kind: string }; backups: { name: string }[] }[];
}
interface DoctorJSON {
  ok: boolean;
  findings: { code: string; severity: string; fixable: boolean; account?: string; message: string }[];
}

const status = (sb: TestSandbox) => json<StatusJSON>(cli(['status', '--json', ...sb.args]));
const projectsOf = (account: string) => dumpTree(fs, join(account, 'projects'));

/** A session Claude Code writes after the share (its mtime a few seconds after the backup's stamp). */
async function writeSession(projectsDir: string, id: string, cwd: string): Promise<void> {
  const text = generateTranscript({ sessionId: id, cwd, prompts: ['made while shared'], startMs: Date.now() + 3000 });
  const dir = join(projectsDir, encodeProjectDir(cwd).name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${id}.jsonl`), text);
  const end = new Date(transcriptEndMs(text));
  const { utimes } = await import('node:fs/promises');
  await utimes(join(dir, `${id}.jsonl`), end, end);
}

describe('rollback', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await makeSandbox();
  });
  afterEach(() => sb.cleanup());

  it('refuses without --yes off a terminal, then restores every account byte for byte and mtime for mtime', async () => {
    const before = await Promise.all(sb.accounts.map(projectsOf));
    expect(cli(['apply', '--yes', ...sb.args]).code).toBe(0);
    expect(status(sb).accounts.map((a) => a.projects.kind)).toEqual(['linked', 'linked', 'linked']);

    const refused = cli(['rollback', ...sb.args]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^ENEEDS_CONFIRMATION: /m);

    const r = cli(['rollback', '--yes', '--carry', 'none', ...sb.args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const after = status(sb);
    expect(after.accounts.map((a) => a.projects.kind)).toEqual(['directory', 'directory', 'directory']);
    expect(await Promise.all(sb.accounts.map(projectsOf))).toEqual(before);
    // The shared folder is never deleted by a rollback.
    expect((await fs.lstat(sb.sharedDir)).type).toBe('directory');
  });

  it('--carry own brings back a session made in the account while shared', async () => {
    expect(cli(['apply', '--yes', ...sb.args]).code).toBe(0);
    const id = 'c0ffee00-0000-4000-8000-000000000001';
    // Claude Code with .claude-2 writes into the shared folder through its link.
    await writeSession(join(sb.accounts[1] ?? '', 'projects'), id, '/home/dev/code/api-server');
    // ... and, in the TUI, records each prompt in that account's history.jsonl.
    await writeFile(
      join(sb.accounts[1] ?? '', 'history.jsonl'),
      `${JSON.stringify({ display: 'hi', pastedContents: {}, timestamp: Date.now(), project: '/home/dev/code/api-server', sessionId: id })}\n`,
    );
    const r = cli(['rollback', '--yes', '--carry', 'own', '--json', ...sb.args]);
    expect(r.code).toBe(0);
    expect(json<{ applied: boolean }>(r).applied).toBe(true);
    const file = join(
      sb.accounts[1] ?? '',
      'projects',
      encodeProjectDir('/home/dev/code/api-server').name,
      `${id}.jsonl`,
    );
    expect((await fs.lstat(file)).type).toBe('file');
  });

  it('by default carries each account its own new sessions, lists the rest, and doctor reports them afterwards', async () => {
    expect(cli(['apply', '--yes', ...sb.args]).code).toBe(0);
    const own = 'c0ffee00-0000-4000-8000-000000000002';
    const headless = 'c0ffee00-0000-4000-8000-000000000003';
    // The third account starts a TUI session in a project it never had (history.jsonl names it) ...
    const c = sb.accounts[2] ?? '';
    await writeSession(join(c, 'projects'), own, '/home/dev/brand-new');
    await writeFile(
      join(c, 'history.jsonl'),
      `${JSON.stringify({ display: 'hi', pastedContents: {}, timestamp: Date.now(), project: '/home/dev/brand-new', sessionId: own })}\n`,
    );
    // ... and someone runs claude -p, which records nothing per account.
    await writeSession(join(c, 'projects'), headless, '/home/dev/brand-new');
    const plan = cli(['rollback', ...sb.args]);
    expect(plan.code).toBe(3); // not confirmed off a terminal
    expect(plan.stdout).toMatch(/1 warning/);
    expect(plan.stdout).toMatch(/unreached-sessions: 1 session of the shared folder will be reachable from no account/);
    expect(plan.stdout).toContain(`${headless}.jsonl`);

    const r = cli(['rollback', '--yes', ...sb.args]);
    expect(r.code).toBe(0);
    const project = encodeProjectDir('/home/dev/brand-new').name;
    expect((await fs.lstat(join(c, 'projects', project, `${own}.jsonl`))).type).toBe('file');
    for (const a of sb.accounts.slice(0, 2)) {
      await expect(fs.lstat(join(a, 'projects', project))).rejects.toMatchObject({ code: 'ENOENT' });
    }
    const doctor = cli(['doctor', '--json', ...sb.args]);
    expect(doctor.code).toBe(2);
    const found = json<DoctorJSON>(doctor).findings.filter((f) => f.code === 'SESSIONS_ONLY_IN_SHARED');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'warning', message: expect.stringContaining(`${headless}.jsonl`) });
    expect(found[0]?.message).not.toContain(own);
  });

  it('rejects a --carry value that is not none, own or all', () => {
    const r = cli(['rollback', '--carry', 'some', ...sb.args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Allowed choices are none, own, all/);
  });

  it('with nothing shared, there is nothing to roll back', () => {
    const r = cli(['rollback', '--yes', '--json', ...sb.args]);
    const out = json<{ applied?: boolean; error?: { code: string } }>(r);
    expect({ code: r.code, error: out.error, applied: out.applied }).toEqual({
      code: 0,
      error: undefined,
      applied: false,
    });
  });
});

describe('recover', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await makeSandbox(1);
  });
  afterEach(() => sb.cleanup());

  it('says there is nothing to recover when no apply was interrupted', () => {
    const r = cli(['recover', ...sb.args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nothing to recover/);
    expect(json<{ status: string }>(cli(['recover', '--json', ...sb.args])).status).toBe('clean');
  });

  it('a journal left by a killed apply makes doctor complain and apply refuse, until recover', async () => {
    const plan = json<Plan>(cli(['plan', '--json', ...sb.args]));
    // What an apply killed right after writing its journal's first record leaves behind.
    const stateDir = join(dirname(sb.sharedDir), '.claude-shared-sessions');
    await mkdir(stateDir, { recursive: true });
    const begin = {
      t: 'begin',
      v: 1,
      run: 'r1',
      pid: 999_999_999,
      host: hostname(),
      startedAt: new Date().toISOString(),
      stateDir,
      createdDirs: [],
      dirTimes: {},
      plan,
    };
    await writeFile(join(stateDir, 'journal.jsonl'), `${JSON.stringify(begin)}\n`);

    const doctor = cli(['doctor', '--json', ...sb.args]);
    expect(doctor.code).toBe(2);
    expect(json<DoctorJSON>(doctor).findings.map((f) => f.code)).toContain('DIRTY_JOURNAL');

    const refused = cli(['apply', '--yes', ...sb.args]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^EDIRTY_JOURNAL: .*recover/m);

    // Undoing changes the accounts: without a terminal and without --yes it refuses.
    const before = await sb.dump();
    const unconfirmed = cli(['recover', ...sb.args]);
    expect(unconfirmed.code).toBe(3);
    expect(unconfirmed.stdout).toMatch(/interrupted/);
    expect(unconfirmed.stderr).toMatch(/^ENEEDS_CONFIRMATION: /m);
    expect(await sb.dump()).toEqual(before);
    const unconfirmedJson = cli(['recover', '--json', ...sb.args]);
    expect(unconfirmedJson.code).toBe(3);
    expect(json<{ error: { code: string } }>(unconfirmedJson).error.code).toBe('ENEEDS_CONFIRMATION');

    const r = cli(['recover', '--json', '--yes', ...sb.args]);
    expect(r.code).toBe(0);
    expect(json<{ status: string }>(r).status).toBe('rolled-back');
    expect(json<DoctorJSON>(cli(['doctor', '--json', ...sb.args])).findings.map((f) => f.code)).not.toContain(
      'DIRTY_JOURNAL',
    );
    expect(cli(['apply', '--yes', ...sb.args]).code).toBe(0);
  });
});

describe('doctor', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await makeSandbox(1);
  });
  afterEach(() => sb.cleanup());

  it('before sharing: only information, exit 0', () => {
    const r = cli(['doctor', '--json', ...sb.args]);
    expect(r.code).toBe(0);
    const out = json<DoctorJSON>(r);
    expect(out.ok).toBe(true);
    expect(out.findings.filter((f) => f.code === 'NOT_SHARING')).toHaveLength(3);
    expect(out.findings.every((f) => f.severity === 'info')).toBe(true);
    expect(cli(['doctor', ...sb.args]).stdout).toMatch(/NOT_SHARING\n {2}~\/\.claude does not share projects\/ yet/);
  });

  it('after sharing: backups left; a lowered cleanupPeriodDays is found and fixed through a plan', async () => {
    expect(cli(['apply', '--yes', ...sb.args]).code).toBe(0);
    const shared = json<DoctorJSON>(cli(['doctor', '--json', ...sb.args]));
    expect(shared.ok).toBe(true);
    // The sandbox plants a diverged session: its other copy is forked, so no conflicts folder.
    expect(shared.findings.map((f) => f.code).sort()).toEqual(['BACKUPS_LEFT', 'BACKUPS_LEFT', 'BACKUPS_LEFT']);

    const settings = join(sb.accounts[1] ?? '', 'settings.json');
    await writeFile(settings, `${JSON.stringify({ cleanupPeriodDays: 7, theme: 'dark' }, null, 2)}\n`);
    const found = cli(['doctor', '--json', ...sb.args]);
    expect(found.code).toBe(2);
    expect(json<DoctorJSON>(found).findings).toContainEqual(
      expect.objectContaining({ code: 'CLEANUP_PERIOD', fixable: true, path: settings, account: sb.accounts[1] }),
    );

    expect(cli(['doctor', '--fix', ...sb.args]).code).toBe(3); // not confirmed off a terminal
    const fixed = cli(['doctor', '--fix', '--yes', ...sb.args]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/Applied \d+ operation/);
    const text = JSON.parse(await readFile(settings, 'utf8')) as { cleanupPeriodDays: number; theme: string };
    expect(text.theme).toBe('dark');
    expect(text.cleanupPeriodDays).toBeGreaterThan(7);
    expect(cli(['doctor', ...sb.args]).code).toBe(0);
  });

  it('finds a dangling link and a link elsewhere', async () => {
    const [a, b] = sb.accounts as [string, string];
    await rm(join(a, 'projects'), { recursive: true });
    await symlink(join(sb.root, 'gone'), join(a, 'projects'));
    await mkdir(join(sb.root, 'elsewhere'));
    await rm(join(b, 'projects'), { recursive: true });
    await symlink(join(sb.root, 'elsewhere'), join(b, 'projects'));
    const r = cli(['doctor', '--json', ...sb.args]);
    expect(r.code).toBe(2);
    const codes = json<DoctorJSON>(r).findings.map((f) => f.code);
    expect(codes).toContain('LINK_DANGLING');
    expect(codes).toContain('LINK_ELSEWHERE');
  });
});
