/**
 * Hostile catalogue, family 5 (continued): the disk changed under the executor itself,
 * between its own checks and its system calls, or between plan and apply in ways only the
 * executor can see. These cases failed when the catalogue was first run; each comment
 * says what the executor does about it now.
 */
import { appendFileSync, chmodSync, realpathSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan, undoOutcomeOf } from '../../src/apply/index.js';
import { ErrorCodes, type SharedSessionsError } from '../../src/errors.js';
import { share } from '../../src/verbs/verbs.js';
import { hookFs, racingFs, under } from '../support/faulty-fs.js';
import { dumpDisk } from '../support/tree.js';
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

async function failure(p: Promise<unknown>): Promise<SharedSessionsError | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => e as SharedSessionsError,
  );
}

describe('hostile: the executor under attack', () => {
  it('H57 a folder swapped for a link between the backup step`s own check and its rename is detected and undone', async () => {
    // rename() compares what moved (type, and dev/ino on one device) with what it checked:
    // a link there means the swap won the race.
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

  it('H58 a project folder swapped for a link out of the roots right before a copy: nothing is read through it', async () => {
    // copyFile/forkSession check, right before and after reading, that the source's
    // folder still resolves to itself (plans name real paths, so a link above shows).
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
    expect({ code: error?.code, message: error?.message }).toMatchObject({
      code: ErrorCodes.OUTSIDE_ROOTS,
      message: expect.stringMatching(/became a link.*nothing is read through it/),
    });
    expect(undoOutcomeOf(error)).toMatchObject({ complete: true });
  });

  it('H59 a source file removed during the apply: ESTALE_PLAN naming it, every step undone', async () => {
    // It used to read ENOTFOUND_ACCOUNT, "<destination> does not exist".
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
    expect(error?.message).toMatch(/vanished while the plan was applied.*make the plan again/);
    expect(undoOutcomeOf(error)).toMatchObject({ complete: true });
    expect(Object.keys(dumpDisk(sb.home))).not.toContain('.claude-shared/projects');
  });

  it('H60 a shared folder made writable by others between plan and apply is refused (EUNSAFE_SHARED)', async () => {
    // The planner refuses an unsafe shared folder (src/inspect/safety.ts); the executor
    // checks again in its preflight, since modes can change between plan and apply.
    sb = await standardSandbox('disk', (s) => ({ [s.shared]: { dir: true } }));
    const plan = await share(verbOptions(sb));
    chmodSync(sb.shared, 0o777);
    await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
      ErrorCodes.UNSAFE_SHARED,
      /writable by other users/,
    );
  });

  it('H61 a copy topped up with bytes appended during the apply keeps its source`s mtime to the microsecond', async () => {
    // resync() used fs.utimes (whole ms) where copyFile keeps microseconds: a reader that
    // floors the ms then saw the copy a millisecond newer than its source. It now uses
    // fs.copyTimes.
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
