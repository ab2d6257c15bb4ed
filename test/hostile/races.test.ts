/**
 * Hostile catalogue, family 5: the disk changes while an apply runs. Each race is a
 * filesystem wrapper that makes its change at a chosen call of the apply.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan, undoOutcomeOf } from '../../src/apply/index.js';
import type { SharedSessionsError } from '../../src/errors.js';
import { ErrorCodes } from '../../src/errors.js';
import { digestFolder } from '../../src/inspect/inspect.js';
import { validatePlan } from '../../src/plan/validate.js';
import { share } from '../../src/verbs/verbs.js';
import { racingFs } from '../support/faulty-fs.js';
import { dumpDisk } from '../support/tree.js';
import {
  applyOptions,
  dump,
  expectRefusal,
  expectUntouched,
  IDS,
  type Sandbox,
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

describe('hostile: races during an apply', () => {
  it('H41 a transcript appended to during the apply: the new lines reach the shared copy', async () => {
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    const source = session(sb.a, IDS.b);
    const line = `${JSON.stringify({ type: 'user', sessionId: IDS.b, message: { role: 'user', content: 'typed during the apply' } })}\n`;
    // Claude Code appends right after the copy, before the folder is moved to its backup.
    const target = join(sb.shared, '-home-dev-app', `${IDS.b}.jsonl`);
    const fs = racingFs(
      sb.fs,
      (c) => c.call === 'rename' && c.dest === target,
      async () => appendFileSync(source, line),
    );
    const report = await applyPlan(plan, applyOptions(sb, { fs }));
    expect(fs.raced()).toBe(true);
    expect(report.bytesResynced).toBe(Buffer.byteLength(line));
    const shared = readFileSync(join(sb.shared, '-home-dev-app', `${IDS.b}.jsonl`), 'utf8');
    expect(shared.endsWith(line)).toBe(true);
    expect(shared).toBe(readFileSync(join(sb.a, 'projects.bak.1795176000', '-home-dev-app', `${IDS.b}.jsonl`), 'utf8'));
  });

  it('H42 a new session created in an account between plan and apply makes the backup stale (ESTALE_PLAN)', async () => {
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    const projects = join(sb.b, 'projects');
    const backupOp = plan.operations.find((o) => o.type === 'rename' && o.from === projects);
    const recorded =
      backupOp?.type === 'rename' && backupOp.expectFrom.type === 'directory' ? backupOp.expectFrom.tree : undefined;
    expect(recorded).toBe(await digestFolder(sb.fs, projects));
    await expectUntouched(sb, async () => {
      expect(validatePlan(plan)).toEqual([]);
    });
    await seed(sb.fs, { [session(sb.b, IDS.e)]: '{"type":"user","message":{"role":"user","content":"late"}}\n' });
    expect(await digestFolder(sb.fs, projects)).not.toBe(recorded);
    // Applied now, the backup would hide the new session from every account: refused.
    const error = await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
      ErrorCodes.STALE_PLAN,
      /Make the plan again.*its contents changed since the plan was made/s,
    );
    expect(error.details).toContainEqual(expect.objectContaining({ path: projects }));
  });

  it('H43 a second apply started while one runs: ELOCKED, and the first finishes alone', async () => {
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    let second: Promise<unknown> | undefined;
    const s = sb;
    const fs = racingFs(
      sb.fs,
      (c) => c.call === 'copyFile',
      async () => {
        second = applyPlan(plan, applyOptions(s)).then(
          () => 'applied',
          (e: unknown) => e,
        );
        await second;
      },
    );
    await applyPlan(plan, applyOptions(sb, { fs }));
    expect(await second).toMatchObject({
      code: ErrorCodes.LOCKED,
      message: expect.stringMatching(/wait for it to finish/i),
    });
    expect((await share(verbOptions(sb))).operations).toEqual([]);
    expect(Object.keys(dumpDisk(sb.sharedParent)).filter((k) => k.startsWith('.claude-shared-sessions'))).toEqual([]);
  });

  it('H44 Claude Code recreates an empty projects/ between the backup and the link: refused, undone', async () => {
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    const projects = join(sb.a, 'projects');
    const fs = racingFs(
      sb.fs,
      (c) => c.call === 'rename' && c.path === projects,
      async (inner) => inner.mkdir(projects, { mode: 0o700 }),
    );
    const error = await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox, { fs }))),
      ErrorCodes.STALE_PLAN,
      /appeared while the plan was applied.*Quit Claude Code/,
    );
    expect(fs.raced()).toBe(true);
    expect(undoOutcomeOf(error)).toMatchObject({ complete: true });
  });

  it('H45 projects/ swapped for a link (time of check to time of use) before its backup: refused, undone', async () => {
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    const first = join(sb.a, 'projects');
    const projects = join(sb.b, 'projects');
    const decoy = join(sb.root, 'decoy');
    // Swapped while the apply runs, after the first account's backup and before the second's.
    const fs = racingFs(
      sb.fs,
      (c) => c.call === 'rename' && c.path === first,
      async (inner) => {
        await inner.rename(projects, decoy);
        await inner.symlink(decoy, projects);
      },
    );
    const before = await dump(sb);
    const error = await applyPlan(plan, applyOptions(sb, { fs, concurrency: 1 })).then(
      () => undefined,
      (e: unknown) => e as SharedSessionsError,
    );
    expect(fs.raced()).toBe(true);
    expect({ code: error?.code, message: error?.message }).toMatchObject({
      code: ErrorCodes.STALE_PLAN,
      message: expect.stringMatching(/no longer a directory.*undone/),
    });
    expect(undoOutcomeOf(error)).toMatchObject({ complete: true });
    // Put the attacker's swap back: everything else is as it was.
    await sb.fs.unlink(projects);
    await sb.fs.rename(decoy, projects);
    expect(await dump(sb, { dirMtimes: false })).toEqual(dumpWithoutDirMtimes(before));
  });
  it('H46 a transcript appended to again after it was moved to its backup (before the link) is carried too', async () => {
    // A handle Claude Code opened before the move writes into the backup: the last check
    // before the commit carries those bytes to the shared copy.
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    const moved = join(sb.a, 'projects.bak.1795176000', '-home-dev-app', `${IDS.b}.jsonl`);
    const line = '{"type":"user","late":true}\n';
    const s = sb;
    const fs = racingFs(
      sb.fs,
      (c) => c.call === 'symlink' && c.path === join(s.b, 'projects'),
      async () => appendFileSync(moved, line),
    );
    const report = await applyPlan(plan, applyOptions(sb, { fs, concurrency: 1 }));
    expect(fs.raced()).toBe(true);
    expect(report.bytesResynced).toBe(line.length);
    const shared = dumpDisk(sb.shared)[`-home-dev-app/${IDS.b}.jsonl`];
    const backedUp = dumpDisk(join(sb.a, 'projects.bak.1795176000'))[`-home-dev-app/${IDS.b}.jsonl`];
    // Same bytes and mode, and the same mtime in whole ms (to the microsecond: H61).
    expect({ ...shared, mtimeMs: Math.round(shared?.mtimeMs ?? 0) }).toEqual({
      ...backedUp,
      mtimeMs: Math.round(backedUp?.mtimeMs ?? 0),
    });
    expect(readFileSync(join(sb.shared, '-home-dev-app', `${IDS.b}.jsonl`), 'utf8').endsWith(line)).toBe(true);
  });
});

function dumpWithoutDirMtimes(d: unknown): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d as Record<string, { type: string; mtimeMs?: number }>)) {
    if (v.type === 'directory') {
      const { mtimeMs: _m, ...rest } = v;
      out[k] = rest;
    } else out[k] = v;
  }
  return out;
}
