import { describe, expect, it } from 'vitest';
import { type Operation, PLAN_VERSION, type Plan } from '../../src/plan/types.js';
import { validatePlan } from '../../src/plan/validate.js';

const file = { type: 'file' as const, size: 3, mtimeMs: 1000, mode: 0o600 };

function plan(operations: Operation[], extra: Partial<Plan> = {}): Plan {
  return {
    version: PLAN_VERSION,
    kind: 'share',
    id: 'p',
    createdAt: '2026-11-27T06:00:00.000Z',
    roots: ['/h/.claude', '/h/.claude-2', '/h/.claude-shared'],
    accounts: ['/h/.claude', '/h/.claude-2'],
    sharedDirs: { projects: '/h/.claude-shared/projects' },
    conflictsDir: '/h/.claude-shared/conflicts',
    fingerprint: 'f'.repeat(64),
    operations,
    conflicts: [],
    warnings: [],
    ...extra,
  };
}

const copy = (id: string, from: string, to: string): Operation => ({
  id,
  type: 'copyFile',
  reason: 'new',
  from,
  to,
  expectFrom: file,
  expectTo: { type: 'absent' },
});

describe('validatePlan', () => {
  it('accepts a well-formed share plan', () => {
    const p = plan([
      {
        id: 'op-1',
        type: 'mkdir',
        reason: 'parent',
        path: '/h/.claude-shared',
        mode: 0o700,
        expect: { type: 'absent' },
      },
      {
        id: 'op-2',
        type: 'mkdir',
        reason: 'parent',
        path: '/h/.claude-shared/projects',
        mode: 0o700,
        expect: { type: 'absent' },
      },
      copy('op-3', '/h/.claude/projects/p/a.jsonl', '/h/.claude-shared/projects/p/a.jsonl'),
      {
        id: 'op-4',
        type: 'writeFile',
        reason: 'cleanup-period',
        path: '/h/.claude/settings.json',
        content: '{}',
        mode: 0o600,
        expect: file,
        backupTo: '/h/.claude/settings.json.bak.1',
      },
      {
        id: 'op-5',
        type: 'rename',
        reason: 'backup',
        from: '/h/.claude/projects',
        to: '/h/.claude/projects.bak.1',
        expectFrom: { type: 'directory' },
        expectTo: { type: 'absent' },
      },
      {
        id: 'op-6',
        type: 'symlink',
        reason: 'link',
        path: '/h/.claude/projects',
        target: '/h/.claude-shared/projects',
        linkType: 'dir',
        expect: { type: 'absent' },
      },
    ]);
    expect(validatePlan(p)).toEqual([]);
  });

  it('accepts a rollback: a path removed, then created again', () => {
    const p = plan([
      {
        id: 'op-1',
        type: 'unlinkSymlink',
        reason: 'unlink',
        path: '/h/.claude/projects',
        expect: { type: 'symlink', target: '/h/.claude-shared/projects' },
      },
      {
        id: 'op-2',
        type: 'rename',
        reason: 'restore',
        from: '/h/.claude/projects.bak.1',
        to: '/h/.claude/projects',
        expectFrom: { type: 'directory' },
        expectTo: { type: 'absent' },
      },
    ]);
    expect(validatePlan(p)).toEqual([]);
  });

  it('refuses an unknown version, and stops there', () => {
    const issues = validatePlan({ ...plan([]), version: 2 } as unknown as Plan);
    expect(issues.map((i) => i.code)).toEqual(['PLAN_VERSION']);
  });

  it('refuses what is not a plan at all', () => {
    expect(validatePlan(null as unknown as Plan).map((i) => i.code)).toEqual(['PLAN_SHAPE']);
    expect(validatePlan([] as unknown as Plan).map((i) => i.code)).toEqual(['PLAN_SHAPE']);
  });

  it('reports shape problems of the plan and of each operation', () => {
    const bad = { ...plan([]), roots: 'x', kind: 'nope' } as unknown as Plan;
    expect(validatePlan(bad).map((i) => i.code)).toEqual(['PLAN_SHAPE', 'PLAN_SHAPE']);
    const ops = [
      { id: 'op-1', type: 'explode', reason: 'new', path: '/h/.claude/x' },
      {
        id: 'op-2',
        type: 'copyFile',
        reason: 'new',
        from: '/h/.claude/a',
        to: '/h/.claude/b',
        expectFrom: { type: 'absent' },
        expectTo: { type: 'absent' },
      },
      {
        id: 'op-3',
        type: 'mkdir',
        reason: 'parent',
        path: '/h/.claude/c',
        mode: 0o7777 + 1,
        expect: { type: 'absent' },
      },
      {
        id: 'op-4',
        type: 'forkSession',
        reason: 'fork',
        from: '/h/.claude/a',
        to: '/h/.claude/b',
        oldSessionId: 's',
        newSessionId: 's',
        expectFrom: file,
        expectTo: { type: 'absent' },
      },
    ] as unknown as Operation[];
    const issues = validatePlan(plan(ops));
    expect(issues.every((i) => i.code === 'PLAN_SHAPE')).toBe(true);
    expect(issues.map((i) => i.operationId)).toEqual(['op-1', 'op-2', 'op-3', 'op-4']);
  });

  it('refuses relative paths', () => {
    const issues = validatePlan(plan([copy('op-1', 'projects/a', '/h/.claude-shared/projects/a')]));
    expect(issues).toEqual([
      expect.objectContaining({ code: 'RELATIVE_PATH', operationId: 'op-1', path: 'projects/a' }),
    ]);
  });

  it('refuses paths outside the roots, including ".." escapes and lookalike prefixes', () => {
    const issues = validatePlan(
      plan([
        copy('op-1', '/h/.claude/projects/a', '/tmp/a'),
        copy('op-2', '/h/.claude/projects/../../../etc/passwd', '/h/.claude-shared/projects/b'),
        copy('op-3', '/h/.claude/projects/c', '/h/.claude-sharedX/c'),
        copy('op-4', '/h/.claude/projects/./d', '/h/.claude-shared/projects/d'),
      ]),
    );
    expect(issues.map((i) => [i.code, i.operationId, i.path])).toEqual([
      ['OUTSIDE_ROOTS', 'op-1', '/tmp/a'],
      ['OUTSIDE_ROOTS', 'op-2', '/h/.claude/projects/../../../etc/passwd'],
      ['OUTSIDE_ROOTS', 'op-3', '/h/.claude-sharedX/c'],
      ['OUTSIDE_ROOTS', 'op-4', '/h/.claude/projects/./d'],
    ]);
  });

  it('refuses a link whose target is outside the roots', () => {
    const issues = validatePlan(
      plan([
        {
          id: 'op-1',
          type: 'symlink',
          reason: 'link',
          path: '/h/.claude/projects',
          target: '/etc',
          linkType: 'dir',
          expect: { type: 'absent' },
        },
      ]),
    );
    expect(issues).toEqual([expect.objectContaining({ code: 'OUTSIDE_ROOTS', path: '/etc' })]);
  });

  it('accepts a relative account link that leads to its target, and refuses one that does not', () => {
    const link = (id: string, path: string, linkText: string): Operation => ({
      id,
      type: 'symlink',
      reason: 'link',
      path,
      target: '/h/.claude-shared/projects',
      linkText,
      linkType: 'dir',
      expect: { type: 'absent' },
    });
    expect(validatePlan(plan([link('op-1', '/h/.claude/projects', '../.claude-shared/projects')]))).toEqual([]);
    for (const text of ['../../etc', '/h/.claude-shared/projects', '.claude-shared/projects', '']) {
      const issues = validatePlan(plan([link('op-1', '/h/.claude/projects', text)]));
      expect(issues.map((i) => [i.code, i.operationId])).toEqual([['OUTSIDE_ROOTS', 'op-1']]);
    }
  });

  it('refuses two operations creating one path', () => {
    const issues = validatePlan(
      plan([
        copy('op-1', '/h/.claude/projects/a', '/h/.claude-shared/projects/a'),
        copy('op-2', '/h/.claude-2/projects/a', '/h/.claude-shared/projects/a'),
      ]),
    );
    expect(issues).toEqual([
      expect.objectContaining({ code: 'DUPLICATE_WRITE', operationId: 'op-2', path: '/h/.claude-shared/projects/a' }),
    ]);
  });

  it('refuses removing one path twice', () => {
    const rename = (id: string, to: string): Operation => ({
      id,
      type: 'rename',
      reason: 'backup',
      from: '/h/.claude/projects',
      to,
      expectFrom: { type: 'directory' },
      expectTo: { type: 'absent' },
    });
    const issues = validatePlan(
      plan([rename('op-1', '/h/.claude/projects.bak.1'), rename('op-2', '/h/.claude/projects.bak.2')]),
    );
    expect(issues.map((i) => [i.code, i.operationId])).toEqual([['DUPLICATE_WRITE', 'op-2']]);
  });

  it('refuses credentials, .claude.json, sessions/ and other per-account paths', () => {
    const issues = validatePlan(
      plan([
        copy('op-1', '/h/.claude/.credentials.json', '/h/.claude-shared/projects/creds'),
        copy('op-2', '/h/.claude/projects/a', '/h/.claude-shared/projects/.claude.json'),
        copy('op-3', '/h/.claude/projects/b', '/h/.claude/sessions/123.json'),
        copy('op-4', '/h/.claude/plugins/x', '/h/.claude-shared/projects/x'),
      ]),
    );
    expect(issues.map((i) => [i.code, i.operationId, i.path])).toEqual([
      ['FORBIDDEN_PATH', 'op-1', '/h/.claude/.credentials.json'],
      ['FORBIDDEN_PATH', 'op-2', '/h/.claude-shared/projects/.claude.json'],
      ['FORBIDDEN_PATH', 'op-3', '/h/.claude/sessions/123.json'],
      ['FORBIDDEN_PATH', 'op-4', '/h/.claude/plugins/x'],
    ]);
  });

  it('allows settings.json only as a cleanup-period writeFile', () => {
    const write = (id: string, reason: 'cleanup-period' | 'new'): Operation => ({
      id,
      type: 'writeFile',
      reason,
      path: '/h/.claude-2/settings.json',
      content: '{}',
      mode: 0o600,
      expect: { type: 'absent' },
    });
    expect(validatePlan(plan([write('op-1', 'cleanup-period')]))).toEqual([]);
    expect(validatePlan(plan([write('op-1', 'new')])).map((i) => i.code)).toEqual(['FORBIDDEN_PATH']);
    const renamed = validatePlan(
      plan([
        {
          id: 'op-1',
          type: 'rename',
          reason: 'backup',
          from: '/h/.claude/settings.json',
          to: '/h/.claude/s.bak',
          expectFrom: file,
          expectTo: { type: 'absent' },
        },
      ]),
    );
    expect(renamed.map((i) => [i.code, i.path])).toEqual([['FORBIDDEN_PATH', '/h/.claude/settings.json']]);
  });

  it('refuses a writeFile that would replace a file without keeping it (backupTo), itself and not only in preflight', () => {
    const write = (backupTo?: string): Operation => ({
      id: 'op-1',
      type: 'writeFile',
      reason: 'cleanup-period',
      path: '/h/.claude-2/settings.json',
      content: '{}',
      mode: 0o600,
      expect: file,
      ...(backupTo === undefined ? {} : { backupTo }),
    });
    const issues = validatePlan(plan([write()]));
    expect(issues.map((i) => [i.code, i.operationId])).toEqual([['PLAN_SHAPE', 'op-1']]);
    expect(issues[0]?.message).toMatch(/backupTo/);
    expect(validatePlan(plan([write('/h/.claude-2/settings.json.bak.1')]))).toEqual([]);
  });

  it('refuses a shared folder given as an empty path', () => {
    const issues = validatePlan(plan([], { sharedDirs: { projects: '' } }));
    expect(issues.map((i) => i.code)).toEqual(['PLAN_SHAPE']);
    expect(issues[0]?.message).toMatch(/sharedDirs/);
  });

  it('refuses duplicate operation ids', () => {
    const issues = validatePlan(
      plan([
        copy('op-1', '/h/.claude/projects/a', '/h/.claude-shared/projects/a'),
        copy('op-1', '/h/.claude/projects/b', '/h/.claude-shared/projects/b'),
      ]),
    );
    expect(issues.map((i) => i.code)).toEqual(['DUPLICATE_ID']);
  });

  it('accepts removeDir only for a folder inside the retained folder, made by a prune', () => {
    const fix = (path: string, reason: 'prune' | 'parent' = 'prune') =>
      validatePlan(
        plan([{ id: 'op-1', type: 'removeDir', reason, path, expect: { type: 'directory' } }], {
          kind: 'fix',
          roots: ['/h/.claude-shared'],
          accounts: [],
        }),
      );
    expect(fix('/h/.claude-shared/.retained/projects/-p')).toEqual([]);
    for (const path of ['/h/.claude-shared/projects/-p', '/h/.claude-shared/.retained', '/h/.claude-shared']) {
      expect(
        fix(path).map((i) => i.code),
        path,
      ).toContain('OUTSIDE_ROOTS');
    }
    expect(fix('/h/.claude-shared/.retained/projects/-p', 'parent').map((i) => i.code)).toEqual(['PLAN_SHAPE']);
  });

  it('reports a relative root', () => {
    const issues = validatePlan(plan([], { roots: ['h/.claude', '/h/.claude-shared'] }));
    expect(issues.map((i) => i.code)).toEqual(['RELATIVE_PATH']);
  });
});
