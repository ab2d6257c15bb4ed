/**
 * Issue 14: transcripts with nanosecond mtimes, as Claude Code writes them, on the real
 * disk. Thousands of files with random nanosecond times, a third of them with a
 * sub-millisecond part in [0.499, 0.500) ms (where rounding through a double tipped the
 * old verification over), are shared (plain, prefix and diverged copies across
 * accounts), backed up and rolled back with every shared file carried back. Every copy
 * and fork keeps its source's millisecond, floored and rounded, and lies within 1 µs of
 * it; every original comes back with its exact nanoseconds.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { rollback, share } from '../../src/verbs/verbs.js';
import { copyFixture, fixtureMtimes } from '../support/fixture.js';
import { type NsFile, writeFilesWithNsTimes } from '../support/ns-times.js';

const ACCOUNTS = ['acct-a', 'acct-b', 'acct-c'] as const;
const PROJECTS = ['-p1', '-p2', '-p3'];
const T0_MS = Date.parse('2026-12-03T10:00:00Z');
const NS_PER_MS = 1_000_000n;

/** A session's transcript in one account: absent, the base, a longer one (base is its prefix), or diverged. */
type Variant = 'none' | 'base' | 'longer' | 'diverged';

function sessionId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function transcript(id: string, variant: Exclude<Variant, 'none'>): string {
  const line = (k: number, branch = '') =>
    `${JSON.stringify({ type: 'user', uuid: `u${k}${branch}`, sessionId: id, message: { role: 'user', content: `m${k}${branch}` } })}\n`;
  if (variant === 'base') return [1, 2, 3].map((k) => line(k)).join('');
  if (variant === 'longer') return [1, 2, 3, 4, 5].map((k) => line(k)).join('');
  return line(1) + line(2) + line(3, 'x');
}

/** Sub-millisecond part in ns: a third in [0.499, 0.500) ms, the rest anywhere. */
const subMs = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 499_000, max: 499_999 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 999_999 }) },
);
const mtimeNs = fc
  .tuple(fc.integer({ min: 0, max: 30 * 86_400_000 }), subMs)
  .map(([ms, sub]) => BigInt(T0_MS + ms) * NS_PER_MS + BigInt(sub));
const variant = fc.constantFrom<Variant>('none', 'base', 'base', 'longer', 'diverged');
const session = fc.record({
  project: fc.constantFrom(...PROJECTS),
  variants: fc.tuple(variant, variant, variant),
  times: fc.tuple(mtimeNs, mtimeNs, mtimeNs),
});
const world = fc.array(session, { minLength: 300, maxLength: 360 });

function floorMs(ns: bigint): bigint {
  return ns / NS_PER_MS;
}
function roundMs(ns: bigint): bigint {
  return (ns + NS_PER_MS / 2n) / NS_PER_MS;
}
function mtimeNsOf(path: string): bigint {
  return statSync(path, { bigint: true }).mtimeNs;
}

/** Why a copy's time does not stand for its source's, or undefined when it does. */
function timeProblem(source: bigint, copy: bigint): string | undefined {
  if (floorMs(copy) !== floorMs(source)) return `floor ms ${floorMs(copy)} != ${floorMs(source)}`;
  if (roundMs(copy) !== roundMs(source)) return `rounded ms ${roundMs(copy)} != ${roundMs(source)}`;
  const gap = copy > source ? copy - source : source - copy;
  if (gap >= 1000n) return `${gap} ns apart`;
  return undefined;
}

describe('nanosecond mtimes on the real disk (issue 14)', () => {
  it('the fixture on disk has nanosecond transcript times that every reader sees as the recorded ms', () => {
    const { dir, cleanup } = copyFixture();
    try {
      let transcripts = 0;
      for (const [rel, ms] of Object.entries(fixtureMtimes())) {
        if (!rel.includes('/projects/') || !rel.endsWith('.jsonl')) continue;
        transcripts++;
        const big = statSync(join(dir, rel), { bigint: true });
        const plain = statSync(join(dir, rel));
        expect(big.mtimeNs % 1000n, rel).not.toBe(0n);
        expect(floorMs(big.mtimeNs), rel).toBe(BigInt(ms));
        expect(roundMs(big.mtimeNs), rel).toBe(BigInt(ms));
        // What Node readers see, the SDK's lastModified among them.
        expect(plain.mtime.getTime(), rel).toBe(ms);
        expect(Math.floor(plain.mtimeMs), rel).toBe(ms);
      }
      expect(transcripts).toBeGreaterThan(20);
    } finally {
      cleanup();
    }
  });

  it('share, backup and rollback keep every time to the millisecond both ways and within 1 µs', async () => {
    const fs = createNodeFileSystem();
    const seen = { runs: 0, files: 0, nearHalf: 0, copies: 0, forks: 0, carried: 0 };
    await fc.assert(
      fc.asyncProperty(world, async (sessions) => {
        const root = mkdtempSync(join(tmpdir(), 'css-ns-mtimes-'));
        try {
          const files: NsFile[] = [];
          sessions.forEach((s, n) => {
            const id = sessionId(n);
            ACCOUNTS.forEach((account, i) => {
              const v = s.variants[i] ?? 'none';
              if (v === 'none') return;
              files.push({
                path: `${account}/projects/${s.project}/${id}.jsonl`,
                content: transcript(id, v),
                mtimeNs: s.times[i] ?? 0n,
              });
            });
          });
          writeFilesWithNsTimes(root, files);
          const original = new Map(files.map((f) => [join(root, f.path), f]));
          for (const [path, f] of original) expect(mtimeNsOf(path), path).toBe(f.mtimeNs);
          seen.files += files.length;
          seen.nearHalf += files.filter(
            (f) => f.mtimeNs % NS_PER_MS >= 499_000n && f.mtimeNs % NS_PER_MS < 500_000n,
          ).length;

          const options = {
            fs,
            home: root,
            accounts: ACCOUNTS.map((a) => join(root, a)),
            sharedDir: join(root, 'shared', 'projects'),
          };
          // Diverged copies forked into new sessions, or (every other run) kept aside as
          // conflicts: copies both ways.
          const onDiverged = seen.runs++ % 2 === 0 ? 'fork' : 'keep-newest';
          const shared = await share({ ...options, onDiverged, id: 'share', now: Date.parse('2026-12-20T00:00:00Z') });
          const sourceTimes = new Map<string, bigint>();
          for (const op of shared.operations) {
            if (op.type === 'copyFile' || op.type === 'forkSession') sourceTimes.set(op.to, mtimeNsOf(op.from));
          }
          // Not flushed to the device: times are what this is about, and it is faster.
          await applyPlan(shared, { fs, durable: false });
          for (const op of shared.operations) {
            if (op.type !== 'copyFile' && op.type !== 'forkSession') continue;
            if (op.type === 'copyFile') seen.copies++;
            else seen.forks++;
            const problem = timeProblem(sourceTimes.get(op.to) ?? -1n, mtimeNsOf(op.to));
            expect(problem, `${op.type} ${op.from} -> ${op.to}`).toBeUndefined();
          }

          const back = await rollback({
            ...options,
            carry: 'all',
            id: 'back',
            now: Date.parse('2026-12-21T00:00:00Z'),
          });
          const carriedTimes = new Map<string, bigint>();
          for (const op of back.operations) {
            if (op.type === 'copyFile') carriedTimes.set(op.to, mtimeNsOf(op.from));
          }
          await applyPlan(back, { fs, durable: false });
          for (const [to, source] of carriedTimes) {
            seen.carried++;
            expect(timeProblem(source, mtimeNsOf(to)), `carried back to ${to}`).toBeUndefined();
          }
          // The backups went back into place by rename: every original as it was, to the
          // ns; but for a shorter copy, which a longer one carried back replaced.
          for (const [path, f] of original) {
            if (carriedTimes.has(path)) continue;
            expect(readFileSync(path, 'utf8'), path).toBe(String(f.content));
            expect(mtimeNsOf(path), path).toBe(f.mtimeNs);
          }
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 3, endOnFailure: true },
    );
    // The runs met what they are about: thousands of files, a third near half a
    // millisecond, and plain copies, forks of diverged copies and files carried back.
    expect(seen.files).toBeGreaterThan(2000);
    expect(seen.nearHalf).toBeGreaterThan(seen.files / 4);
    expect(seen.copies).toBeGreaterThan(1000);
    expect(seen.forks).toBeGreaterThan(100);
    expect(seen.carried).toBeGreaterThan(500);
  }, 300_000);
});
