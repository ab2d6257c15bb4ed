import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/types.js';
import { cleanEnv, cli, cliPath, json, makeSandbox, type TestSandbox } from './support.js';

interface StatusJSON {
  accounts: { path: string; projects: { kind: string }; backups: unknown[] }[];
}

/** util-linux `script` runs a command on a pseudo-terminal, as a person at a terminal would. */
function hasPty(): boolean {
  return spawnSync('script', ['-qec', 'true', '/dev/null'], { encoding: 'utf8' }).status === 0;
}

const kinds = (sb: TestSandbox) =>
  json<StatusJSON>(cli(['status', '--json', ...sb.args])).accounts.map((a) => a.projects.kind);

describe('plan and apply', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await makeSandbox();
  });
  afterEach(() => sb.cleanup());

  it('plan shows the work, exits 2 and changes nothing', async () => {
    const before = await sb.dump();
    const r = cli(['plan', ...sb.args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/operations?\. Nothing was changed; run `apply` to do it\./);
    expect(await sb.dump()).toEqual(before);
  });

  it('plan --json prints the plan itself; plan --out saves the same kind of plan', async () => {
    const out = join(sb.root, 'plan.json');
    const r = cli(['plan', '--json', '--out', out, ...sb.args]);
    expect(r.code).toBe(2);
    const printed = json<Plan>(r);
    expect(printed).toMatchObject({ version: 1, kind: 'share', accounts: sb.accounts });
    expect(printed.operations.length).toBeGreaterThan(0);
    const saved = JSON.parse(await readFile(out, 'utf8')) as Plan;
    expect(saved).toEqual(printed);
    const types = new Set(saved.operations.map((o) => o.type));
    expect(types).toContain('copyFile');
    expect(types).toContain('rename');
    expect(types).toContain('symlink');
  });

  it('--on-diverged refuse refuses the plan (exit 3, ECONFLICT); fork keeps both as sessions', () => {
    const r = cli(['plan', '--on-diverged', 'refuse', ...sb.args]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ECONFLICT: /m);
    const fork = json<Plan>(cli(['plan', '--json', '--on-diverged', 'fork', ...sb.args]));
    expect(fork.operations.some((o) => o.type === 'forkSession')).toBe(true);
  });

  it('--cleanup-days sets the value written, and off leaves settings.json alone with a warning', () => {
    const writes = (p: Plan) => p.operations.filter((o) => o.type === 'writeFile');
    const days = json<Plan>(cli(['plan', '--json', '--cleanup-days', '5000', ...sb.args]));
    expect(writes(days).map((o) => (o.type === 'writeFile' ? JSON.parse(o.content).cleanupPeriodDays : 0))).toEqual([
      5000, 5000, 5000,
    ]);
    const off = json<Plan>(cli(['plan', '--json', '--cleanup-days', 'off', ...sb.args]));
    expect(writes(off)).toEqual([]);
    expect(off.warnings.map((w) => w.code)).toContain('cleanup-hazard');
    expect(cli(['plan', '--cleanup-days', '0', ...sb.args]).code).toBe(1);
  });

  it('--cleanup-days below an account\'s period is refused unless --allow-lower; the plan says "lower"', async () => {
    const before = await sb.dump();
    const refused = cli(['apply', '--yes', '--cleanup-days', '7', ...sb.args]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/EINVALID_OPTION: cleanupPeriodDays 7 would lower the period of .*\(\d+ days/);
    expect(refused.stderr).toContain('--allow-lower');
    expect(await sb.dump()).toEqual(before);
    const allowed = cli(['plan', '--cleanup-days', '7', '--allow-lower', ...sb.args]);
    expect(allowed.code).toBe(2);
    expect(allowed.stdout).toMatch(/lower cleanupPeriodDays from \d+ to 7 in /);
  });

  it('apply refuses without a terminal and without --yes (exit 3), and changes nothing', async () => {
    const before = await sb.dump();
    const r = cli(['apply', ...sb.args]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ENEEDS_CONFIRMATION: .*--yes/m);
    expect(await sb.dump()).toEqual(before);
    const j = cli(['apply', '--json', ...sb.args]);
    expect(j.code).toBe(3);
    expect(json<{ error: { code: string } }>(j).error.code).toBe('ENEEDS_CONFIRMATION');
  });

  it('a saved plan applied later links every account; planning again finds nothing to do', async () => {
    const out = join(sb.root, 'plan.json');
    expect(cli(['plan', '--out', out, ...sb.args]).code).toBe(2);
    const r = cli(['apply', '--plan', out, '--yes', ...sb.args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Applied \d+ operations/);
    expect(kinds(sb)).toEqual(['linked', 'linked', 'linked']);
    const again = cli(['plan', ...sb.args]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to do/);
    const applyAgain = cli(['apply', '--json', ...sb.args]);
    expect(applyAgain.code).toBe(0);
    expect(json<{ applied: boolean }>(applyAgain).applied).toBe(false);
  });

  it('the same saved plan is refused (exit 3, ESTALE_PLAN) once the tree changed, and nothing is written', async () => {
    const out = join(sb.root, 'plan.json');
    cli(['plan', '--out', out, ...sb.args]);
    const plan = JSON.parse(await readFile(out, 'utf8')) as Plan;
    const copy = plan.operations.find((o) => o.type === 'copyFile');
    if (copy?.type !== 'copyFile') throw new Error('expected a copy in the plan');
    // Claude Code appends to a transcript after the plan was made.
    await appendFile(copy.from, `${JSON.stringify({ type: 'last-prompt', lastPrompt: 'later' })}\n`);
    const before = await sb.dump();
    const r = cli(['apply', '--plan', out, '--yes', ...sb.args]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ESTALE_PLAN: /m);
    // What drifted is said once, naming the file.
    expect(r.stderr.split('\n').filter((l) => l.includes(copy.from))).toHaveLength(1);
    expect(await sb.dump()).toEqual(before);
    const j = cli(['apply', '--json', '--plan', out, '--yes', ...sb.args]);
    expect(j.code).toBe(3);
    expect(json<{ error: { code: string } }>(j).error.code).toBe('ESTALE_PLAN');
  });

  it('a file that is not a plan is refused before anything is written', async () => {
    const bad = join(sb.root, 'bad.json');
    await writeFile(bad, JSON.stringify({ version: 99 }));
    const r = cli(['apply', '--plan', bad, '--yes', '--json', ...sb.args]);
    expect(r.code).toBe(1);
    expect(json<{ error: { code: string } }>(r).error.code).toBe('EPLAN_VERSION');
    await writeFile(bad, 'not json');
    expect(cli(['apply', '--plan', bad, '--yes', ...sb.args]).stderr).toMatch(/^EPLAN_FILE: .* is not JSON/);
  });

  it('refuses (exit 3, ECLAUDE_RUNNING) while Claude Code runs with an account', async () => {
    await writeFile(join(sb.accounts[1] ?? '', 'sessions', `${process.pid}.json`), '{}');
    const before = await sb.dump();
    const r = cli(['apply', '--yes', ...sb.args]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ECLAUDE_RUNNING: /m);
    expect(await sb.dump()).toEqual(before);
  });

  it('refuses (exit 3, ELOCKED) while another apply holds the lock of the shared folder', async () => {
    // What a running apply (here: this test process, alive) keeps beside the shared folder.
    const lock = join(dirname(sb.sharedDir), '.claude-shared-sessions', 'lock');
    await mkdir(lock, { recursive: true });
    const owner = {
      pid: process.pid,
      host: hostname(),
      token: 't',
      acquiredAt: new Date().toISOString(),
      purpose: 'apply p',
    };
    await writeFile(join(lock, 'owner.json'), JSON.stringify(owner));
    const before = await sb.dump();
    const r = cli(['apply', '--yes', '--json', ...sb.args]);
    expect(r.code).toBe(3);
    expect(json<{ error: { code: string; message: string } }>(r).error).toMatchObject({
      code: 'ELOCKED',
      message: expect.stringMatching(/holds the lock/),
    });
    expect(await sb.dump()).toEqual(before);
  });

  it('apply forks a diverged session by default, and its summary names no conflicts folder it never made', async () => {
    const plan = json<Plan>(cli(['plan', '--json', ...sb.args]));
    const forks = plan.operations.filter((o) => o.type === 'forkSession');
    expect(forks.map((o) => o.sessionId)).toEqual([sb.planted.diverged]);
    const r = cli(['apply', '--yes', ...sb.args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/forked 1 diverged copy as new sessions/);
    expect(r.stdout).not.toMatch(/conflicting cop|in \S*conflicts/);
    await expect(readFile(join(dirname(sb.sharedDir), 'conflicts'))).rejects.toMatchObject({ code: 'ENOENT' });
    const fork = forks[0];
    if (fork?.type !== 'forkSession') throw new Error('no fork');
    const text = await readFile(fork.to, 'utf8');
    expect(text).toContain(`"sessionId":"${fork.newSessionId}"`);
    expect(text).not.toContain(sb.planted.diverged);
  });

  it('apply --json reports what was done', () => {
    const r = cli(['apply', '--json', '--yes', ...sb.args]);
    expect(r.code).toBe(0);
    const out = json<{
      applied: boolean;
      plan: { kind: string; operations: number };
      report: { operationsDone: number };
    }>(r);
    expect(out.applied).toBe(true);
    expect(out.plan.kind).toBe('share');
    expect(out.report.operationsDone).toBe(out.plan.operations);
  });

  it('asks on a real terminal and applies after "y"', () => {
    // util-linux `script` gives the command a real terminal; Debian's base image has it.
    expect(hasPty(), 'util-linux script with a pseudo-terminal is needed for this test').toBe(true);
    const command = [process.execPath, cliPath, 'apply', '--no-color', ...sb.args].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { input: 'y\n', encoding: 'utf8', env: cleanEnv() });
    expect(r.stdout).toMatch(/Apply this share plan \(\d+ operations\)\? \[y\/N\]/);
    expect(r.stdout).toMatch(/Applied \d+ operations/);
    expect(kinds(sb)).toEqual(['linked', 'linked', 'linked']);
  });

  it('on a real terminal, answering no changes nothing (exit 3)', async () => {
    expect(hasPty()).toBe(true);
    const before = await sb.dump();
    const command = [process.execPath, cliPath, 'apply', '--no-color', ...sb.args].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { input: 'n\n', encoding: 'utf8', env: cleanEnv() });
    expect(r.stdout).toMatch(/EDECLINED: Not confirmed/);
    expect(r.status).toBe(3);
    expect(await sb.dump()).toEqual(before);
  });
});
