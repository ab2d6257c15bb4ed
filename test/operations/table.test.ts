import { describe, expect, it } from 'vitest';
import { OPERATION_TYPES, OPERATIONS, pathsOf, reportCounterOf, specOf } from '../../src/operations/table.js';
import type { Operation } from '../../src/plan/types.js';

const file = { type: 'file' as const, size: 5, mtimeMs: 1000, mode: 0o600 };

/** One operation of every type. */
const samples: Operation[] = [
  { id: 'op-1', type: 'mkdir', reason: 'parent', path: '/s/a', mode: 0o700, expect: { type: 'absent' } },
  {
    id: 'op-2',
    type: 'copyFile',
    reason: 'new',
    from: '/a/x',
    to: '/s/x',
    expectFrom: file,
    expectTo: { type: 'absent' },
  },
  {
    id: 'op-3',
    type: 'forkSession',
    reason: 'fork',
    from: '/a/y',
    to: '/s/z',
    oldSessionId: 'y',
    newSessionId: 'z',
    expectFrom: file,
    expectTo: { type: 'absent' },
  },
  {
    id: 'op-4',
    type: 'rename',
    reason: 'backup',
    from: '/a',
    to: '/a.bak',
    expectFrom: { type: 'directory' },
    expectTo: { type: 'absent' },
  },
  {
    id: 'op-5',
    type: 'symlink',
    reason: 'link',
    path: '/a',
    target: '/s',
    linkType: 'dir',
    expect: { type: 'absent' },
  },
  { id: 'op-6', type: 'unlinkSymlink', reason: 'unlink', path: '/b', expect: { type: 'symlink', target: '/s' } },
  {
    id: 'op-7',
    type: 'writeFile',
    reason: 'cleanup-period',
    path: '/a/settings.json',
    content: '{"cleanupPeriodDays":99999}',
    mode: 0o600,
    expect: file,
    backupTo: '/a/settings.json.bak.1',
  },
  {
    id: 'op-8',
    type: 'hardLink',
    reason: 'retain',
    from: '/s/x',
    to: '/r/x',
    expectFrom: file,
    expectTo: { type: 'absent' },
  },
  { id: 'op-9', type: 'removeFile', reason: 'prune', path: '/r/old', expect: file },
  { id: 'op-10', type: 'removeDir', reason: 'prune', path: '/r/gone', expect: { type: 'directory' } },
];

describe('the operation table', () => {
  it('has one row per type, under its own name, and the samples cover every type', () => {
    for (const [key, spec] of Object.entries(OPERATIONS)) expect(spec.type).toBe(key);
    expect(new Set(samples.map((op) => op.type))).toEqual(new Set(OPERATION_TYPES));
  });

  it('checks, before it runs, every path an operation creates, replaces or removes', () => {
    for (const op of samples) {
      const spec = specOf(op);
      const expected = spec
        .preconditions(op)
        .filter((p) => p.kind === 'expect')
        .map((p) => p.path);
      const changed = spec
        .paths(op)
        .filter((n) => n.role === 'create' || n.role === 'replace' || n.role === 'remove')
        .map((n) => n.path);
      for (const path of changed) expect(expected, `${op.type} ${path}`).toContain(path);
      for (const path of pathsOf(op)) expect(spec.paths(op).map((n) => n.path)).toContain(path);
    }
  });

  it('says in the effect what an operation leaves at the paths it creates', () => {
    for (const op of samples) {
      const spec = specOf(op);
      const touched: string[] = [];
      spec.effect(op, {
        dir: (p) => touched.push(p),
        file: (p) => touched.push(p),
        link: (p) => touched.push(p),
        absent: (p) => touched.push(p),
        move: (from, to) => touched.push(from, to),
      });
      for (const n of spec.paths(op)) {
        if (n.role === 'read' || n.role === 'link-target') continue;
        expect(touched, `${op.type} ${n.field}`).toContain(n.path);
      }
    }
  });

  it('counts the bytes a copy, a fork and a write put on the disk, and nothing for the rest', () => {
    const written = Object.fromEntries(samples.map((op) => [op.type, specOf(op).bytesWritten(op)]));
    expect(written).toEqual({
      mkdir: 0,
      copyFile: 5,
      forkSession: 5,
      rename: 0,
      symlink: 0,
      unlinkSymlink: 0,
      writeFile: Buffer.byteLength('{"cleanupPeriodDays":99999}'),
      hardLink: 0,
      removeFile: 0,
      removeDir: 0,
    });
  });

  it('says which counter of the apply report a done operation adds to: a fork to forks, nothing else', () => {
    const counted = samples.flatMap((op) => {
      const counter = reportCounterOf(op);
      return counter === undefined ? [] : [[op.type, counter]];
    });
    expect(counted).toEqual([['forkSession', 'forks']]);
  });

  it('puts an operation whose reason has no group of its type under "other", whatever the reason text', () => {
    for (const op of samples) {
      for (const reason of ['toString', 'constructor', '__proto__', 'prune-ish']) {
        const odd = { ...op, reason } as unknown as Operation;
        const group = specOf(odd).group(odd);
        expect(group === undefined || typeof group === 'string', `${op.type} ${reason}`).toBe(true);
      }
    }
    const copy = samples.find((op) => op.type === 'copyFile') as Operation;
    expect(specOf(copy).group({ ...copy, reason: 'toString' } as unknown as Operation)).toBeUndefined();
    expect(specOf(copy).group(copy)).toBe('new');
  });
});
