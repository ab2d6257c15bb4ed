/**
 * `sharedFolders()`: the folders `share` left linked, so that `status`, `doctor` and
 * `retain` default to them instead of needing `--folders` repeated after
 * `apply --folders ...`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { describe, expect, it } from 'vitest';
import { sharedFolders } from '../../src/accounts/shared-folders.js';
import { applyPlan } from '../../src/apply/index.js';
import { createSandbox } from '../../src/demo/sandbox.js';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { rollback, share } from '../../src/verbs/verbs.js';

const cliPath = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

describe('sharedFolders', () => {
  it('finds the folders share linked, and forgets them once rollback removes the links', async () => {
    const fs = createMemFileSystem(new Volume());
    const sb = await createSandbox({ fs, root: '/m', sessionsPerAccount: 1 });
    const where = { fs, home: sb.home, sharedDir: sb.sharedDir, cwd: sb.home, accounts: sb.accounts.slice(0, 2) };
    for (const a of sb.accounts) {
      await fs.mkdir(join(a, 'todos'), { recursive: true });
      await fs.mkdir(join(a, 'plans'), { recursive: true });
    }
    expect(await sharedFolders(where)).toEqual(['projects']);
    await applyPlan(await share({ ...where, folders: ['todos'], cleanupPeriodDays: false }), { fs });
    // A link to somewhere else is not a shared folder.
    await fs.rmdir(join(sb.accounts[2] as string, 'plans'));
    await fs.symlink('/m', join(sb.accounts[2] as string, 'plans'));
    expect(await sharedFolders({ ...where, accounts: sb.accounts })).toEqual(['projects', 'todos']);
    await applyPlan(await rollback({ ...where, folders: ['todos'], carry: 'all' }), { fs });
    expect(await sharedFolders(where)).toEqual(['projects']);
  });
});

describe('the command after apply --folders', () => {
  it('status, doctor and retain cover the shared folders without --folders', async () => {
    const root = await mkdtemp(join(tmpdir(), 'css-shared-folders-'));
    try {
      const fs = createNodeFileSystem();
      const sb = await createSandbox({ fs, root, sessionsPerAccount: 1 });
      for (const a of sb.accounts) {
        await fs.mkdir(join(a, 'todos'), { recursive: true });
        await fs.writeFile(join(a, 'todos', `${a.length}-todo.json`), '[]');
      }
      const env: Record<string, string | undefined> = { ...process.env, CLAUDE_SHARED_SESSIONS_MANAGED_DIR: root };
      delete env.CLAUDE_CONFIG_DIR;
      const global = ['--home', sb.home, '--shared', sb.sharedDir, '--accounts', ...sb.accounts];
      const run = (...args: string[]) =>
        spawnSync(process.execPath, [cliPath, ...args, ...global], { env, encoding: 'utf8', input: '' });
      expect(run('apply', '--yes', '--folders', 'todos').status).toBe(0);
      const todos = join(sb.home, '.claude-shared', 'todos');

      const status = JSON.parse(run('status', '--json').stdout) as {
        sharedDirs: Record<string, string>;
        shared: { folder: string; linkedAccounts: string[] }[];
      };
      expect(status.sharedDirs).toEqual({ projects: sb.sharedDir, todos });
      expect(status.shared.find((s) => s.folder === 'todos')?.linkedAccounts).toEqual(sb.accounts);

      // A todos file deleted from the shared folder since it was retained: found and fixable.
      const file = join(todos, `${(sb.accounts[0] as string).length}-todo.json`);
      await fs.unlink(file);
      const doctor = JSON.parse(run('doctor', '--json').stdout) as { findings: { code: string; path?: string }[] };
      expect(doctor.findings).toContainEqual(expect.objectContaining({ code: 'SESSIONS_DELETED' }));
      expect(run('retain', '--recover', '--yes').status).toBe(0);
      expect(new TextDecoder().decode(await fs.readFile(file))).toBe('[]');

      // --folders given still wins: projects only.
      const only = JSON.parse(run('status', '--json', '--folders', 'projects').stdout) as {
        sharedDirs: Record<string, string>;
      };
      expect(Object.keys(only.sharedDirs)).toEqual(['projects']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
