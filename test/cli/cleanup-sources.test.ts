import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLEANUP_AGES, makeSharedLayout, type SharedLayout } from '../support/shared-layout.js';
import { cli, type Finding, json } from './support.js';

describe('doctor and status find every source of cleanupPeriodDays (issue 10 §1)', () => {
  let l: SharedLayout;
  beforeEach(async () => {
    l = await makeSharedLayout(Date.now(), CLEANUP_AGES);
  });
  afterEach(() => l.cleanup());

  it('a project .claude/settings.json with cleanupPeriodDays 2: an error naming the file, the count and the fix', async () => {
    expect(cli(['doctor', '--json', ...l.args], { env: l.env }).code).toBe(0);
    const file = join(l.repos[0] as string, '.claude', 'settings.json');
    await writeFile(file, '{"cleanupPeriodDays": 2}\n');
    const older = l.transcripts.filter((t) => t.ageDays > 2).length;

    const r = cli(['doctor', '--json', ...l.args], { env: l.env });
    expect(r.code).toBe(2);
    const findings = json<{ ok: boolean; findings: Finding[] }>(r).findings;
    const found = findings.filter((f) => f.code === 'CLEANUP_PERIOD_PROJECT');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'error', path: file, fixable: false });
    expect(found[0]?.message).toContain(`${older} of ${l.transcripts.length} shared sessions`);
    expect(found[0]?.message).toMatch(
      /Fix: remove "cleanupPeriodDays" from .*settings\.json, or set it to at least 3650/,
    );

    const text = cli(['doctor', ...l.args], { env: l.env });
    expect(text.stdout).toMatch(/✗ CLEANUP_PERIOD_PROJECT/);
    expect(text.stdout).toMatch(/1 error/);

    const status = cli(['status', ...l.args], { env: l.env });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Cleanup\n {2}shared sessions are kept 3650 days/);
    expect(status.stdout).toContain(`${file} sets cleanupPeriodDays 2`);
    const sj = json<{ cleanup: { sources: { kind: string; path: string; wouldDelete: number; low: boolean }[] } }>(
      cli(['status', '--json', ...l.args], { env: l.env }),
    );
    expect(sj.cleanup.sources).toContainEqual(
      expect.objectContaining({ kind: 'project', path: file, wouldDelete: older, low: true }),
    );
  });

  it('managed settings and a project settings.local.json are found too; a high value is not a finding', async () => {
    await writeFile(join(l.managedDir, 'managed-settings.json'), '{"cleanupPeriodDays": 20}');
    await writeFile(join(l.repos[1] as string, '.claude', 'settings.local.json'), '{"cleanupPeriodDays": 5}');
    await writeFile(join(l.repos[0] as string, '.claude', 'settings.json'), '{"cleanupPeriodDays": 9999}');
    // Only the cleanup-period findings: the sandbox's shared files also have no retained links yet.
    const findings = json<{ findings: Finding[] }>(
      cli(['doctor', '--json', ...l.args], { env: l.env }),
    ).findings.filter((f) => f.code.startsWith('CLEANUP_PERIOD'));
    expect(findings.map((f) => [f.code, f.path]).sort()).toEqual(
      [
        ['CLEANUP_PERIOD_MANAGED', join(l.managedDir, 'managed-settings.json')],
        ['CLEANUP_PERIOD_PROJECT', join(l.repos[1] as string, '.claude', 'settings.local.json')],
      ].sort(),
    );
    expect(findings.every((f) => f.severity === 'error')).toBe(true);
  });
});
