import { describe, expect, it } from 'vitest';
import { planBackup } from '../../src/plan/backup.js';
import { planLink } from '../../src/plan/link.js';
import { validatePlan } from '../../src/plan/validate.js';
import { A, B, C, CTX, NOW, SHARED, SID, snapshotOf, withoutIds } from './support.js';

const stamp = String(Math.floor(NOW / 1000));
const session = (account: string) => ({ [`${account}/projects/-p/${SID}.jsonl`]: '{}\n' });

describe('planBackup', () => {
  it('renames each real folder to projects.bak.<epoch seconds>', async () => {
    const { snapshot } = await snapshotOf({ ...session(A), ...session(B) });
    const plan = planBackup(snapshot, CTX);
    expect(withoutIds(plan.operations)).toEqual([
      {
        type: 'rename',
        reason: 'backup',
        from: `${A}/projects`,
        to: `${A}/projects.bak.${stamp}`,
        expectFrom: { type: 'directory', tree: expect.stringMatching(/^[0-9a-f]{64}$/) },
        expectTo: { type: 'absent' },
        account: A,
      },
      {
        type: 'rename',
        reason: 'backup',
        from: `${B}/projects`,
        to: `${B}/projects.bak.${stamp}`,
        expectFrom: { type: 'directory', tree: expect.stringMatching(/^[0-9a-f]{64}$/) },
        expectTo: { type: 'absent' },
        account: B,
      },
    ]);
    expect(plan.kind).toBe('backup');
    expect(validatePlan(plan)).toEqual([]);
  });

  it('adds a counter when the name is taken (by a backup folder or by a file)', async () => {
    const { snapshot } = await snapshotOf({
      ...session(A),
      [`${A}/projects.bak.${stamp}/old.jsonl`]: 'x',
      [`${A}/projects.bak.${stamp}.1`]: 'a file, not a folder',
      ...session(B),
      [`${B}/projects.bak.${stamp}/old.jsonl`]: 'x',
    });
    const plan = planBackup(snapshot, CTX);
    expect(plan.operations.map((o) => (o.type === 'rename' ? o.to : ''))).toEqual([
      `${A}/projects.bak.${stamp}.2`,
      `${B}/projects.bak.${stamp}.1`,
    ]);
  });

  it('leaves links and missing folders alone, and reports a dangling link', async () => {
    const { snapshot } = await snapshotOf(
      {
        [`${SHARED}/-p/x.jsonl`]: 'x',
        [`${A}/projects`]: { link: SHARED },
        [`${B}/settings.json`]: '{}',
        [`${C}/projects`]: { link: '/gone' },
      },
      { accounts: [A, B, C] },
    );
    const plan = planBackup(snapshot, CTX);
    expect(plan.operations).toEqual([]);
    expect(plan.conflicts).toEqual([
      expect.objectContaining({ code: 'dangling-link', paths: [`${C}/projects`], resolution: 'skipped' }),
    ]);
  });
});

describe('planLink', () => {
  it('links a missing folder to the shared folder, creating the shared folder first', async () => {
    const { snapshot } = await snapshotOf({ [`${A}/settings.json`]: '{}' });
    const plan = planLink(snapshot, CTX);
    expect(withoutIds(plan.operations)).toEqual([
      { type: 'mkdir', reason: 'parent', path: '/h/.claude-shared', mode: 0o700, expect: { type: 'absent' } },
      { type: 'mkdir', reason: 'parent', path: SHARED, mode: 0o700, expect: { type: 'absent' } },
      {
        type: 'symlink',
        reason: 'link',
        path: `${A}/projects`,
        target: SHARED,
        linkType: 'dir',
        expect: { type: 'absent' },
        account: A,
      },
    ]);
    expect(validatePlan(plan)).toEqual([]);
  });

  it('uses a junction when asked', async () => {
    const { snapshot } = await snapshotOf({ [`${A}/settings.json`]: '{}', [`${SHARED}/x`]: 'x' });
    expect(planLink(snapshot, { ...CTX, linkType: 'junction' }).operations).toEqual([
      expect.objectContaining({ type: 'symlink', linkType: 'junction' }),
    ]);
  });

  it('links to the real path of a shared folder that is itself behind a link', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/settings.json`]: '{}',
      '/data/shared/projects/x': 'x',
      '/h/.claude-shared': { link: '/data/shared' },
    });
    const plan = planLink(snapshot, CTX);
    expect(plan.operations).toEqual([expect.objectContaining({ type: 'symlink', target: '/data/shared/projects' })]);
    expect(plan.sharedDirs).toEqual({ projects: '/data/shared/projects' });
    expect(plan.roots).toContain('/data/shared');
    expect(validatePlan(plan)).toEqual([]);
  });

  it('does nothing for an account already linked', async () => {
    const { snapshot } = await snapshotOf({ [`${SHARED}/x`]: 'x', [`${A}/projects`]: { link: SHARED } });
    expect(snapshot.accounts[0]?.folders.projects?.kind).toBe('linked');
    const plan = planLink(snapshot, CTX);
    expect(plan.operations).toEqual([]);
    expect(plan.conflicts).toEqual([]);
  });

  it('never replaces a link elsewhere, a dangling link, a file or a real folder', async () => {
    const { snapshot } = await snapshotOf(
      {
        [`${SHARED}/x`]: 'x',
        '/data/mine/x': 'x',
        [`${A}/projects`]: { link: '/data/mine' },
        [`${B}/projects`]: { link: '/nowhere' },
        [`${C}/projects`]: 'a file',
        '/h/.claude-4/projects/-p/a.jsonl': '{}\n',
      },
      { accounts: [A, B, C, '/h/.claude-4'] },
    );
    const plan = planLink(snapshot, CTX);
    expect(plan.operations).toEqual([]);
    expect(plan.conflicts.map((c) => [c.code, c.paths[0], c.resolution])).toEqual([
      ['link-elsewhere', `${A}/projects`, 'skipped'],
      ['dangling-link', `${B}/projects`, 'skipped'],
      ['not-a-directory', `${C}/projects`, 'skipped'],
      ['unmerged', '/h/.claude-4/projects', 'skipped'],
    ]);
  });

  it('reports a shared folder that is a file and links nothing to it', async () => {
    const { snapshot } = await snapshotOf({ [`${A}/settings.json`]: '{}', [SHARED]: 'not a folder' });
    const plan = planLink(snapshot, CTX);
    expect(plan.operations).toEqual([]);
    expect(plan.conflicts).toEqual([expect.objectContaining({ code: 'not-a-directory', paths: [SHARED] })]);
  });
});
