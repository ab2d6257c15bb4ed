/**
 * Hostile catalogue: modification times a copy cannot take exactly (issue 14). Claude Code
 * leaves nanosecond mtimes; a copy's time can be set to the microsecond and no finer, and
 * the executor compares a copy with its source at that precision. When they still differ,
 * EVERIFY says what differed and by how much, so that a writer still at work can be told
 * from a filesystem that does not keep the time it was given.
 */
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan, recover, undoOutcomeOf } from '../../src/apply/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { share } from '../../src/verbs/verbs.js';
import { faultyFs, hookFs, under } from '../support/faulty-fs.js';
import { setFolderNsTimes, writeFilesWithNsTimes } from '../support/ns-times.js';
import { diff, dumpTree } from '../support/tree.js';
import {
  applyOptions,
  expectRefusal,
  expectUntouched,
  IDS,
  type Sandbox,
  session,
  standardSandbox,
  verbOptions,
} from './support/world.js';

let sb: Sandbox | undefined;
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
});

/** The value from issue 14: 0.499921 ms past its millisecond, which a double rounds up. */
const ISSUE_NS = 1_796_293_725_640_499_921n;

/** Every folder under `root` (itself included), deepest last, relative with `/`. */
function foldersUnder(root: string, rel = ''): string[] {
  const out = [rel];
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...foldersUnder(root, rel ? `${rel}/${e.name}` : e.name));
  }
  return out;
}

/**
 * Gives every folder of the sandbox a time 0.4999xx ms past its millisecond (50 to 110 ns
 * below the half, which Node's double rounds up: `stat.mtime.getTime()` reads the next
 * ms), and returns each folder's time in ns.
 */
function foldersJustBelowHalf(sb: Sandbox): Map<string, bigint> {
  const times = new Map<string, bigint>();
  foldersUnder(sb.root).forEach((rel, i) => {
    times.set(rel, ISSUE_NS + BigInt(i) * 1_000_000_000n + 29n + BigInt((i * 13) % 60));
  });
  setFolderNsTimes(
    sb.root,
    [...times].filter(([rel]) => rel !== '').map(([path, mtimeNs]) => ({ path, mtimeNs })),
  );
  // The root itself: tar cannot name it, so through its parent's view of it.
  setFolderNsTimes(join(sb.root, '..'), [
    { path: relative(join(sb.root, '..'), sb.root), mtimeNs: times.get('') ?? 0n },
  ]);
  for (const [rel, ns] of times) {
    const st = statSync(join(sb.root, rel), { bigint: true });
    expect(st.mtimeNs, rel).toBe(ns);
    // The case this is about: the true ms is the lower one, Node reads the next.
    expect(statSync(join(sb.root, rel)).mtime.getTime(), rel).toBe(Number(ns / 1_000_000n) + 1);
  }
  return times;
}

/** Every folder reads the same ms as before through Node and the library, and lies within 1 µs of its time. */
async function expectFolderTimesBack(sb: Sandbox, times: Map<string, bigint>, before: unknown) {
  expect(diff(before as never, await dumpTree(sb.fs, sb.root, { dirMtimes: true, contents: true }))).toEqual([]);
  for (const [rel, ns] of times) {
    const path = join(sb.root, rel);
    expect(statSync(path).mtime.getTime(), rel).toBe(Number(ns / 1_000_000n) + 1);
    const now = statSync(path, { bigint: true }).mtimeNs;
    expect(now > ns ? now - ns : ns - now, rel).toBeLessThan(1000n);
  }
}

describe('hostile: modification times', () => {
  it('H70 a transcript with a nanosecond mtime just below half a millisecond is shared; its copy keeps the ms both ways', async () => {
    // It used to fail every time with EVERIFY "kept changing while it was copied": the
    // source's time rounded through a double read 641 ms, its copy (set to the µs) 640.
    sb = await standardSandbox();
    const source = session(sb.b, IDS.c);
    writeFilesWithNsTimes(sb.root, [
      { path: relative(sb.root, source), content: readFileSync(source), mtimeNs: ISSUE_NS },
    ]);
    expect(statSync(source, { bigint: true }).mtimeNs).toBe(ISSUE_NS);
    const plan = await share(verbOptions(sb));
    const copy = plan.operations.find((op) => op.type === 'copyFile' && op.from === source);
    expect(copy?.type).toBe('copyFile');
    await applyPlan(plan, applyOptions(sb));
    const ns = statSync(copy?.type === 'copyFile' ? copy.to : '', { bigint: true }).mtimeNs;
    expect(ns / 1_000_000n).toBe(ISSUE_NS / 1_000_000n);
    expect((ns + 500_000n) / 1_000_000n).toBe((ISSUE_NS + 500_000n) / 1_000_000n);
    expect(ISSUE_NS - ns).toBeGreaterThanOrEqual(0n);
    expect(ISSUE_NS - ns).toBeLessThan(1000n);
  });

  it('H71 a filesystem that does not keep a copy its time: EVERIFY says by how much and blames the filesystem, undone', async () => {
    sb = await standardSandbox();
    const shared = sb.shared;
    // Every copy in the shared folder reads 3 µs later than it was set.
    const fs = hookFs(sb.fs, {
      stat: (c, st) =>
        under(shared, c.path) && st.type === 'file' && st.mtimeUs !== undefined
          ? { ...st, mtimeUs: st.mtimeUs + 3 }
          : st,
    });
    const plan = await share(verbOptions(sb));
    const homeNs = statSync(sb.home, { bigint: true }).mtimeNs;
    const homeMs = statSync(sb.home).mtime.getTime();
    // Folder times are compared apart: the undo puts them back within the microsecond
    // (what utimes can set), not to the nanosecond the dump holds (H73).
    const error = await expectUntouched(
      sb,
      () =>
        expectRefusal(
          applyPlan(plan, applyOptions(sb as Sandbox, { fs, concurrency: 1 })),
          ErrorCodes.VERIFY_FAILED,
          /still differed after it was copied 3 times: the source's mtime is \S+ and the copy's \S+ \(the source earlier by 3 µs\)\. The filesystem of .* did not keep the time it was given/,
        ),
      { dirMtimes: false },
    );
    const back = statSync(sb.home, { bigint: true }).mtimeNs;
    expect(back > homeNs ? back - homeNs : homeNs - back).toBeLessThan(1000n);
    expect(statSync(sb.home).mtime.getTime()).toBe(homeMs);
    expect(error.message).not.toMatch(/quit/);
    expect(undoOutcomeOf(error)).toMatchObject({ complete: true });
  });

  it('H72 a transcript written to every time it is copied: EVERIFY names the sizes and says to quit Claude Code, undone', async () => {
    sb = await standardSandbox();
    const source = session(sb.b, IDS.c);
    const fs = hookFs(sb.fs, {
      after: (c) => {
        if (c.call === 'copyFile' && c.path === source) appendFileSync(source, '{"type":"user"}\n');
      },
    });
    const plan = await share(verbOptions(sb));
    const size = statSync(source).size;
    const error = await expectRefusal(
      applyPlan(plan, applyOptions(sb, { fs, concurrency: 1 })),
      ErrorCodes.VERIFY_FAILED,
      /still differed after it was copied 3 times: the source has \d+ bytes and the copy \d+ \(\+16 on the source\).*quit it and apply again/,
    );
    expect(error.path).toBe(source);
    expect(statSync(source).size).toBe(size + 3 * 16);
    expect(undoOutcomeOf(error)).toMatchObject({ complete: true });
  });

  it('H73 folders whose times lie just below half a millisecond, changed by an apply that is undone: read the same ms as before', async () => {
    // Seen once as a crash-run flake: the undo put a folder back to its microsecond
    // (…615.499), which reads one ms below what Node read before (…615.49995 -> 616).
    sb = await standardSandbox();
    const times = foldersJustBelowHalf(sb);
    const before = await dumpTree(sb.fs, sb.root, { dirMtimes: true, contents: true });
    const plan = await share(verbOptions(sb));
    // It fails at the first link (the 56th write): both accounts' folders changed by then.
    const accounts = [sb.a, sb.b];
    let changed: string[] = [];
    const fs = faultyFs(sb.fs, {
      failAt: 56,
      before: (index, c) => {
        if (index !== 56) return;
        expect(c.call).toBe('symlink');
        changed = accounts.filter(
          (d) => statSync(d, { bigint: true }).mtimeNs !== times.get(relative(sb?.root ?? '', d)),
        );
      },
    });
    const error = await applyPlan(plan, applyOptions(sb, { fs, concurrency: 1 })).catch((e: unknown) => e);
    expect(undoOutcomeOf(error)).toMatchObject({ complete: true });
    expect(changed).toEqual(accounts);
    await expectFolderTimesBack(sb, times, before);
  });

  it('H74 the same folders, when the undo could not finish and recover() puts them back', async () => {
    sb = await standardSandbox();
    const times = foldersJustBelowHalf(sb);
    const before = await dumpTree(sb.fs, sb.root, { dirMtimes: true, contents: true });
    const plan = await share(verbOptions(sb));
    // The disk "dies" at the first link: the undo cannot run, the journal stays.
    const fs = faultyFs(sb.fs, { failAt: 56, mode: 'from' });
    const error = await applyPlan(plan, applyOptions(sb, { fs, concurrency: 1 })).catch((e: unknown) => e);
    expect(undoOutcomeOf(error)).toMatchObject({ complete: false });
    const report = await recover({ fs: sb.fs, sharedDir: sb.shared });
    expect(report).toMatchObject({ status: 'rolled-back', kept: [] });
    await expectFolderTimesBack(sb, times, before);
  });
});
