/**
 * Case sensitivity of paths travels in the snapshot and the plan (issue 12): the rule is
 * decided by inspect (the host's, or the `caseInsensitive` option), and every planner,
 * validatePlan, preflight and the executor compare by the plan's value, never by
 * `process.platform`. These run on Linux and memfs (both case-sensitive) with either rule.
 */
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/apply.js';
import { simulatePlan } from '../../src/apply/simulate.js';
import { readRetainState } from '../../src/doctor/retained.js';
import type { FileSystem } from '../../src/fs/types.js';
import { inspect } from '../../src/inspect/inspect.js';
import { planMerge } from '../../src/plan/merge.js';
import { planRetain } from '../../src/plan/retain.js';
import type { Plan } from '../../src/plan/types.js';
import { validatePlan } from '../../src/plan/validate.js';
import { hostCaseInsensitive } from '../../src/util/host.js';
import { retain } from '../../src/verbs/retain.js';
import { share } from '../../src/verbs/verbs.js';
import { A, B, CONFLICTS, CTX, inspectOptions, makeDisk, SHARED, snapshotOf } from './support.js';

const DISK = {
  [`${A}/projects/p/Foo.jsonl`]: 'from a\n',
  [`${B}/projects/p/foo.jsonl`]: 'from b\n',
};

async function mergeWith(caseInsensitive: boolean) {
  const { snapshot, fs } = await snapshotOf(DISK, { caseInsensitive });
  return { snapshot, fs, plan: planMerge(snapshot, CTX) };
}

const names = async (fs: FileSystem, dir: string) => (await fs.readdir(dir)).map((e) => e.name).sort();

const targets = (plan: Plan) =>
  plan.operations.flatMap((op) => (op.type === 'copyFile' ? [op.to] : [])).filter((to) => to.startsWith(SHARED));

describe('the case rule in the snapshot and the plan', () => {
  it('records the option in the snapshot and the plan, and this host rule by default', async () => {
    for (const caseInsensitive of [true, false]) {
      const { snapshot, plan } = await mergeWith(caseInsensitive);
      expect(snapshot.caseInsensitive).toBe(caseInsensitive);
      expect(plan.caseInsensitive).toBe(caseInsensitive);
    }
    const { fs } = await makeDisk(DISK);
    expect((await inspect(inspectOptions(fs))).caseInsensitive).toBe(hostCaseInsensitive());
    const plan = await share({ ...inspectOptions(fs), cleanupPeriodDays: false });
    expect(plan.caseInsensitive).toBe(hostCaseInsensitive());
    const flipped = await share({
      ...inspectOptions(fs),
      cleanupPeriodDays: false,
      caseInsensitive: !hostCaseInsensitive(),
    });
    expect(flipped.caseInsensitive).toBe(!hostCaseInsensitive());
  });

  it('records the rule in retain plans: the option, else this host rule; planRetain without it records none', async () => {
    const { fs } = await makeDisk({ [`${SHARED}/p/s.jsonl`]: 'x\n' });
    const where = { fs, home: '/h', cwd: '/h', sharedDir: SHARED };
    expect((await retain(where)).caseInsensitive).toBe(hostCaseInsensitive());
    expect((await retain({ ...where, caseInsensitive: !hostCaseInsensitive() })).caseInsensitive).toBe(
      !hostCaseInsensitive(),
    );
    const bare = planRetain(await readRetainState(fs, SHARED), { id: 'p', now: 0 });
    expect('caseInsensitive' in bare).toBe(false);
    const plan = await retain({ ...where, caseInsensitive: true });
    expect(validatePlan(plan)).toEqual([]);
    await applyPlan(plan, { fs });
    expect(await names(fs, '/h/.claude-shared/.retained/projects/p')).toEqual(['s.jsonl']);
  });

  it('refuses a caseInsensitive option that is not a boolean', async () => {
    const { fs } = await makeDisk(DISK);
    await expect(inspect(inspectOptions(fs, { caseInsensitive: 'yes' as unknown as boolean }))).rejects.toMatchObject({
      code: 'EINVALID_OPTION',
    });
  });

  it('plans Foo.jsonl and foo.jsonl as one session file when case-insensitive, two when not', async () => {
    const sensitive = (await mergeWith(false)).plan;
    expect(targets(sensitive).sort()).toEqual([`${SHARED}/p/Foo.jsonl`, `${SHARED}/p/foo.jsonl`]);
    expect(sensitive.conflicts).toEqual([]);

    const insensitive = (await mergeWith(true)).plan;
    // One copy reaches the shared folder; the other is a diverged copy kept aside.
    expect(targets(insensitive)).toEqual([`${SHARED}/p/Foo.jsonl`]);
    expect(insensitive.conflicts.map((c) => c.code)).toEqual(['diverged']);
    const aside = insensitive.operations.flatMap((op) => (op.type === 'copyFile' ? [op.to] : []));
    expect(aside.some((to) => to.startsWith(`${CONFLICTS}/projects/p/foo.`))).toBe(true);
    expect(validatePlan(insensitive)).toEqual([]);
  });

  it('gives the same fingerprint for the same disk and rule, another for the other rule', async () => {
    const { fs } = await makeDisk(DISK);
    const fingerprint = async (caseInsensitive: boolean) =>
      planMerge(await inspect(inspectOptions(fs, { caseInsensitive })), CTX).fingerprint;
    const one = await fingerprint(true);
    expect(await fingerprint(true)).toBe(one);
    expect(await fingerprint(false)).not.toBe(one);
  });
});

describe('validatePlan by the plan rule', () => {
  it('finds two copies to Foo.jsonl and foo.jsonl one path only when the plan says case-insensitive', async () => {
    const { plan } = await mergeWith(false);
    expect(validatePlan(plan)).toEqual([]);
    const issues = validatePlan({ ...plan, caseInsensitive: true });
    expect(issues.map((i) => i.code)).toEqual(['DUPLICATE_WRITE']);
    expect(issues[0]?.path).toBe(`${SHARED}/p/foo.jsonl`);
  });

  it('finds a per-account folder named with other case only when case-insensitive', async () => {
    const { plan } = await mergeWith(true);
    const upper = A.toUpperCase();
    const op = {
      id: 'op-x',
      type: 'mkdir' as const,
      reason: 'parent' as const,
      path: `${upper}/sessions/x`,
      mode: 0o700,
      expect: { type: 'absent' as const },
    };
    const edited = { ...plan, operations: [...plan.operations, op] };
    // Case-sensitive: another folder than the account, so outside the roots.
    expect(validatePlan({ ...edited, caseInsensitive: false }).map((i) => i.code)).toEqual(['OUTSIDE_ROOTS']);
    // Case-insensitive: the account's own sessions/ folder, which no plan touches.
    const issues = validatePlan({ ...edited, caseInsensitive: true });
    expect(issues.map((i) => i.code)).toEqual(['FORBIDDEN_PATH']);
    expect(issues[0]?.message).toContain('sessions is per-account');
  });

  it('refuses a caseInsensitive that is not a boolean', async () => {
    const { plan } = await mergeWith(false);
    const issues = validatePlan({ ...plan, caseInsensitive: 'no' as unknown as boolean });
    expect(issues.map((i) => i.code)).toEqual(['PLAN_SHAPE']);
    expect(issues[0]?.message).toContain('caseInsensitive must be true or false');
  });
});

describe('preflight and the executor by the plan rule', () => {
  it("judges a path under a folder the plan makes, named with other case, by the plan's rule", async () => {
    const { plan } = await mergeWith(false);
    const made = `${SHARED}/p/Sub`;
    const hand: Plan = {
      ...plan,
      operations: [
        { id: 'op-1', type: 'mkdir', reason: 'parent', path: made, mode: 0o700, expect: { type: 'absent' } },
        {
          id: 'op-2',
          type: 'mkdir',
          reason: 'parent',
          path: `${SHARED}/p/sub/x`,
          mode: 0o700,
          expect: { type: 'absent' },
        },
      ],
    };
    const parentOf = (p: Plan) => simulatePlan(p).find((c) => c.operationId === 'op-2' && c.kind === 'parent');
    // Insensitive: the parent is the folder op-1 makes; sensitive: a folder on the disk.
    expect(parentOf({ ...hand, caseInsensitive: true })?.at).toEqual({ type: 'directory', fresh: true });
    expect(parentOf({ ...hand, caseInsensitive: false })?.at).toEqual({ type: 'disk', disk: `${SHARED}/p/sub` });
  });

  it('applies a case-sensitive plan with both files on memfs, and refuses it as case-insensitive', async () => {
    const { plan, fs } = await mergeWith(false);
    await expect(applyPlan({ ...plan, caseInsensitive: true }, { fs })).rejects.toMatchObject({
      code: 'EINVALID_PLAN',
    });
    expect(await names(fs, `${SHARED}/p`).catch(() => [])).toEqual([]);
    await applyPlan(plan, { fs });
    expect(await names(fs, `${SHARED}/p`)).toEqual(['Foo.jsonl', 'foo.jsonl']);
    expect((await fs.readFile(`${SHARED}/p/foo.jsonl`)).toString()).toBe('from b\n');
  });

  it('applies a case-insensitive plan on memfs by its own rule', async () => {
    const { plan, fs } = await mergeWith(true);
    const report = await applyPlan(plan, { fs });
    expect(report.conflictsKept).toBe(1);
    expect(await names(fs, `${SHARED}/p`)).toEqual(['Foo.jsonl']);
  });

  it("applies a plan saved without caseInsensitive (0.1.0) with this host's rule", async () => {
    const { plan, fs } = await mergeWith(false);
    const { caseInsensitive: _dropped, ...old } = plan;
    expect('caseInsensitive' in old).toBe(false);
    // Two copies to Foo.jsonl and foo.jsonl: one path on macOS and Windows, two elsewhere.
    expect(validatePlan(old).length > 0).toBe(hostCaseInsensitive());
    if (hostCaseInsensitive()) {
      await expect(applyPlan(old, { fs })).rejects.toMatchObject({ code: 'EINVALID_PLAN' });
    } else {
      await applyPlan(old, { fs });
      expect(await names(fs, `${SHARED}/p`)).toEqual(['Foo.jsonl', 'foo.jsonl']);
    }
  });
});
