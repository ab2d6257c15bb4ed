import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeProjectDir } from '../../src/layout/names.js';
import type { Plan } from '../../src/plan/types.js';
import { cleanEnv, cli, json, makeSandbox, repoRoot, type TestSandbox, writeFakeClaude } from './support.js';

function example(name: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'examples', name), ...args], {
    cwd: repoRoot,
    env: cleanEnv(env),
    encoding: 'utf8',
    input: '',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const kinds = (sb: TestSandbox) =>
  json<{ accounts: { projects: { kind: string } }[] }>(cli(['status', '--json', ...sb.args])).accounts.map(
    (a) => a.projects.kind,
  );

describe('examples', () => {
  let sb: TestSandbox;
  let fakeClaude: string;
  beforeEach(async () => {
    sb = await makeSandbox(2);
    // A stand-in for `claude` that says how it was started, so CI never runs the real one.
    fakeClaude = await writeFakeClaude(
      join(sb.root, 'bin'),
      '#!/bin/sh\necho "fake claude: CLAUDE_CONFIG_DIR=$CLAUDE_CONFIG_DIR args=$*"\nexit 7\n',
    );
  });
  afterEach(() => sb.cleanup());

  it('plan-dry-run prints and saves a plan, and changes nothing else', async () => {
    const before = await sb.dump();
    const out = join(sb.root, 'dry-run-plan.json');
    const r = example('plan-dry-run.mjs', ['--home', sb.home, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^share plan /m);
    expect(r.stdout).toMatch(/Saved \d+ operations to .*dry-run-plan\.json/);
    const plan = JSON.parse(await readFile(out, 'utf8')) as Plan;
    expect(plan.kind).toBe('share');
    expect([...plan.accounts].sort()).toEqual([...sb.accounts].sort());
    expect(await sb.dump()).toEqual(before);
    // The saved plan is one the command applies.
    expect(cli(['apply', '--plan', out, '--yes', ...sb.args]).code).toBe(0);
    expect(kinds(sb)).toEqual(['linked', 'linked', 'linked']);
  });

  it('switch-account --dry-run shows the plan and starts nothing', async () => {
    const before = await sb.dump();
    const account = sb.accounts[1] ?? '';
    const r = example('switch-account.mjs', [account, '--home', sb.home, '--dry-run'], { CLAUDE_BIN: fakeClaude });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Dry run: \d+ operations not applied; claude not started\./);
    expect(r.stdout).not.toMatch(/fake claude/);
    expect(await sb.dump()).toEqual(before);
  });

  it('switch-account shares that account only, then starts claude with its CLAUDE_CONFIG_DIR', () => {
    const account = sb.accounts[1] ?? '';
    const env = { CLAUDE_BIN: fakeClaude };
    const refused = example('switch-account.mjs', [account, '--home', sb.home], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--yes/);

    const r = example('switch-account.mjs', [account, '--home', sb.home, '--yes', '--', '--resume'], env);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/now shares/);
    expect(r.stdout).toContain(`fake claude: CLAUDE_CONFIG_DIR=${account} args=--resume`);
    expect(r.code).toBe(7); // claude's own exit code is passed on
    expect(kinds(sb)).toEqual(['directory', 'linked', 'directory']);

    const again = example('switch-account.mjs', [account, '--home', sb.home], env);
    expect(again.stdout).toMatch(/already shares/);
    expect(again.stdout).toContain(`CLAUDE_CONFIG_DIR=${account}`);
  });

  it('switch-account --resume resumes a session of another account in its own folder, once shared', async () => {
    const id = '5e551011-0000-4000-8000-000000000001';
    const work = await realpath(await mkdtemp(join(sb.root, 'work-')));
    const project = join(sb.accounts[0] ?? '', 'projects', encodeProjectDir(work).name);
    await mkdir(project, { recursive: true });
    await writeFile(
      join(project, `${id}.jsonl`),
      `${JSON.stringify({ type: 'user', cwd: work, sessionId: id, message: { role: 'user', content: 'hi' }, uuid: 'u1', timestamp: '2026-01-01T00:00:00.000Z' })}\n`,
    );
    // The session is in the first account; switching to the third shares both ways.
    cli(['apply', '--yes', ...sb.args]);
    const account = sb.accounts[2] ?? '';
    const r = example('switch-account.mjs', [account, '--home', sb.home, '--resume', id.slice(0, 8)], {
      CLAUDE_BIN: fakeClaude,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`fake claude: CLAUDE_CONFIG_DIR=${account} args=--resume ${id}`);
    expect(r.code).toBe(7);
  });

  it('list-sessions lists the sessions of every account with who sees them', () => {
    cli(['apply', '--yes', ...sb.args]);
    const r = example('list-sessions.mjs', ['--home', sb.home, '--json', '--limit', '5']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const sessions = JSON.parse(r.stdout) as { sessionId: string; lastModified: number; accounts: string[] }[];
    expect(sessions).toHaveLength(5);
    for (const s of sessions) expect([...s.accounts].sort()).toEqual([...sb.accounts].sort());
    const times = sessions.map((s) => s.lastModified);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const text = example('list-sessions.mjs', ['--home', sb.home]);
    expect(text.stdout).toMatch(/\d+ sessions\n$/);
  });
});
