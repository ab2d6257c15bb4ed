/**
 * The executor's step workers (src/apply/step-workers.ts): copies run on worker threads
 * through the real disk's blocking calls must leave exactly what the calling thread
 * leaves, and a step failing on a worker must be undone like any other. The executor is
 * run from a bundle with the worker entry beside it (from the TypeScript sources it
 * never starts workers).
 */
import { appendFileSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from '../crash/support/child-bundle.js';
import { copyFixture, FIXTURE_ACCOUNTS } from '../support/fixture.js';
import { diff, snapshot } from '../support/tree.js';
import type * as Harness from './support/workers-harness.js';

let harness: typeof Harness;
const trash: string[] = [];

beforeAll(async () => {
  const bundle = await bundleChild(join(import.meta.dirname, 'support', 'workers-harness.ts'));
  trash.push(dirname(bundle));
  harness = (await import(bundle)) as typeof Harness;
});
afterAll(() => {
  for (const dir of trash) rmSync(dir, { recursive: true, force: true });
});

async function prepare() {
  const { dir } = copyFixture();
  trash.push(dir);
  const fs = harness.createNodeFileSystem();
  const sharedDir = join(dir, 'shared', 'projects');
  const plan = await harness.share({
    fs,
    home: dir,
    accounts: FIXTURE_ACCOUNTS.map((a) => join(dir, a)),
    sharedDir,
    id: 'workers',
    now: Date.parse('2026-12-01T00:00:00Z'),
  });
  return { dir, fs, plan, sharedDir };
}

/** The tree with the run's folder replaced, so that two runs compare. */
function relative(tree: Awaited<ReturnType<typeof snapshot>>, dir: string) {
  return Object.fromEntries(
    Object.entries(tree).map(([path, e]) => [
      path.replace(dir, '<run>'),
      e.type === 'symlink' ? { ...e, link: (e.link ?? '').replace(dir, '<run>') } : e,
    ]),
  );
}

describe('step workers', () => {
  it('leave the disk and the report exactly as the calling thread does', async () => {
    const here = await prepare();
    const there = await prepare();
    expect(there.plan.operations.filter((op) => op.type === 'copyFile').length).toBeGreaterThan(4);
    const a = await harness.applyPlan(here.plan, { fs: here.fs, workers: 0 });
    const b = await harness.applyPlan(there.plan, { fs: there.fs, workers: 3 });
    expect(a.workers).toBe(0);
    expect(b.workers).toBe(3);
    const { durationMs: _a, workers: _wa, ...reportA } = a;
    const { durationMs: _b, workers: _wb, ...reportB } = b;
    expect(reportB).toEqual(reportA);
    expect(reportB.bytesCopied).toBeGreaterThan(0);
    const treeA = relative(await snapshot(here.fs, here.dir), here.dir);
    const treeB = relative(await snapshot(there.fs, there.dir), there.dir);
    // Backups are named by the plan, so the trees compare path for path, times included
    // (but settings.json's, written with the time of writing).
    expect(diff(treeA, treeB, { dirTimes: true, fileTimes: /settings\.json(\.bak\.[\d.]+\.absent)?$/ })).toEqual([]);
    expect(Object.keys(treeB).length).toBeGreaterThan(20);
  });

  it('a copy failing on a worker undoes the apply: the disk as it was, no temporary file left', async () => {
    const run = await prepare();
    const copies = run.plan.operations.filter((op) => op.type === 'copyFile');
    const victim = copies[copies.length - 1];
    if (victim?.type !== 'copyFile') throw new Error('the fixture plan has no copy');
    const before = await snapshot(run.fs, run.dir);
    let removed = false;
    const error = await harness
      .applyPlan(run.plan, {
        fs: run.fs,
        workers: 2,
        // After the first steps (the folders, in this thread), before the copies run on
        // the workers: a source vanishes, so its copy fails there.
        onProgress: () => {
          if (removed) return;
          removed = true;
          unlinkSync(victim.from);
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; undo?: { complete: boolean; kept: unknown[] } },
      );
    expect(removed).toBe(true);
    expect(error?.code).toBe('ESTALE_PLAN');
    expect(error?.undo?.complete).toBe(true);
    expect(error?.undo?.kept).toEqual([]);
    const after = await snapshot(run.fs, run.dir);
    const { [victim.from]: _gone, ...expected } = before;
    expect(diff(expected, after, { dirTimes: true })).toEqual([]);
  });

  it('read what readActual reads, path for path (the preflight through the workers)', async () => {
    const { dir } = copyFixture();
    trash.push(dir);
    writeFileSync(join(dir, 'file.jsonl'), 'x\n');
    mkdirSync(join(dir, 'folder'));
    symlinkSync('folder', join(dir, 'link'));
    const paths = ['file.jsonl', 'folder', 'link', 'absent', 'file.jsonl/below'].map((p) => join(dir, p));
    const pool = await harness.StepWorkers.start(2);
    if (pool === undefined) throw new Error('the step workers did not start');
    try {
      const fs = harness.createNodeFileSystem();
      const expected = await Promise.all(paths.map((p) => harness.readActual(fs, p)));
      expect(expected.map((s) => s.type)).toEqual(['file', 'directory', 'symlink', 'absent', 'absent']);
      // Reading a link (readlink) sets its atime: the one field two readings may differ in.
      const withoutAtime = (states: typeof expected) =>
        states.map((st) => ('stat' in st ? { ...st, stat: { ...st.stat, atimeMs: 0 } } : st));
      expect(withoutAtime(await pool.read(paths))).toEqual(withoutAtime(expected));
    } finally {
      await pool.close();
    }
  });

  it('a plan gone stale is refused by the preflight read on the workers, nothing written', async () => {
    const run = await prepare();
    const copy = run.plan.operations.find((op) => op.type === 'copyFile');
    if (copy?.type !== 'copyFile') throw new Error('the fixture plan has no copy');
    appendFileSync(copy.from, '{"type":"user"}\n');
    const before = await snapshot(run.fs, run.dir);
    const error = await harness.applyPlan(run.plan, { fs: run.fs, workers: 2 }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; details?: { path: string }[] },
    );
    expect(error?.code).toBe('ESTALE_PLAN');
    expect(JSON.stringify(error?.details)).toContain(copy.from);
    expect(diff(before, await snapshot(run.fs, run.dir), { dirTimes: true })).toEqual([]);
  });

  it('an abort stops the workers and undoes the apply', async () => {
    const run = await prepare();
    const before = await snapshot(run.fs, run.dir);
    const controller = new AbortController();
    const error = await harness
      .applyPlan(run.plan, { fs: run.fs, workers: 2, signal: controller.signal, onProgress: () => controller.abort() })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; undo?: { complete: boolean } },
      );
    expect(error?.code).toBe('EABORTED');
    expect(error?.undo?.complete).toBe(true);
    expect(diff(before, await snapshot(run.fs, run.dir), { dirTimes: true })).toEqual([]);
  });
});
