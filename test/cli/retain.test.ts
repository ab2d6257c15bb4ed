import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rmdir, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retainedDirOf } from '../../src/layout/config-dir.js';
import { CLEANUP_AGES, makeSharedLayout, type SharedLayout } from '../support/shared-layout.js';
import { cli, type Finding, json, makeSandbox, writeFakeClaude } from './support.js';

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
  beforeEach(async () => {
    l = await makeSharedLayout(Date.now(), CLEANUP_AGES);
  });
  afterEach(() => l.cleanup());

  it('doctor finds the deleted transcripts; doctor --fix restores every one, byte and mtime identical', async () => {
    // Shared before this version: no retained links yet. doctor says so, --fix makes them.
    const before = json<{ findings: Finding[] }>(cli(['doctor', '--json', ...l.args], { env: l.env }));
    expect(before.findings.map((f) => f.code)).toContain('NOT_RETAINED');
    expect(cli(['doctor', '--fix', '--yes', ...l.args], { env: l.env }).code).toBe(0);
    for (const t of l.transcripts) expect((await stat(t.path)).nlink).toBe(2);

    const original = new Map<string, { bytes: Buffer; mtimeNs: bigint }>();
    for (const t of l.transcripts) {
      original.set(t.path, { bytes: await readFile(t.path), mtimeNs: (await stat(t.path, { bigint: true })).mtimeNs });
    }
    const fake = await writeFakeClaude(l.root, FAKE_CLAUDE);
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

    const found = cli(['doctor', '--json', ...l.args], { env: l.env });
    expect(found.code).toBe(2);
    const lost = json<{ findings: Finding[] }>(found).findings.find((f) => f.code === 'SESSIONS_DELETED');
    expect(lost).toMatchObject({ severity: 'error', fixable: true });
    expect(lost?.message).toMatch(new RegExp(`^${deleted.length} shared files`));

    const fixed = cli(['doctor', '--fix', '--yes', ...l.args], { env: l.env });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/bring back shared files deleted since/);
    for (const t of l.transcripts) {
      const o = original.get(t.path);
      expect(await readFile(t.path)).toEqual(o?.bytes);
      expect((await stat(t.path, { bigint: true })).mtimeNs).toBe(o?.mtimeNs);
    }
    const after = json<{ findings: Finding[] }>(cli(['doctor', '--json', ...l.args], { env: l.env }));
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

  it('retain --prune lets go of the links of files deleted on purpose, after --dry-run shows them; status counts the space only .retained holds', async () => {
    const retained = retainedDirOf(l.sharedDir);
    const status0 = json<{ retained: { exists: boolean } }>(cli(['status', '--json', ...l.args], { env: l.env }));
    expect(status0.retained.exists).toBe(false);
    const made = cli(['retain', '--yes', ...l.args], { env: l.env });
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/keep hard links of shared files/);
    for (const t of l.transcripts) expect((await stat(t.path)).nlink).toBe(2);
    // Nothing to do the second time: no plan work, exit 0.
    const again = cli(['retain', '--yes', ...l.args], { env: l.env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to do/);

    // The user deletes two sessions on purpose.
    const gone = l.transcripts.slice(0, 2);
    let bytes = 0;
    for (const t of gone) {
      bytes += (await stat(t.path)).size;
      await unlink(t.path);
    }
    const rel = (p: string) => p.slice(l.sharedDir.length + 1);
    type Totals = { files: number; deleted: number; heldOnly: { files: number; bytes: number } };
    const status1 = json<{ retained: Totals }>(cli(['status', '--json', ...l.args], { env: l.env }));
    expect(status1.retained).toMatchObject({
      files: l.transcripts.length,
      deleted: 2,
      heldOnly: { files: 2, bytes },
    });
    const text = cli(['status', ...l.args], { env: l.env });
    expect(text.stdout).toMatch(/held only there \(2 files deleted from the shared folder/);
    expect(text.stdout).toMatch(/retain --prune/);

    const dry = cli(['retain', '--prune', '--dry-run', ...l.args], { env: l.env });
    expect(dry.code).toBe(2);
    expect(dry.stdout).toMatch(/let go of retained links of shared files deleted on purpose/);
    for (const t of gone) expect(dry.stdout).toContain(join(retained, rel(t.path)));
    expect((await stat(join(retained, rel(gone[0]?.path ?? '')))).nlink).toBe(1);

    // Not on a terminal and no --yes: refused, nothing removed.
    const asked = cli(['retain', '--prune', ...l.args], { env: l.env });
    expect(asked.code).not.toBe(0);
    for (const t of gone) expect((await stat(join(retained, rel(t.path)))).isFile()).toBe(true);

    const pruned = cli(['retain', '--prune', '--yes', ...l.args], { env: l.env });
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/doctor --fix cannot bring them back/);
    for (const t of gone) await expect(stat(join(retained, rel(t.path)))).rejects.toMatchObject({ code: 'ENOENT' });
    // Nothing else went: every other transcript keeps both names, and no held name is left.
    for (const t of l.transcripts.slice(2)) expect((await stat(t.path)).nlink).toBe(2);
    const left = spawnSync('find', [retained, '-name', '*.css-tmp'], { encoding: 'utf8' }).stdout.trim();
    expect(left).toBe('');
    const status2 = json<{ retained: Totals }>(cli(['status', '--json', ...l.args], { env: l.env }));
    expect(status2.retained).toMatchObject({ deleted: 0, heldOnly: { files: 0, bytes: 0 } });
    const doctor = json<{ findings: Finding[] }>(cli(['doctor', '--json', ...l.args], { env: l.env }));
    expect(doctor.findings.map((f) => f.code)).not.toContain('SESSIONS_DELETED');
  });

  it('retain --prune and --recover together are refused with EINVALID_OPTION', async () => {
    const r = cli(['retain', '--prune', '--recover', '--yes', ...l.args], { env: l.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/EINVALID_OPTION/);
    await expect(readdir(join(l.home, '.claude-shared', '.retained'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('folders shared with --folders are retained too (file-history: the cleanup deletes it), memory/ is not (the cleanup keeps it)', async () => {
    const top = join(l.home, '.claude-shared');
    const id = randomUUID();
    const kept = join(top, 'file-history', id, '0123456789abcdef@v1');
    await mkdir(join(top, 'file-history', id), { recursive: true, mode: 0o700 });
    await writeFile(kept, 'a file as it was before an edit\n', { mode: 0o600 });
    const t = (Date.now() - 10 * 86_400_000) / 1000;
    await utimes(kept, t, t);
    await mkdir(join(top, 'memory'), { recursive: true, mode: 0o700 });
    await writeFile(join(top, 'memory', 'MEMORY.md'), '- a note\n');
    for (const a of l.accounts) {
      await symlink(join(top, 'file-history'), join(a, 'file-history'));
      await symlink(join(top, 'memory'), join(a, 'memory'));
    }
    const folders = ['--folders', 'file-history', 'memory'];
    const bytes = await readFile(kept);
    const mtimeNs = (await stat(kept, { bigint: true })).mtimeNs;

    expect(cli(['retain', '--yes', ...folders, ...l.args], { env: l.env }).code).toBe(0);
    expect((await stat(join(top, '.retained', 'file-history', id, '0123456789abcdef@v1'))).ino).toBe(
      (await stat(kept)).ino,
    );
    for (const t of l.transcripts) expect((await stat(t.path)).nlink).toBe(2);
    await expect(readdir(join(top, '.retained', 'memory'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await stat(join(top, 'memory', 'MEMORY.md'))).nlink).toBe(1);

    // The cleanup, through an account's link: the file, then its emptied folder.
    await unlink(join(l.accounts[0] as string, 'file-history', id, '0123456789abcdef@v1'));
    await rmdir(join(l.accounts[0] as string, 'file-history', id));
    const status = json<{ retained: { deleted: number } }>(
      cli(['status', '--json', ...folders, ...l.args], { env: l.env }),
    );
    expect(status.retained.deleted).toBe(1);
    const doctor = json<{ findings: (Finding & { path?: string })[] }>(
      cli(['doctor', '--json', ...folders, ...l.args], { env: l.env }),
    );
    const lost = doctor.findings.find((f) => f.code === 'SESSIONS_DELETED');
    expect(lost?.path).toBe(join(top, '.retained', 'file-history'));
    expect(lost?.message).toMatch(/^1 shared file /);

    expect(cli(['retain', '--recover', '--yes', ...folders, ...l.args], { env: l.env }).code).toBe(0);
    expect(await readFile(kept)).toEqual(bytes);
    expect((await stat(kept, { bigint: true })).mtimeNs).toBe(mtimeNs);
  });
});
