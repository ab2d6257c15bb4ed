/**
 * `diagnose()`: what `status` and `doctor` learn from the disk, as data. The command only
 * formats it, so its `--json` output and the library's result must agree.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import { createSandbox, type Sandbox } from '../../src/demo/sandbox.js';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import type { FileSystem } from '../../src/fs/types.js';
import { retainedDirOf } from '../../src/layout/config-dir.js';
import { planRetain } from '../../src/plan/retain.js';
import { diagnose } from '../../src/verbs/diagnose.js';
import { retain } from '../../src/verbs/retain.js';
import { share } from '../../src/verbs/verbs.js';
import { hookFs } from '../support/faulty-fs.js';

const cliPath = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

/** The first shared transcript: `<project>/<uuid>.jsonl` under the shared folder. */
async function firstSharedSession(fs: FileSystem, sharedDir: string): Promise<string> {
  for (const project of await fs.readdir(sharedDir)) {
    if (project.type !== 'directory') continue;
    const file = (await fs.readdir(join(sharedDir, project.name))).find((f) => f.name.endsWith('.jsonl'));
    if (file) return join(sharedDir, project.name, file.name);
  }
  throw new Error('no shared session');
}

/** Shares the first two sandbox accounts (the third stays out), with retained links. */
async function shareTwo(fs: FileSystem, sb: Sandbox): Promise<void> {
  const where = { fs, home: sb.home, sharedDir: sb.sharedDir, cwd: sb.home };
  await applyPlan(await share({ ...where, accounts: sb.accounts.slice(0, 2), cleanupPeriodDays: false }), { fs });
  await applyPlan(await retain(where), { fs });
}

describe('diagnose on memfs', () => {
  let fs: FileSystem;
  let sb: Sandbox;
  beforeEach(async () => {
    fs = createMemFileSystem(new Volume());
    sb = await createSandbox({ fs, root: '/m', sessionsPerAccount: 2 });
    await shareTwo(fs, sb);
  });

  it('returns plain data: accounts, totals, retained links and findings with codes, and JSON keeps all of it', async () => {
    const d = await diagnose({ fs, home: sb.home, sharedDir: sb.sharedDir, accounts: sb.accounts, cwd: sb.home });
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d.accounts.map((a) => a.projects.kind)).toEqual(['linked', 'linked', 'directory']);
    expect(d.shared[0]).toMatchObject({ folder: 'projects', exists: true });
    expect(d.shared[0]?.sessions).toBeGreaterThan(0);
    expect(d.retained.exists).toBe(true);
    expect(d.retained.unretained).toBe(0);
    // The third account does not share: a note. The second keeps cleanupPeriodDays 14 (the
    // share left settings alone), which deletes shared sessions: the one error.
    const codes = d.findings.map((f) => [f.code, f.account]);
    expect(codes).toContainEqual(['NOT_SHARING', sb.accounts[2]]);
    expect(d.findings.filter((f) => f.severity !== 'info').map((f) => [f.code, f.account])).toEqual([
      ['CLEANUP_PERIOD', sb.accounts[1]],
    ]);
  });

  it('finds a shared file deleted since it was retained, and its retain state brings it back', async () => {
    const victim = await firstSharedSession(fs, sb.sharedDir);
    const bytes = await fs.readFile(victim);
    await fs.unlink(victim);
    const d = await diagnose({ fs, home: sb.home, sharedDir: sb.sharedDir, accounts: sb.accounts, cwd: sb.home });
    const deleted = d.findings.find((f) => f.code === 'SESSIONS_DELETED');
    expect(deleted).toMatchObject({ severity: 'error', fixable: true, path: retainedDirOf(sb.sharedDir) });
    expect(d.findings[0]?.severity).toBe('error');
    expect(d.retained.deleted).toBe(1);
    // What doctor --fix does with it: plan from the states read, no second walk.
    await applyPlan(planRetain(d.retainStates, { id: 'fix', now: 0, recover: true }), { fs });
    expect(await fs.readFile(victim)).toEqual(bytes);
    const after = await diagnose({ fs, home: sb.home, sharedDir: sb.sharedDir, accounts: sb.accounts, cwd: sb.home });
    expect(after.findings.map((f) => f.code)).not.toContain('SESSIONS_DELETED');
  });

  it('reads the retained folder once per run', async () => {
    const retained = retainedDirOf(sb.sharedDir);
    let reads = 0;
    // Without the synchronous reads, so that every readdir goes through the hook.
    const counting = hookFs(fs, {
      keep: ['link', 'copyTimes', 'syncFileSystem', 'descriptors'],
      before: (c) => {
        if (c.call === 'readdir' && c.path === retained) reads++;
      },
    });
    await diagnose({ fs: counting, home: sb.home, sharedDir: sb.sharedDir, accounts: sb.accounts, cwd: sb.home });
    expect(reads).toBe(1);
  });

  it('with deep: false skips the walks only findings need, and keeps the state', async () => {
    await fs.mkdir(join(sb.sharedDir, '-x'), { recursive: true });
    await fs.writeFile(join(sb.sharedDir, '-x', 'sessions-index.json'), '{}');
    const options = { fs, home: sb.home, sharedDir: sb.sharedDir, accounts: sb.accounts, cwd: sb.home };
    const deep = await diagnose(options);
    const shallow = await diagnose({ ...options, deep: false });
    expect(deep.findings.map((f) => f.code)).toContain('STALE_SESSIONS_INDEX');
    expect(shallow.findings.map((f) => f.code)).not.toContain('STALE_SESSIONS_INDEX');
    expect(shallow.accounts).toEqual(deep.accounts);
    expect(shallow.retained).toEqual(deep.retained);
  });

  it('refuses a clock that is not a date, with a code', async () => {
    await expect(diagnose({ fs, home: sb.home, now: 'soon' })).rejects.toMatchObject({ code: 'EINVALID_OPTION' });
  });
});

describe('diagnose and the command', () => {
  let root: string;
  let sb: Sandbox;
  const fs = createNodeFileSystem();
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'css-diagnose-'));
    sb = await createSandbox({ fs, root, sessionsPerAccount: 2 });
    await shareTwo(fs, sb);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('doctor --json prints the findings diagnose returns, and status --json its state', async () => {
    // Something of each kind: a deleted shared file, a new one not retained, a frozen index.
    await unlink(await firstSharedSession(fs, sb.sharedDir));
    const project = join(sb.sharedDir, '-home-dev-new');
    await mkdir(project, { recursive: true });
    await writeFile(join(project, '00000000-0000-4000-8000-000000000001.jsonl'), '{"type":"user"}\n');
    await writeFile(join(project, 'sessions-index.json'), '{}');
    const managed = join(root, 'managed');
    await mkdir(managed);
    const env: Record<string, string | undefined> = {
      ...process.env,
      CLAUDE_SHARED_SESSIONS_MANAGED_DIR: managed,
      CLAUDE_SHARED_SESSIONS_MACHINE: 'm1',
    };
    delete env.CLAUDE_CONFIG_DIR;
    const args = ['--home', sb.home, '--shared', sb.sharedDir, '--accounts', ...sb.accounts, '--json'];
    const run = (command: string) => {
      const r = spawnSync(process.execPath, [cliPath, command, ...args], { env, encoding: 'utf8', input: '' });
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const options = {
      fs,
      home: sb.home,
      sharedDir: sb.sharedDir,
      accounts: sb.accounts,
      cwd: process.cwd(),
      env,
      includeEnv: false,
      managedSettingsDirs: [managed],
      machine: 'm1',
    };
    const d = await diagnose(options);
    expect(d.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['SESSIONS_DELETED', 'NOT_RETAINED', 'STALE_SESSIONS_INDEX', 'NOT_SHARING']),
    );
    expect(run('doctor')).toEqual({ ok: false, findings: d.findings });
    const status = run('status');
    const s = await diagnose({ ...options, deep: false });
    expect(status).toEqual({
      home: s.home,
      sharedDirs: s.sharedDirs,
      accounts: s.accounts,
      shared: s.shared,
      cleanup: s.cleanup,
      applyState: s.applyState,
      copiedLinks: s.copiedLinks,
      retained: s.retained,
    });
  });
});
