import { spawnSync } from 'node:child_process';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MANAGED_DIR_ENV } from '../../src/cli/commands/cleanup.js';
import { retainedDirOf } from '../../src/plan/retain.js';
import { makeSharedLayout, type SharedLayout } from '../doctor/helpers.js';
import { cli, json, makeSandbox } from './helpers.js';

interface Finding {
  code: string;
  severity: string;
  message: string;
  fixable: boolean;
}

const AGES = [1, 4, 9, 45];

/**
 * A fake `claude`: what Claude Code's cleanup does with cleanupPeriodDays N, through the
 * account's linked `projects/` (the trailing slash follows the link): every `*.jsonl`
 * older than N days is deleted, then every empty folder.
 */
const FAKE_CLAUDE = `#!/bin/sh
find "$CLAUDE_CONFIG_DIR/projects/" -name '*.jsonl' -mtime +"$FAKE_CLEANUP_DAYS" -delete
find "$CLAUDE_CONFIG_DIR/projects/" -mindepth 1 -type d -empty -delete
`;

describe('retained links: what Claude Code cleanup deletes from the shared folder comes back (issue 10 §1)', () => {
  let l: SharedLayout;
  let env: Record<string, string>;
  beforeEach(async () => {
    l = await makeSharedLayout(Date.now(), AGES);
    env = { [MANAGED_DIR_ENV]: l.managedDir };
  });
  afterEach(() => l.cleanup());

  it('doctor finds the deleted transcripts; doctor --fix restores every one, byte and mtime identical', async () => {
    // Shared before this version: no retained links yet. doctor says so, --fix makes them.
    const before = json<{ findings: Finding[] }>(cli(['doctor', '--json', ...l.args], { env }));
    expect(before.findings.map((f) => f.code)).toContain('NOT_RETAINED');
    expect(cli(['doctor', '--fix', '--yes', ...l.args], { env }).code).toBe(0);
    for (const t of l.transcripts) expect((await stat(t.path)).nlink).toBe(2);

    const original = new Map<string, { bytes: Buffer; mtimeNs: bigint }>();
    for (const t of l.transcripts) {
      original.set(t.path, { bytes: await readFile(t.path), mtimeNs: (await stat(t.path, { bigint: true })).mtimeNs });
    }
    const fake = join(l.root, 'claude');
    await writeFile(fake, FAKE_CLAUDE);
    await chmod(fake, 0o755);
    const run = spawnSync(fake, [], {
      env: { ...process.env, CLAUDE_CONFIG_DIR: l.accounts[0] as string, FAKE_CLEANUP_DAYS: '2' },
      cwd: l.repos[0],
    });
    expect(run.status).toBe(0);
    const deleted = [];
    for (const t of l.transcripts) {
      try {
        await stat(t.path);
      } catch {
        deleted.push(t.path);
      }
    }
    expect(deleted.length).toBe(l.transcripts.filter((t) => t.ageDays > 2).length);
    expect(deleted.length).toBeGreaterThan(0);

    const found = cli(['doctor', '--json', ...l.args], { env });
    expect(found.code).toBe(2);
    const lost = json<{ findings: Finding[] }>(found).findings.find((f) => f.code === 'SESSIONS_DELETED');
    expect(lost).toMatchObject({ severity: 'error', fixable: true });
    expect(lost?.message).toMatch(new RegExp(`^${deleted.length} shared files`));

    const fixed = cli(['doctor', '--fix', '--yes', ...l.args], { env });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/bring back shared files deleted since/);
    for (const t of l.transcripts) {
      const o = original.get(t.path);
      expect(await readFile(t.path)).toEqual(o?.bytes);
      expect((await stat(t.path, { bigint: true })).mtimeNs).toBe(o?.mtimeNs);
    }
    const after = json<{ findings: Finding[] }>(cli(['doctor', '--json', ...l.args], { env }));
    expect(after.findings.map((f) => f.code)).not.toContain('SESSIONS_DELETED');
    expect(after.findings.map((f) => f.code)).not.toContain('NOT_RETAINED');
  });

  it('apply (share) retains every shared transcript as a hard link outside projects/', async () => {
    const sb = await makeSandbox();
    try {
      expect(cli(['apply', '--yes', ...sb.args]).code).toBe(0);
      const retained = retainedDirOf(sb.sharedDir);
      const r = spawnSync('find', [sb.sharedDir, '-name', '*.jsonl', '-type', 'f'], { encoding: 'utf8' });
      const files = r.stdout.trim().split('\n').filter(Boolean);
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        const [a, b] = await Promise.all([stat(f), stat(join(retained, f.slice(sb.sharedDir.length + 1)))]);
        expect(b.ino).toBe(a.ino);
      }
    } finally {
      await sb.cleanup();
    }
  });
});
