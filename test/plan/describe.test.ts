import { describe, expect, it } from 'vitest';
import { describePlan, formatBytes } from '../../src/plan/describe.js';
import { planMerge } from '../../src/plan/merge.js';
import { planShare } from '../../src/plan/share.js';
import { A, B, CTX, rec, SHARED, SID, SID2, snapshotOf, T0 } from './support.js';

const base = rec(1, T0);
const spec = {
  [`${A}/projects/-p/${SID}.jsonl`]: base + rec(2, T0 + 5000, 'a'),
  [`${B}/projects/-p/${SID}.jsonl`]: base + rec(2, T0 + 9000, 'b'),
  [`${A}/projects/-p/${SID2}.jsonl`]: 'x'.repeat(1500),
  [`${A}/projects/link`]: { link: '/elsewhere' },
};

describe('describePlan', () => {
  it('puts conflicts and warnings first, then grouped counts and sizes', async () => {
    const { snapshot } = await snapshotOf(spec);
    const text = describePlan(planShare(snapshot, { ...CTX, id: 'share-1' }));
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      `share plan share-1 made 2026-11-27T06:00:00.000Z: ${planShare(snapshot, CTX).operations.length} operations, 1 conflict, 1 warning`,
    );
    const at = (s: string) => lines.findIndex((l) => l.startsWith(s));
    expect(at('Conflicts (1):')).toBeGreaterThan(0);
    expect(at('Warnings (1):')).toBeGreaterThan(at('Conflicts (1):'));
    expect(at('Operations (')).toBeGreaterThan(at('Warnings (1):'));
    // The default forks: the plan names the id each version of the diverged session gets.
    const forkId = planShare(snapshot, CTX).conflicts[0]?.forks?.[0]?.sessionId;
    expect(forkId).toMatch(/^[0-9a-f-]{36}$/);
    expect(text).toContain(`  ! diverged ${SID} [forked]: `);
    expect(text).toContain(`${B}/projects/-p/${SID}.jsonl keeps the id ${SID}`);
    expect(text).toContain(`${A}/projects/-p/${SID}.jsonl becomes session ${forkId} at ${SHARED}/-p/${forkId}.jsonl`);
    expect(lines).toContain(`    forkSession ${A}/projects/-p/${SID}.jsonl -> ${SHARED}/-p/${forkId}.jsonl`);
    expect(text).toContain('  ! symlink-not-followed: ');
    const newSize = 1500;
    const divergedSize = Buffer.byteLength(base + rec(2, T0 + 9000, 'b'));
    expect(lines).toContain(`  copy new files into the shared folder: 1, ${formatBytes(newSize)}`);
    expect(lines).toContain(`  copy the newest copy of diverged sessions: 1, ${formatBytes(divergedSize)}`);
    expect(lines).toContain('  back up folders: 2');
    expect(lines).toContain(`    rename ${A}/projects -> ${A}/projects.bak.1795759200`);
    expect(lines).toContain(`    symlink ${B}/projects -> ${SHARED}`);
    expect(lines).toContain(
      `    set cleanupPeriodDays to 3650 (unset: 30 days by default, so this raises it) in ${A}/settings.json`,
    );
  });

  it('says there is nothing to do for an empty plan', async () => {
    const { snapshot } = await snapshotOf({ [`${A}/settings.json`]: '{}' });
    const text = describePlan(planMerge(snapshot, CTX));
    expect(text.split('\n').at(-1)).toBe('Nothing to do.');
    expect(text).not.toContain('Conflicts');
  });

  it('lists every operation in order when verbose', async () => {
    const { snapshot } = await snapshotOf(spec);
    const plan = planMerge(snapshot, CTX);
    const text = describePlan(plan, { verbose: true });
    const listed = text
      .split('\n')
      .filter((l) => /^ {2}op-\d{4} /.test(l))
      .map((l) => l.trim().split(' ')[0]);
    expect(listed).toEqual(plan.operations.map((o) => o.id));
  });

  it('formats sizes in SI units', () => {
    expect([0, 999, 1000, 1500, 2_345_678, 12_000_000_000].map(formatBytes)).toEqual([
      '0 B',
      '999 B',
      '1.0 KB',
      '1.5 KB',
      '2.3 MB',
      '12 GB',
    ]);
  });
});

describe('describePlan, verbose, every kind of operation', () => {
  it('names each operation with its paths and reason', async () => {
    const { snapshot } = await snapshotOf(spec);
    const plan = planShare(snapshot, { ...CTX, onDiverged: 'fork' });
    const text = describePlan(plan, { verbose: true });
    expect(text).toContain('  fork diverged copies as new sessions: 1, ');
    expect(text).toMatch(
      / {2}op-\d{4} forkSession \/h\/\.claude\/projects\/-p\/\S+ -> \/h\/\.claude-shared\/projects\/-p\/\S+ \(fork\)/,
    );
    expect(text).toMatch(/ {2}op-\d{4} symlink \/h\/\.claude\/projects -> \/h\/\.claude-shared\/projects \(link\)/);
    expect(text).toMatch(
      / {2}op-\d{4} set cleanupPeriodDays to 3650 .* in \/h\/\.claude\/settings\.json \(cleanup-period\)/,
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', async () => {
    const { canonicalJson } = await import('../../src/plan/fingerprint.js');
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }], u: undefined })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
    expect(canonicalJson({ x: { z: 1, y: 2 } })).toBe(canonicalJson({ x: { y: 2, z: 1 } }));
  });
});
