/**
 * Hostile catalogue, family 4: the environment an apply meets. Permission denied and a
 * full disk are injected through the filesystem interface (CI runs as root, which chmod
 * cannot stop); locks, journals, running Claude Code and clocks are set up on disk.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan, undoOutcomeOf } from '../../src/apply/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { backup, share } from '../../src/verbs/verbs.js';
import { faultyFs, MUTATING, under } from '../support/faulty-fs.js';
import { dumpDisk } from '../support/tree.js';
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
} from './support/world.js';

let sb: Sandbox | undefined;
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
});

const STATE = '.claude-shared-sessions';

describe('hostile: environment', () => {
  it('H32 permission denied in the middle of an apply: EPERMISSION, every step undone', async () => {
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    const backupOf = join(sb.b, 'projects');
    // The second account's backup rename is refused: copies and the first backup are done by then.
    const fs = faultyFs(sb.fs, {
      when: (c) => c.call === 'rename' && c.path === backupOf,
      failAt: 1,
      mode: 'from',
      code: 'EACCES',
      keep: ['link', 'copyTimes'],
    });
    const error = await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox, { fs }))),
      ErrorCodes.PERMISSION,
      /permission denied.*ls -ld/,
    );
    expect(fs.fired).toHaveLength(1);
    expect(undoOutcomeOf(error)).toMatchObject({ complete: true, errors: [] });
  });

  it('H33 the disk fills up in the middle of a copy: ENOSPACE, every step undone', async () => {
    sb = await standardSandbox();
    const plan = await share(verbOptions(sb));
    const fs = faultyFs(sb.fs, {
      when: (c) => c.call === 'copyFile',
      failAt: 3,
      code: 'ENOSPC',
      keep: ['link', 'copyTimes'],
    });
    const error = await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox, { fs, concurrency: 1 }))),
      ErrorCodes.NO_SPACE,
      /disk is full.*Free some space/,
    );
    expect(undoOutcomeOf(error)).toMatchObject({ complete: true });
  });

  it('H34 a read-only shared folder (EROFS on every write under it): refused, nothing changed', async () => {
    sb = await standardSandbox('disk', (s) => ({ [s.shared]: { dir: true } }));
    const plan = await share(verbOptions(sb));
    const shared = sb.sharedParent;
    const fs = faultyFs(sb.fs, {
      when: (c) => MUTATING.has(c.call) && (under(shared, c.path) || under(shared, c.dest ?? '')),
      failAt: 1,
      mode: 'from',
      code: 'EROFS',
      keep: ['link', 'copyTimes'],
    });
    await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox, { fs }))),
      ErrorCodes.PERMISSION,
      /read-only file system.*Remount/,
    );
  });

  it('H35 the lock held by a live process: ELOCKED, nothing changed', async () => {
    sb = await standardSandbox();
    const owner = {
      pid: 424242,
      host: hostname(),
      token: 'other',
      acquiredAt: new Date().toISOString(),
      purpose: 'apply x',
    };
    await seed(sb.fs, { [join(sb.sharedParent, STATE, 'lock', 'owner.json')]: JSON.stringify(owner) });
    const plan = await share(verbOptions(sb));
    const alive = (pid: number) => pid === 424242;
    await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox, { isProcessAlive: alive }))),
      ErrorCodes.LOCKED,
      /424242.*Wait for it to finish/,
    );
  });

  it('H36 a stale lock of a dead process is taken over, and the apply does exactly what the plan says', async () => {
    sb = await standardSandbox();
    const owner = {
      pid: 424243,
      host: hostname(),
      token: 'dead',
      acquiredAt: '2026-01-01T00:00:00Z',
      purpose: 'apply x',
    };
    await seed(sb.fs, { [join(sb.sharedParent, STATE, 'lock', 'owner.json')]: JSON.stringify(owner) });
    const plan = await share(verbOptions(sb));
    const report = await applyPlan(plan, applyOptions(sb));
    expect(report.operationsDone).toBe(plan.operations.length);
    expect(Object.keys(dumpDisk(sb.sharedParent)).filter((k) => k.startsWith(STATE))).toEqual([]);
    expect((await share(verbOptions(sb))).operations).toEqual([]);
  });

  it('H37 a dirty journal left by a killed apply: EDIRTY_JOURNAL until recover, nothing changed', async () => {
    sb = await standardSandbox();
    await seed(sb.fs, { [join(sb.sharedParent, STATE, 'journal.jsonl')]: '{"t":"begin","v":1}\n' });
    const plan = await share(verbOptions(sb));
    await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox))),
      ErrorCodes.DIRTY_JOURNAL,
      /Run `claude-shared-sessions recover`/,
    );
  });

  it('H38 Claude Code running with an account: the plan warns, the apply refuses (ECLAUDE_RUNNING)', async () => {
    sb = await standardSandbox();
    const alive = (pid: number) => pid === 999999992;
    const plan = await share(verbOptions(sb, { isProcessAlive: alive }));
    expect(plan.warnings).toContainEqual(
      expect.objectContaining({ code: 'claude-running', path: sb.b, message: expect.stringMatching(/Quit it/) }),
    );
    await expectRefusal(
      expectUntouched(sb, () => applyPlan(plan, applyOptions(sb as Sandbox, { isProcessAlive: alive }))),
      ErrorCodes.CLAUDE_RUNNING,
      /999999992.*Quit those sessions/,
    );
  });

  it('H39 a clock that moved backwards: a backup stamped later than now refuses a new backup (ECLOCK)', async () => {
    const later = Math.floor(NOW / 1000) + 86_400;
    sb = await standardSandbox('disk', (s) => ({
      [join(s.a, `projects.bak.${later}`, '-old', 'x.md')]: 'an older backup, stamped in the future',
    }));
    for (const verb of [share, backup]) {
      await expectRefusal(
        expectUntouched(sb, () => verb(verbOptions(sb as Sandbox))),
        ErrorCodes.CLOCK,
        /stamped later.*Set the clock right/,
      );
    }
    // The same second is not "backwards": the name gets a counter.
    await seed(sb.fs, { [join(sb.b, `projects.bak.${Math.floor(NOW / 1000)}`, 'x.md')]: 'same second' });
    const plan = await backup(verbOptions(sb, { accounts: [sb.b] }));
    expect(plan.operations).toContainEqual(
      expect.objectContaining({ type: 'rename', to: join(sb.b, `projects.bak.${Math.floor(NOW / 1000)}.1`) }),
    );
  });

  it('H40 a share whose plan was made on a clock ahead of now still applies, and then the clock check protects the next backup', async () => {
    sb = await standardSandbox('disk', (s) => ({ [session(join(s.home, '.claude-3'), IDS.e)]: '{"type":"user"}\n' }));
    const ahead = NOW + 7 * 86_400_000;
    const plan = await share(verbOptions(sb, { now: ahead }));
    expect(plan.createdAt).toBe(new Date(ahead).toISOString());
    await applyPlan(plan, applyOptions(sb));
    expect(Object.keys(dumpDisk(sb.a, { dirMtimes: false }))).toContain(`projects.bak.${Math.floor(ahead / 1000)}`);
    // The clock comes back to now: the two accounts have nothing to back up any more, a
    // third one does, and its backup would be fine; but an account backed up in the
    // "future" refuses a new backup until the clock has passed it.
    await seed(sb.fs, { [session(sb.a, IDS.e, '-late')]: '{"type":"user"}\n' });
    await sb.fs.rename(join(sb.a, 'projects'), join(sb.a, 'projects.link'));
    await sb.fs.mkdir(join(sb.a, 'projects'), { mode: 0o700 });
    await expectRefusal(
      expectUntouched(sb, () => backup(verbOptions(sb as Sandbox, { accounts: [sb!.a] }))),
      ErrorCodes.CLOCK,
      /Set the clock right/,
    );
  });
});
