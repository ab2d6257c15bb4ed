import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, json, makeSandbox, type TestSandbox } from './support.js';

const ANSI = /\u001b\[/;

describe('global behaviour', () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await makeSandbox(1);
  });
  afterAll(() => sb.cleanup());

  it('colours only when asked and never with NO_COLOR or --no-color', () => {
    expect(cli(['status', ...sb.args]).stdout).not.toMatch(ANSI);
    expect(cli(['status', ...sb.args], { env: { FORCE_COLOR: '1' } }).stdout).toMatch(ANSI);
    expect(cli(['status', ...sb.args], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).not.toMatch(ANSI);
    expect(cli(['status', '--no-color', ...sb.args], { env: { FORCE_COLOR: '1' } }).stdout).not.toMatch(ANSI);
    // An empty NO_COLOR does not count (no-color.org).
    expect(cli(['status', ...sb.args], { env: { FORCE_COLOR: '1', NO_COLOR: '' } }).stdout).toMatch(ANSI);
  });

  it('--json keeps colour out of stdout even when forced', () => {
    const r = cli(['status', '--json', ...sb.args], { env: { FORCE_COLOR: '1' } });
    expect(r.stdout).not.toMatch(ANSI);
    json(r);
  });

  it('a usage error exits 1 with a message on stderr', () => {
    const r = cli(['status', '--bogus']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('a usage error with --json is JSON on stdout with a code', () => {
    const r = cli(['list', '--json', '--limit', 'zero']);
    expect(r.code).toBe(1);
    expect(json<{ error: { code: string; message: string } }>(r).error).toEqual({
      code: 'EUSAGE',
      message: expect.stringMatching(/--limit/),
    });
  });

  it('list --project and --all cannot be combined', () => {
    const r = cli(['list', '--all', '--project', '/x', ...sb.args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot be used with/);
  });

  it('an unknown command exits 1', () => {
    expect(cli(['frobnicate']).code).toBe(1);
  });

  it('a typed error prints `code: sentence`, no stack unless --verbose', () => {
    const r = cli(['apply', '--plan', `${sb.root}/no-such-plan.json`, ...sb.args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^EPLAN_FILE: Cannot read the plan file .*no-such-plan\.json/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const verbose = cli(['apply', '--verbose', '--plan', `${sb.root}/no-such-plan.json`, ...sb.args]);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('a typed error with --json is `{ error: { code, message } }` on stdout', () => {
    const r = cli(['apply', '--json', '--plan', `${sb.root}/no-such-plan.json`, ...sb.args]);
    expect(r.code).toBe(1);
    const out = json<{ error: { code: string; message: string } }>(r);
    expect(out.error.code).toBe('EPLAN_FILE');
    expect(out.error.message).toMatch(/no-such-plan\.json/);
  });

  it('prints completion scripts for bash, zsh and fish', () => {
    const bash = cli(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toMatch(/complete -o filenames -F _claude_shared_sessions claude-shared-sessions/);
    expect(bash.stdout).toMatch(/rollback\) opts="--carry --backup/);
    expect(cli(['completion', 'zsh']).stdout).toMatch(/bashcompinit/);
    expect(cli(['completion', 'fish']).stdout).toMatch(/complete -c claude-shared-sessions .* -a doctor/);
    expect(cli(['completion', 'tcsh']).code).toBe(1);
  });
});
