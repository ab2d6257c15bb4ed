import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverAccounts } from '../../src/accounts/discover.js';
import { defaultManagedSettingsDirs, findCleanupSources, readCleanupDays } from '../../src/doctor/cleanup-sources.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { CLEANUP_AGES, makeSharedLayout, type SharedLayout } from '../support/shared-layout.js';

const fs = createNodeFileSystem();
const NOW = Date.UTC(2026, 11, 3, 12);

async function report(l: SharedLayout, managedSettingsDirs = [l.managedDir]) {
  const accounts = await discoverAccounts({
    fs,
    home: l.home,
    accounts: l.accounts,
    includeEnv: false,
    sharedDir: l.sharedDir,
  });
  return findCleanupSources({ fs, sharedDir: l.sharedDir, accounts, now: NOW, managedSettingsDirs });
}

/** What a cleanup under `days` deletes, counted from the ages the layout was given. */
const olderThan = (l: SharedLayout, days: number) => l.transcripts.filter((t) => t.ageDays > days).length;

describe('findCleanupSources', () => {
  let l: SharedLayout;
  beforeEach(async () => {
    l = await makeSharedLayout(NOW, CLEANUP_AGES);
  });
  afterEach(() => l.cleanup());

  it('after a share: the accounts keep 3650 days and nothing lowers it', async () => {
    const r = await report(l);
    expect(r.keepDays).toBe(3650);
    expect(r.sessions).toBe(l.transcripts.length);
    expect(r.projectsChecked).toBe(2);
    expect(r.sources.map((s) => [s.kind, s.days, s.low, s.wouldDelete])).toEqual([
      ['account', 3650, false, 0],
      ['account', 3650, false, 0],
    ]);
  });

  it('finds a project settings.json and settings.local.json by the cwd recorded in the shared sessions', async () => {
    const [api, web] = l.repos as [string, string];
    await writeFile(join(api, '.claude', 'settings.json'), '{ "cleanupPeriodDays": 2, "model": "opus" }');
    await writeFile(join(web, '.claude', 'settings.local.json'), '{\n  "cleanupPeriodDays": 30\n}\n');
    const r = await report(l);
    const low = r.sources.filter((s) => s.low);
    expect(low).toEqual([
      expect.objectContaining({
        kind: 'project',
        path: join(api, '.claude', 'settings.json'),
        days: 2,
        project: api,
        // A run in api cleans the whole shared folder, web's sessions too.
        wouldDelete: olderThan(l, 2),
      }),
      expect.objectContaining({
        kind: 'project-local',
        path: join(web, '.claude', 'settings.local.json'),
        days: 30,
        project: web,
        wouldDelete: olderThan(l, 30),
      }),
    ]);
    expect(olderThan(l, 2)).toBe(6);
  });

  it('finds managed settings and their drop-in folder, and an account left at the default', async () => {
    await writeFile(join(l.managedDir, 'managed-settings.json'), '{"cleanupPeriodDays": 7}');
    await mkdir(join(l.managedDir, 'managed-settings.d'));
    await writeFile(join(l.managedDir, 'managed-settings.d', '10-retention.json'), '{"cleanupPeriodDays": 3}');
    await writeFile(join(l.managedDir, 'managed-settings.d', 'notes.txt'), '{"cleanupPeriodDays": 1}');
    await writeFile(join(l.accounts[1] as string, 'settings.json'), '{"theme": "dark"}');
    const r = await report(l);
    const low = r.sources.filter((s) => s.low).map((s) => [s.kind, s.path, s.days, s.set, s.wouldDelete]);
    expect(low).toEqual(
      [
        ['account', join(l.accounts[1] as string, 'settings.json'), 30, false, olderThan(l, 30)],
        ['managed', join(l.managedDir, 'managed-settings.d', '10-retention.json'), 3, true, olderThan(l, 3)],
        ['managed', join(l.managedDir, 'managed-settings.json'), 7, true, olderThan(l, 7)],
      ].sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
    );
  });

  it('ignores values Claude Code rejects, files that are not JSON, fifos and links to devices', async () => {
    const [api, web] = l.repos as [string, string];
    await writeFile(join(api, '.claude', 'settings.json'), '{"cleanupPeriodDays": 0}');
    await writeFile(join(api, '.claude', 'settings.local.json'), '{"cleanupPeriodDays": 2.5');
    execFileSync('mkfifo', [join(web, '.claude', 'settings.json')]);
    await expect(readCleanupDays(fs, join(web, '.claude', 'settings.json'))).resolves.toBeUndefined();
    await expect(readCleanupDays(fs, '/dev/zero')).resolves.toBeUndefined();
    const r = await report(l);
    expect(r.sources.filter((s) => s.kind !== 'account')).toEqual([]);
  });

  it('reports nothing when no account links to the shared folder', async () => {
    const r = await findCleanupSources({ fs, sharedDir: l.sharedDir, accounts: [], now: NOW, managedSettingsDirs: [] });
    expect(r.sources).toEqual([]);
  });

  it('knows the managed-settings folders of each platform', () => {
    expect(defaultManagedSettingsDirs('linux')).toEqual(['/etc/claude-code']);
    expect(defaultManagedSettingsDirs('darwin')).toEqual(['/Library/Application Support/ClaudeCode']);
    expect(defaultManagedSettingsDirs('win32')).toContain('C:\\Program Files\\ClaudeCode');
  });
});
