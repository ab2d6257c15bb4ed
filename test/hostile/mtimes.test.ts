/**
 * Hostile catalogue: modification times a copy cannot take exactly (issue 14). Claude Code
 * leaves nanosecond mtimes; a copy's time can be set to the microsecond and no finer, and
 * the executor compares a copy with its source at that precision. When they still differ,
 * EVERIFY says what differed and by how much, so that a writer still at work can be told
 * from a filesystem that does not keep the time it was given.
 */
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan, undoOutcomeOf } from '../../src/apply/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { share } from '../../src/verbs/verbs.js';
import { hookFs, under } from '../support/faulty-fs.js';
import { writeFilesWithNsTimes } from '../support/ns-times.js';
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
    // Folder times are compared apart: the undo puts them back to the microsecond, which
    // is what utimes can set, not to the nanosecond the dump holds.
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
    expect(back / 1000n).toBe(homeNs / 1000n);
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
});
