/**
 * PENDING: hostile cases that fail today because of the executor (src/apply), which was
 * being finished by another engineer while the catalogue was written. Each test states
 * the behaviour the catalogue expects; docs/safety.md lists them as pending. Move a case
 * into its family's file once it passes.
 */
import { appendFileSync, chmodSync, realpathSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan, undoOutcomeOf } from '../../src/apply/index.js';
import { ErrorCodes, type SharedSessionsError } from '../../src/errors.js';
import type { Plan } from '../../src/plan/types.js';
import { share } from '../../src/plan/verbs.js';
import { dumpDisk } from '../helpers/tree.js';
import {
  applyOptions,
  expectRefusal,
  expectUntouched,
  IDS,
  NOW,
  type Sandbox,
  seed,
  session,
  standardSandbox,
  verbOptions,
} from './helpers/world.js';
import { hookFs, racingFs, under } from './helpers/wrap-fs.js';

let sb: Sandbox | undefined;
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
});

async function failure(p: Promise<unknown>): Promise<SharedSessionsError | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => e as SharedSessionsError,
  );
}

describe('pending (executor): hostile cases that fail today', () => {
  it('P1 (H31) applyPlan(null) is refused with EINVALID_PLAN, not a TypeError', async () => {
    // src/apply/preflight.ts assertValidPlan reads `plan.operations` of null.
    sb = await standardSandbox();
    await expectRefusal(
      expectUntouched(sb, () => applyPlan(null as unknown as Plan, applyOptions(sb as Sandbox))),
      ErrorCodes.INVALID_PLAN,
      /not valid.*Make the plan again/s,
    );
  });

  it('P2 (H42) a session created in an account between plan and apply makes the backup rename stale', async () => {
    // The plan records the folder's tree (expectFrom.tree, a treeDigest); the executor's
    // preflight (and its rename step) should compare it with digestFolder(fs, from).
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    await seed(sb.fs, { [session(sb.b, IDS.e)]: '{"type":"user","message":{"role":"user","content":"late"}}\n' });
    const error = await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
      ErrorCodes.STALE_PLAN,
      /Make the plan again/,
    );
    expect(error.details).toContainEqual(expect.objectContaining({ path: join(sb.b, 'projects') }));
  });

  it('P3 (H45) a folder swapped for a link between the rename step`s check and the rename itself is detected and undone', async () => {
    // operations.ts rename(): lstat the moved entry at op.to after fs.rename and compare it
    // (type, dev, ino) with what was checked; a link there means the swap won the race.
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    const projects = join(sb.b, 'projects');
    const decoy = join(sb.root, 'decoy');
    let swapped = false;
    const fs = hookFs(sb.fs, {
      before: async (c) => {
        if (!swapped && c.call === 'rename' && c.path === projects) {
          swapped = true;
          await sb?.fs.rename(projects, decoy);
          await sb?.fs.symlink(decoy, projects);
        }
      },
    });
    const error = await failure(applyPlan(plan, applyOptions(sb, { fs, concurrency: 1 })));
    expect(swapped).toBe(true);
    expect(error?.code).toBe(ErrorCodes.STALE_PLAN);
    expect(undoOutcomeOf(error)).toMatchObject({ complete: true });
  });

  it('P4 a project folder swapped for a link to outside before its copy: nothing is read through it', async () => {
    // copyFile/forkSession should check that no folder between the root and `from` is a
    // link right before copying (and compare the copied file's dev/ino with lstat's).
    sb = await standardSandbox('disk', (s) => ({
      [join(s.root, 'outside', `${IDS.c}.jsonl`)]: `${'{"type":"user","outside":true}\n'.repeat(200)}`,
    }));
    const plan = await share(verbOptions(sb));
    const project = join(sb.b, 'projects', '-home-dev-app');
    const outside = join(sb.root, 'outside');
    const s = sb;
    // Right after the copy of B (which comes before C's), the folder C is copied from becomes a link.
    const fs = racingFs(
      sb.fs,
      (c) => c.call === 'copyFile' && c.path === session(s.a, IDS.b),
      async (inner) => {
        await inner.rename(project, join(s.root, 'moved-project'));
        await inner.symlink(outside, project);
      },
    );
    // Every read of a file's content, by where it really is.
    const readOutside: string[] = [];
    const watched = hookFs(fs, {
      before: (c) => {
        if (c.call !== 'copyFile' && c.call !== 'open:r' && c.call !== 'readFile') return;
        let real: string;
        try {
          real = realpathSync(c.path);
        } catch {
          return;
        }
        if (under(outside, real)) readOutside.push(`${c.call} ${c.path}`);
      },
    });
    const error = await failure(applyPlan(plan, applyOptions(sb, { fs: watched, concurrency: 1 })));
    expect(fs.raced()).toBe(true);
    expect(readOutside).toEqual([]);
    const outsideHash = dumpDisk(outside)[`${IDS.c}.jsonl`]?.sha256;
    const inShared = Object.values(dumpDisk(sb.home)).filter((e) => e.sha256 === outsideHash);
    expect(inShared).toEqual([]);
    expect([ErrorCodes.OUTSIDE_ROOTS, ErrorCodes.STALE_PLAN]).toContain(error?.code);
    expect(under(sb.root, outside)).toBe(true);
  });

  it('P5 (H27) a plan applied twice is reported as stale, not as "would follow a link out of its roots"', async () => {
    // preflight.ts reports links before drift; a link the plan itself made (to its own
    // shared folder) is drift, and the advice should be "make the plan again".
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    await applyPlan(plan, applyOptions(sb));
    await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
      ErrorCodes.STALE_PLAN,
      /disk changed since the plan was made/,
    );
  });

  it('P6 a source file that vanishes mid-apply is reported as stale (naming the source), not ENOTFOUND_ACCOUNT naming the copy', async () => {
    // apply.ts runOne wraps every step error with wrapIoError(error, ..., mainPath(op)):
    // an ENOENT of `from` becomes "<to> does not exist" with an account code.
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    const source = session(sb.b, IDS.c);
    const fs = racingFs(
      sb.fs,
      (c) => c.call === 'copyFile' && c.path === session(sb?.a ?? '', IDS.b),
      async (inner) => inner.unlink(source),
    );
    const error = await failure(applyPlan(plan, applyOptions(sb, { fs, concurrency: 1 })));
    expect(fs.raced()).toBe(true);
    expect({ code: error?.code, path: error?.path }).toEqual({ code: ErrorCodes.STALE_PLAN, path: source });
  });

  it('P7 a shared folder made writable by others between plan and apply is refused (EUNSAFE_SHARED)', async () => {
    // The planner refuses an unsafe shared folder (src/inspect/safety.ts); the executor
    // should run findUnsafeFolders(fs, [shared dirs, their parents, conflicts]) in its preflight.
    sb = await standardSandbox('disk', (s) => ({ [s.shared]: { dir: true } }));
    const plan = await share(verbOptions(sb));
    chmodSync(sb.shared, 0o777);
    await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
      ErrorCodes.UNSAFE_SHARED,
      /writable by other users/,
    );
  });

  it('P8 a plan made later than now (the clock moved back between plan and apply) is refused (ECLOCK)', async () => {
    // Its backups would be stamped in the future and sort newer than every later one.
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb, { now: Date.now() + 3_600_000 }));
    await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
      ErrorCodes.CLOCK,
      /clock/i,
    );
    expect(NOW).toBeGreaterThan(0);
  });

  it('P9 (H46) a copy topped up with bytes appended during the apply keeps its source`s mtime to the microsecond', async () => {
    // operations.ts resync() sets the copy's times with fs.utimes (whole ms), where
    // copyFile keeps microseconds: a reader that floors the ms (find -newer, rsync) then
    // sees the copy a millisecond newer than its source, about half the time.
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    const moved = join(sb.a, 'projects.bak.1795176000', '-home-dev-app', `${IDS.b}.jsonl`);
    const s = sb;
    let n = 0;
    const fs = racingFs(
      sb.fs,
      (c) => c.call === 'symlink' && c.path === join(s.b, 'projects'),
      async () => {
        for (; n < 20; n++) {
          appendFileSync(moved, '{"type":"user","late":true}\n');
          // A sub-millisecond part that a ms-rounding utimes cannot keep.
          utimesSync(moved, 1_795_000_000 + n + 0.1237654, 1_795_000_000 + n + 0.1237654);
        }
      },
    );
    await applyPlan(plan, applyOptions(sb, { fs, concurrency: 1 }));
    const shared = dumpDisk(sb.shared)[`-home-dev-app/${IDS.b}.jsonl`];
    const backedUp = dumpDisk(join(sb.a, 'projects.bak.1795176000'))[`-home-dev-app/${IDS.b}.jsonl`];
    expect(Math.floor(shared?.mtimeMs ?? 0)).toBe(Math.floor(backedUp?.mtimeMs ?? 0));
    expect(shared?.sha256).toBe(backedUp?.sha256);
  });
});
