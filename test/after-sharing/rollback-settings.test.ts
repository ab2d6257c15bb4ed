/**
 * Issue 10 §1: `rollback` puts back each account's own `cleanupPeriodDays`, exactly as it
 * was before the share raised it: the same value, no value, or no `settings.json` at all
 * (share leaves a record `settings.json.bak.<stamp>.absent` when it creates the file). The
 * other settings, including those added while shared, are kept; the plan says so.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/apply.js';
import { createSandbox } from '../../src/demo/sandbox.js';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import type { FileSystem } from '../../src/fs/types.js';
import { describePlan } from '../../src/plan/describe.js';
import { rollback, share } from '../../src/verbs/verbs.js';
import { cli, makeSandbox } from '../cli/support.js';

const NOW = Date.parse('2026-11-27T06:00:00Z');

async function readText(fs: FileSystem, path: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await fs.readFile(path));
  } catch {
    return undefined;
  }
}

async function roundTrip(fs: FileSystem, root: string) {
  const sb = await createSandbox({ fs, root });
  const [none, unset, set] = sb.accounts as [string, string, string];
  const settings = (a: string) => join(a, 'settings.json');
  // No file; a file without the key; a file with a low value and another key.
  await fs.unlink(settings(none));
  await fs.writeFile(settings(unset), '{\n  "model": "opus"\n}\n');
  await fs.writeFile(settings(set), '{\n  "cleanupPeriodDays": 14,\n  "theme": "dark"\n}\n');
  const options = {
    fs,
    home: sb.home,
    env: {},
    accounts: sb.accounts,
    sharedDir: sb.sharedDir,
    isProcessAlive: () => false,
  };
  const shared = await share({ ...options, id: 's1', now: NOW });
  await applyPlan(shared, { fs, isProcessAlive: () => false });
  for (const a of sb.accounts) {
    expect(JSON.parse((await readText(fs, settings(a))) ?? '{}').cleanupPeriodDays).toBe(3650);
  }
  // While shared, a setting is added to one account.
  await fs.writeFile(
    settings(unset),
    '{\n  "cleanupPeriodDays": 3650,\n  "model": "opus",\n  "editorMode": "vim"\n}\n',
  );
  const plan = await rollback({ ...options, id: 'r1', now: NOW + 60_000, carry: 'none' });
  const text = describePlan(plan, { verbose: true });
  await applyPlan(plan, { fs, isProcessAlive: () => false });
  return { sb, none, unset, set, settings, text, plan };
}

describe.each([
  [
    'the real disk',
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'css-rollback-settings-'));
      return { fs: createNodeFileSystem(), root, done: () => rm(root, { recursive: true, force: true }) };
    },
  ],
  ['memfs', async () => ({ fs: createMemFileSystem(new Volume()), root: '/s', done: async () => {} })],
] as const)('rollback restores cleanupPeriodDays (%s)', (_name, make) => {
  it('puts back each account its own value, its absence, or no settings.json, and says so', async () => {
    const { fs, root, done } = await make();
    try {
      const { none, unset, set, settings, text } = await roundTrip(fs, root);
      // Exactly as before: the value and the other key; the key gone, what was added kept; no file.
      expect(await readText(fs, settings(set))).toBe('{\n  "cleanupPeriodDays": 14,\n  "theme": "dark"\n}\n');
      expect(await readText(fs, settings(unset))).toBe('{\n  "model": "opus",\n  "editorMode": "vim"\n}\n');
      expect(await readText(fs, settings(none))).toBeUndefined();
      // Nothing is lost: what share wrote into the account that had no file is kept as a backup.
      const kept = (await fs.readdir(none)).map((e) => e.name).filter((n) => n.startsWith('settings.json.bak.'));
      const copies = await Promise.all(kept.map((n) => readText(fs, join(none, n))));
      expect(copies).toContain('{\n  "cleanupPeriodDays": 3650\n}\n');
      // The plan says what it restores, account by account.
      expect(text).toContain(`restore cleanupPeriodDays to 14 as before sharing (now 3650) in ${settings(set)}`);
      expect(text).toContain(
        `restore cleanupPeriodDays to unset as before sharing (Claude Code's default, 30 days; now 3650) in ${settings(unset)}`,
      );
      expect(text).toContain(`remove ${settings(none)}, which share created`);
    } finally {
      await done();
    }
  });

  it('leaves a value that already is what it was before alone', async () => {
    const { fs, root, done } = await make();
    try {
      const sb = await createSandbox({ fs, root });
      const options = {
        fs,
        home: sb.home,
        env: {},
        accounts: sb.accounts,
        sharedDir: sb.sharedDir,
        isProcessAlive: () => false,
      };
      await applyPlan(await share({ ...options, id: 's1', now: NOW }), { fs, isProcessAlive: () => false });
      const a = sb.accounts[0] as string;
      const before = JSON.parse(
        (await readText(fs, join(`${a}`, 'settings.json.bak.' + Math.floor(NOW / 1000)))) ?? '{}',
      );
      await fs.writeFile(join(a, 'settings.json'), `${JSON.stringify(before, null, 2)}\n`);
      const plan = await rollback({ ...options, id: 'r1', now: NOW + 60_000, carry: 'none' });
      const writes = plan.operations.filter((o) => o.reason === 'cleanup-period');
      expect(writes.map((o) => o.account)).toEqual([sb.accounts[1], sb.accounts[2]]);
    } finally {
      await done();
    }
  });
});

describe('the rollback command', () => {
  it('says in its text output that it restores each account its own cleanupPeriodDays', async () => {
    const sb = await makeSandbox(1);
    try {
      expect(cli(['apply', '--yes', ...sb.args]).code).toBe(0);
      const r = cli(['rollback', '--yes', '--carry', 'none', ...sb.args]);
      expect(r.code, r.stderr).toBe(0);
      // The sandbox's accounts set 30, 14 and 90 days before sharing.
      for (const [i, days] of [30, 14, 90].entries()) {
        const path = join(sb.accounts[i] as string, 'settings.json');
        expect(JSON.parse(await readFile(path, 'utf8')).cleanupPeriodDays).toBe(days);
        expect(r.stdout).toContain(
          `restore cleanupPeriodDays to ${days} as before sharing (now 3650) in ${sb.accounts[i]}`,
        );
      }
    } finally {
      await sb.cleanup();
    }
  });
});
