import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/types.js';
import { type CliResult, cleanEnv, cli, cliPath, json, makeSandbox, repoRoot, type TestSandbox } from './support.js';

/** Runs the built command with stdout a pipe whose reader has already gone (`| head -0`). */
function intoClosedPipe(args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: repoRoot,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Our end of the pipe is closed before the command writes: its writes get EPIPE.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: '', stderr })));
}

describe('a closed pipe (| head -1)', () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await makeSandbox(2);
  });
  afterAll(() => sb.cleanup());

  it('list, status and plan exit quietly with their usual code, no EPIPE stack trace', async () => {
    const [list, status, plan, help] = await Promise.all([
      intoClosedPipe(['list', '--all', ...sb.args]),
      intoClosedPipe(['status', ...sb.args]),
      intoClosedPipe(['plan', ...sb.args]),
      intoClosedPipe(['--help']),
    ]);
    for (const r of [list, status, plan, help]) {
      expect(r.stderr).toBe('');
    }
    expect(list.code).toBe(0);
    expect(status.code).toBe(0);
    expect(plan.code).toBe(2);
    expect(help.code).toBe(0);
  });
});

describe('--dry-run', () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await makeSandbox(1);
  });
  afterAll(() => sb.cleanup());

  it('apply --dry-run and -n show the plan, change nothing and exit 2, as plan does', async () => {
    const before = await sb.dump();
    const plan = cli(['plan', ...sb.args]);
    for (const flag of ['--dry-run', '-n']) {
      const r = cli(['apply', flag, ...sb.args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/Nothing was changed; run `the same command without --dry-run` to do it\./);
      // The same plan text as `plan`, but for the first line (a fresh id and time), the
      // backup stamps (the time in seconds) and the closing hint.
      const body = (s: string) =>
        s.slice(s.indexOf('\n'), s.lastIndexOf('Nothing was changed')).replace(/\.bak\.\d+/g, '.bak.N');
      expect(body(r.stdout)).toBe(body(plan.stdout));
    }
    const asJson = json<Plan>(cli(['apply', '--dry-run', '--json', '--yes', ...sb.args]));
    expect(asJson.kind).toBe('share');
    expect(asJson.operations.length).toBeGreaterThan(0);
    // Not even --yes makes a dry run change anything.
    expect(await sb.dump()).toEqual(before);
  });

  it('rollback --dry-run shows the rollback plan after a share and changes nothing', async () => {
    expect(cli(['apply', '--yes', ...sb.args]).code).toBe(0);
    const shared = await sb.dump();
    const r = cli(['rollback', '-n', '--yes', ...sb.args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/Nothing was changed/);
    expect(json<Plan>(cli(['rollback', '--dry-run', '--json', ...sb.args])).kind).toBe('rollback');
    expect(await sb.dump()).toEqual(shared);
    expect(cli(['rollback', '--yes', ...sb.args]).code).toBe(0);
    expect(cli(['rollback', '--dry-run', ...sb.args]).code).toBe(0);
  });
});

describe('--accounts', () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await makeSandbox(1);
  });
  afterAll(() => sb.cleanup());

  it('a list option before the command does not swallow the command', () => {
    const after = cli(['status', ...sb.args]);
    expect(after.code).toBe(0);
    // sb.args ends with `--accounts a b c`: the command comes right after the list.
    const before = cli([...sb.args, 'status']);
    expect(before.code).toBe(0);
    expect(before.stdout).toBe(after.stdout);
    const beforeJson = cli(['--json', ...sb.args, 'list', '--all']);
    expect(beforeJson.code).toBe(0);
    expect(json<unknown[]>(beforeJson).length).toBe(
      json<unknown[]>(cli(['list', '--all', '--json', ...sb.args])).length,
    );
  });

  it('plan names an account given with --accounts that does not exist (a typo), exit 1', async () => {
    const typo = `${sb.home}/.claud`;
    const before = await sb.dump();
    for (const command of ['plan', 'apply', 'rollback']) {
      const r = cli([command, '--yes', '--home', sb.home, '--shared', sb.sharedDir, '--accounts', typo]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `ENOTFOUND_ACCOUNT: ~/.claud (named with --accounts) does not exist. Check the spelling; \`claude-shared-sessions status\` without --accounts lists the accounts found in ~.\n`,
      );
    }
    const r = cli([
      'plan',
      '--json',
      '--home',
      sb.home,
      '--shared',
      sb.sharedDir,
      '--accounts',
      sb.accounts[0] as string,
      typo,
    ]);
    expect(json<{ error: { code: string; path: string } }>(r).error).toMatchObject({
      code: 'ENOTFOUND_ACCOUNT',
      path: typo,
    });
    expect(await sb.dump()).toEqual(before);
  });
});
