/**
 * Hostile catalogue, family 3: plans that were saved and then edited, replayed, applied
 * late, or are not plans at all. Each must be refused before the first write.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import { readPlanFile } from '../../src/cli/commands/apply.js';
import { ErrorCodes } from '../../src/errors.js';
import type { Operation, Plan } from '../../src/plan/types.js';
import { share } from '../../src/verbs/verbs.js';
import { recordingFs, under } from '../support/faulty-fs.js';
import { dumpDisk } from '../support/tree.js';
import {
  applyOptions,
  dump,
  expectRefusal,
  expectUntouched,
  IDS,
  type Sandbox,
  SECRET,
  seed,
  session,
  standardSandbox,
  verbOptions,
} from './support/world.js';

let sb: Sandbox | undefined;
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
});

/** A share plan of the standard sandbox, saved and read back as a file would be. */
async function savedPlan(s: Sandbox): Promise<Plan> {
  return JSON.parse(JSON.stringify(await share(verbOptions(s)))) as Plan;
}

function firstCopy(plan: Plan): Extract<Operation, { type: 'copyFile' }> {
  const op = plan.operations.find((o) => o.type === 'copyFile');
  if (op?.type !== 'copyFile') throw new Error('no copy in the plan');
  return op;
}

describe('hostile: saved plans', () => {
  it('H24 a plan edited to write outside its roots is refused (EOUTSIDE_ROOTS)', async () => {
    sb = await standardSandbox();
    const plan = await savedPlan(sb);
    firstCopy(plan).to = join(sb.root, 'outside', 'stolen.jsonl');
    await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
      ErrorCodes.OUTSIDE_ROOTS,
      /Make the plan again.*outside the plan's roots/s,
    );
  });

  it('H25 a plan whose roots were widened (/, or a folder beside) to let an edit out is refused', async () => {
    sb = await standardSandbox();
    for (const root of ['/', join(sb.root, 'outside')]) {
      const plan = await savedPlan(sb);
      plan.roots.push(root);
      firstCopy(plan).to = join(sb.root, 'outside', 'stolen.jsonl');
      await expectRefusal(
        expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
        ErrorCodes.OUTSIDE_ROOTS,
        /Make the plan again.*a planner never makes such a root/s,
      );
    }
    // Inside an account's root, only its shared folders, backups and settings.json.
    const plan = await savedPlan(sb);
    firstCopy(plan).to = join(sb.a, 'CLAUDE.local.md');
    await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
      ErrorCodes.OUTSIDE_ROOTS,
      /a planner never names it/,
    );
  });

  it('H26 a plan edited to copy credentials or .claude.json, or to link elsewhere, is refused and never opens them', async () => {
    sb = await standardSandbox();
    const fs = recordingFs(sb.fs);
    const edits: ((p: Plan) => void)[] = [
      (p) => {
        firstCopy(p).from = join(sb!.a, '.credentials.json');
      },
      (p) => {
        firstCopy(p).to = join(sb!.shared, '-home-dev-app', '.claude.json');
      },
      (p) => {
        const link = p.operations.find((o) => o.type === 'symlink');
        if (link?.type === 'symlink') link.target = join(sb!.a, 'sessions');
      },
    ];
    for (const edit of edits) {
      const plan = await savedPlan(sb);
      edit(plan);
      const error = await expectRefusal(
        expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox, { fs }))),
        ErrorCodes.INVALID_PLAN,
        /nothing was changed.*FORBIDDEN_PATH/s,
      );
      expect(error.message).not.toContain(SECRET);
    }
    expect(fs.calls.filter((c) => c.path.endsWith('.credentials.json') || c.path.endsWith('.claude.json'))).toEqual([]);
  });

  it('H27 a plan applied twice: the second apply is refused as stale and changes nothing', async () => {
    sb = await standardSandbox();
    const plan = await savedPlan(sb);
    await applyPlan(plan, applyOptions(sb));
    const error = await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
      ErrorCodes.STALE_PLAN,
      /disk changed since the plan was made.*applied already/s,
    );
    expect((error.details as unknown[]).length).toBeGreaterThan(0);
    expect((await share(verbOptions(sb))).operations).toEqual([]);
  });

  it('H28 a plan applied after the tree changed (a transcript grew, one vanished) is refused as stale', async () => {
    sb = await standardSandbox();
    const plan = await savedPlan(sb);
    await seed(sb.fs, {
      [session(sb.a, IDS.b)]: { content: '{"grew":true}\n', mtimeMs: Date.parse('2026-11-20T11:00:00Z') },
    });
    await sb.fs.unlink(session(sb.b, IDS.c));
    const error = await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
      ErrorCodes.STALE_PLAN,
      /disk changed since the plan was made.*Make the plan again/s,
    );
    expect(error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: session(sb.a, IDS.b) }),
        expect.objectContaining({ path: session(sb.b, IDS.c), found: 'nothing' }),
      ]),
    );
  });

  it('H29 a plan of an unknown version is refused (EPLAN_VERSION)', async () => {
    sb = await standardSandbox();
    for (const version of [2, 0, '1', undefined]) {
      const plan = { ...(await savedPlan(sb)), version } as unknown as Plan;
      await expectRefusal(
        expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
        ErrorCodes.PLAN_VERSION,
        /not supported.*Make the plan again/s,
      );
    }
  });

  it('H30 truncated, empty or non-JSON plan files are refused with EPLAN_FILE / EINVALID_PLAN', async () => {
    sb = await standardSandbox();
    const text = JSON.stringify(await savedPlan(sb), null, 2);
    const file = join(sb.root, 'plan.json');
    const cases: [string, string, RegExp][] = [
      [text.slice(0, Math.floor(text.length / 2)), 'EPLAN_FILE', /is not JSON.*plan --out/s],
      ['', 'EPLAN_FILE', /is not JSON/],
      ['\u0000\u0001binary', 'EPLAN_FILE', /is not JSON/],
      ['null', ErrorCodes.INVALID_PLAN, /not a valid plan.*plan --out/s],
      ['{"version":1}', ErrorCodes.INVALID_PLAN, /not a valid plan/],
      ['[]', ErrorCodes.INVALID_PLAN, /not a valid plan/],
    ];
    for (const [content, code, advice] of cases) {
      writeFileSync(file, content);
      const before = await dump(sb);
      const error = await readPlanFile(file).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
      expect({ code: error?.code, message: error?.message }).toMatchObject({
        code,
        message: expect.stringMatching(advice),
      });
      expect(await dump(sb)).toEqual(before);
    }
  });

  it('H31 the library refuses what is not a plan (null, {}, a string, a cut-off operation list) with a typed error', async () => {
    sb = await standardSandbox();
    const plan = await savedPlan(sb);
    const cut = { ...plan, operations: [...plan.operations.slice(0, 3), { id: 'op-0004', type: 'copyFile' }] };
    const cases: [unknown, string][] = [
      [null, ErrorCodes.INVALID_PLAN],
      [{}, ErrorCodes.PLAN_VERSION],
      ['plan', ErrorCodes.INVALID_PLAN],
      [cut, ErrorCodes.INVALID_PLAN],
    ];
    for (const [notAPlan, code] of cases) {
      await expectRefusal(
        expectUntouched(sb, () => applyPlan(notAPlan as Plan, applyOptions(sb as Sandbox))),
        code,
        /not valid.*Make the plan again/s,
      );
    }
    expect(Object.keys(dumpDisk(sb.home)).some((k) => under('.claude-shared', k))).toBe(false);
  });
});
