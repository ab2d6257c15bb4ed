import { describe, expect, it } from 'vitest';
import type { FileSystem } from '../../src/fs/types.js';
import { inspect } from '../../src/inspect/inspect.js';
import { deriveForkSessionId } from '../../src/plan/fingerprint.js';
import { planRollback } from '../../src/plan/rollback.js';
import { planShare } from '../../src/plan/share.js';
import { validatePlan } from '../../src/plan/validate.js';
import { dumpTree } from '../support/tree.js';
import {
  A,
  applyForTest,
  B,
  CTX,
  inspectOptions,
  NOW,
  rec,
  SHARED,
  SID,
  SID2,
  sha,
  snapshotOf,
  T0,
  withoutIds,
} from './support.js';

const STAMP = String(Math.floor(NOW / 1000));
const LATER = NOW + 3_600_000;
const S3 = '33333333-3333-4333-8333-333333333333';
const S4 = '44444444-4444-4444-8444-444444444444';
const base = rec(1, T0) + rec(2, T0 + 1000);
const grown = `${base}${rec(3, LATER)}`;

/** Two accounts with their own projects, shared (applied with the test applier). */
async function sharedDisk() {
  const { fs } = await snapshotOf({
    [`${A}/projects/-a/${SID}.jsonl`]: base,
    [`${A}/projects/-a/memory/MEMORY.md`]: '- a\n',
    [`${B}/projects/-b/${SID2}.jsonl`]: base,
    [`${B}/settings.json`]: '{"cleanupPeriodDays": 30}',
  });
  const before = { a: await dumpTree(fs, `${A}/projects`), b: await dumpTree(fs, `${B}/projects`) };
  await applyForTest(fs, planShare(await inspect(inspectOptions(fs, { accounts: [A, B] })), CTX));
  return { fs, before };
}

async function write(fs: FileSystem, path: string, text: string, mtimeMs: number) {
  await fs.writeFile(path, text, { mode: 0o600 });
  await fs.utimes(path, mtimeMs, mtimeMs);
}

const rollbackSnapshot = (fs: FileSystem, backups: boolean | string = true) =>
  inspect(inspectOptions(fs, { accounts: [A, B], backups, records: true }));

/** history.jsonl lines as Claude Code's TUI writes them, one per prompt. */
const history = (...prompts: [string, number][]) =>
  prompts
    .map(([sessionId, timestamp]) =>
      JSON.stringify({ display: 'a prompt', pastedContents: {}, timestamp, project: '/p', sessionId }),
    )
    .join('\n')
    .concat('\n');

describe('planRollback', () => {
  it('removes each link and puts the newest backup back', async () => {
    const { fs } = await sharedDisk();
    const plan = planRollback(await rollbackSnapshot(fs), CTX);
    expect(withoutIds(plan.operations)).toEqual([
      {
        type: 'unlinkSymlink',
        reason: 'unlink',
        path: `${A}/projects`,
        expect: { type: 'symlink', target: SHARED },
        account: A,
      },
      {
        type: 'rename',
        reason: 'restore',
        from: `${A}/projects.bak.${STAMP}`,
        to: `${A}/projects`,
        expectFrom: { type: 'directory' },
        expectTo: { type: 'absent' },
        account: A,
      },
      {
        type: 'unlinkSymlink',
        reason: 'unlink',
        path: `${B}/projects`,
        expect: { type: 'symlink', target: SHARED },
        account: B,
      },
      {
        type: 'rename',
        reason: 'restore',
        from: `${B}/projects.bak.${STAMP}`,
        to: `${B}/projects`,
        expectFrom: { type: 'directory' },
        expectTo: { type: 'absent' },
        account: B,
      },
      // Last, each account's own cleanupPeriodDays as before sharing: A had no
      // settings.json (share created it, and it goes, kept as a backup), B had 30.
      {
        type: 'rename',
        reason: 'cleanup-period',
        from: `${A}/settings.json`,
        to: `${A}/settings.json.bak.${STAMP}`,
        expectFrom: expect.objectContaining({ type: 'file' }),
        expectTo: { type: 'absent' },
        account: A,
        cleanupPeriodDays: { from: 3650, fromSet: true, to: 30, toSet: false, restore: true },
      },
      {
        type: 'writeFile',
        reason: 'cleanup-period',
        path: `${B}/settings.json`,
        content: '{"cleanupPeriodDays": 30}',
        mode: 0o600,
        expect: expect.objectContaining({ type: 'file' }),
        backupTo: `${B}/settings.json.bak.${STAMP}.1`,
        account: B,
        cleanupPeriodDays: { from: 3650, fromSet: true, to: 30, toSet: true, restore: true },
      },
    ]);
    expect(validatePlan(plan)).toEqual([]);
  });

  it('round trip: share then rollback restores every folder byte for byte and mtime for mtime', async () => {
    const { fs, before } = await sharedDisk();
    await applyForTest(fs, planRollback(await rollbackSnapshot(fs), CTX));
    expect(await dumpTree(fs, `${A}/projects`)).toEqual(before.a);
    expect(await dumpTree(fs, `${B}/projects`)).toEqual(before.b);
    // The shared folder is never deleted; planning again has nothing to do.
    expect((await fs.lstat(SHARED)).type).toBe('directory');
    expect(planRollback(await rollbackSnapshot(fs), CTX).operations).toEqual([]);
  });

  it("carry 'own' brings back grown sessions, and new ones the account's history names, in any project", async () => {
    const { fs } = await sharedDisk();
    await write(fs, `${SHARED}/-a/${SID}.jsonl`, grown, LATER); // A's session, extended while shared
    await write(fs, `${SHARED}/-a/${S3}.jsonl`, base, LATER); // new, in a project A had, by A
    await fs.mkdir(`${SHARED}/-c`, { mode: 0o700 });
    await write(fs, `${SHARED}/-c/${S4}.jsonl`, base, LATER); // new, in a project A never had, by A
    await fs.mkdir(`${SHARED}/-c/${S4}/subagents`, { recursive: true, mode: 0o700 });
    await write(fs, `${SHARED}/-c/${S4}/subagents/agent-x.jsonl`, base, LATER);
    await write(fs, `${A}/history.jsonl`, history([S3, LATER], [S4, LATER]), LATER);
    const plan = planRollback(await rollbackSnapshot(fs), { ...CTX, carry: 'own' });
    const forA = plan.operations.filter(
      (o) => o.account === A && o.reason !== 'unlink' && o.reason !== 'restore' && o.reason !== 'cleanup-period',
    );
    expect(forA.filter((o) => o.type !== 'mkdir').map((o) => [o.type, o.reason, 'to' in o ? o.to : ''])).toEqual([
      ['rename', 'superseded', expect.stringContaining(`/conflicts/projects/-a/${SID}.`)],
      ['copyFile', 'carry', `${A}/projects/-a/${SID}.jsonl`],
      ['copyFile', 'carry', `${A}/projects/-a/${S3}.jsonl`],
      ['copyFile', 'carry', `${A}/projects/-c/${S4}.jsonl`],
      ['copyFile', 'carry', `${A}/projects/-c/${S4}/subagents/agent-x.jsonl`],
    ]);
    // B's history names none of them: nothing is B's to carry, and nothing is left unreached.
    expect(plan.operations.filter((o) => o.account === B && o.reason === 'carry')).toEqual([]);
    expect(plan.warnings.map((w) => w.code)).not.toContain('unreached-sessions');
    expect(validatePlan(plan)).toEqual([]);
    await applyForTest(fs, plan);
    expect(new TextDecoder().decode(await fs.readFile(`${A}/projects/-a/${SID}.jsonl`))).toBe(grown);
    expect(new TextDecoder().decode(await fs.readFile(`${A}/projects/-c/${S4}.jsonl`))).toBe(base);
    await expect(fs.lstat(`${B}/projects/-c`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("carry 'all' brings back every file the backup lacks, like rsync --update", async () => {
    const { fs } = await sharedDisk();
    await fs.mkdir(`${SHARED}/-c`, { mode: 0o700 });
    await write(fs, `${SHARED}/-c/${S4}.jsonl`, base, LATER);
    const plan = planRollback(await rollbackSnapshot(fs), { ...CTX, carry: 'all' });
    const carried = (account: string) =>
      plan.operations
        .filter((o) => o.account === account && o.type === 'copyFile')
        .map((o) => (o.type === 'copyFile' ? o.to : ''));
    expect(carried(A)).toEqual([`${A}/projects/-b/${SID2}.jsonl`, `${A}/projects/-c/${S4}.jsonl`]);
    expect(carried(B)).toEqual([
      `${B}/projects/-a/${SID}.jsonl`,
      `${B}/projects/-a/memory/MEMORY.md`,
      `${B}/projects/-c/${S4}.jsonl`,
    ]);
    await applyForTest(fs, plan);
  });

  it('restores a chosen backup, and refuses one that does not exist', async () => {
    const { fs } = await sharedDisk();
    await fs.mkdir(`${A}/projects.bak.1000`, { mode: 0o700 });
    const snapshot = await rollbackSnapshot(fs, 'all');
    const plan = planRollback(snapshot, { ...CTX, backup: { [A]: '1000' } });
    expect(plan.operations.find((o) => o.reason === 'restore' && o.account === A)).toMatchObject({
      from: `${A}/projects.bak.1000`,
    });
    expect(() => planRollback(snapshot, { ...CTX, backup: '999' })).toThrow(
      expect.objectContaining({ code: 'EINVALID_OPTION', message: expect.stringContaining('projects.bak.1000') }),
    );
  });

  it('puts an empty folder in place of the link when there is no backup, and warns', async () => {
    const { snapshot } = await snapshotOf({ [`${SHARED}/-p/x.jsonl`]: 'x', [`${A}/projects`]: { link: SHARED } });
    const plan = planRollback(snapshot, CTX);
    expect(plan.operations.map((o) => [o.type, o.reason])).toEqual([
      ['unlinkSymlink', 'unlink'],
      ['mkdir', 'restore'],
    ]);
    expect(plan.warnings.map((w) => w.code)).toEqual(['no-backup']);
  });

  it('leaves alone accounts that are not linked to the shared folder', async () => {
    const { snapshot } = await snapshotOf({
      '/data/x/y': 'y',
      [`${A}/projects`]: { link: '/data/x' },
      [`${B}/projects/-p/${SID}.jsonl`]: base,
    });
    expect(planRollback(snapshot, { ...CTX, carry: 'all' }).operations).toEqual([]);
  });

  it('asks for the backup trees when carrying without them', async () => {
    const { fs } = await sharedDisk();
    const snapshot = await rollbackSnapshot(fs, false);
    expect(() => planRollback(snapshot, { ...CTX, carry: 'own' })).toThrow(
      expect.objectContaining({ code: 'EINVALID_OPTION' }),
    );
    expect(planRollback(snapshot, CTX).operations).toHaveLength(4);
  });
});

describe('planRollback: carrying never overwrites a copy that is not a prefix', () => {
  it('keeps the backup copy and warns when the shared copy diverged from it', async () => {
    const { fs } = await sharedDisk();
    await write(fs, `${SHARED}/-a/${SID}.jsonl`, `${rec(1, T0)}${rec(9, LATER)}`, LATER);
    await write(fs, `${SHARED}/-a/memory/MEMORY.md`, '- a, edited while shared\n', LATER);
    const plan = planRollback(await rollbackSnapshot(fs), { ...CTX, carry: 'all' });
    const fork = `${A}/projects/-a/${deriveForkSessionId(SID, sha(`${rec(1, T0)}${rec(9, LATER)}`))}.jsonl`;
    expect(
      plan.operations
        .filter((o) => o.account === A && o.reason === 'carry')
        .map((o) => (o.type === 'copyFile' || o.type === 'forkSession' ? [o.type, o.to] : [])),
    ).toEqual([
      ['forkSession', fork],
      ['copyFile', `${A}/projects/-b/${SID2}.jsonl`],
    ]);
    // The transcript changed while shared comes back beside the backup's copy, as a fork;
    // a note that is not a session is never overwritten.
    expect(plan.warnings.filter((w) => w.path?.startsWith(A)).map((w) => [w.code, w.path])).toEqual([
      ['carried-as-fork', fork],
      ['carry-differs', `${A}/projects/-a/memory/MEMORY.md`],
    ]);
  });
});

describe('planRollback: no session is left reachable from no account without a word', () => {
  it('by default carries what each account prompted in and lists, with a count, every session no account will reach', async () => {
    const { fs } = await sharedDisk();
    await fs.mkdir(`${SHARED}/-c`, { mode: 0o700 });
    await write(fs, `${SHARED}/-c/${S3}.jsonl`, base, LATER); // B's, in a project B never had (TUI: in its history)
    await write(fs, `${SHARED}/-c/${S4}.jsonl`, base, LATER); // made with claude -p: in no history
    await write(fs, `${B}/history.jsonl`, history([S3, LATER]), LATER);
    const plan = planRollback(await rollbackSnapshot(fs), CTX);
    expect(plan.operations.filter((o) => o.reason === 'carry').map((o) => [o.account, 'to' in o ? o.to : ''])).toEqual([
      [B, `${B}/projects/-c/${S3}.jsonl`],
    ]);
    const unreached = plan.warnings.filter((w) => w.code === 'unreached-sessions');
    expect(unreached).toHaveLength(1);
    expect(unreached[0]?.message).toMatch(/^1 session of the shared folder will be reachable from no account/);
    expect(unreached[0]?.message).toContain(`${SHARED}/-c/${S4}.jsonl`);
    expect(unreached[0]?.message).not.toContain(S3);

    // carry 'none' says so too, for each session made while shared.
    const none = planRollback(await rollbackSnapshot(fs), { ...CTX, carry: 'none' });
    const listed = none.warnings.find((w) => w.code === 'unreached-sessions')?.message ?? '';
    expect(listed).toMatch(/^2 sessions /);
    expect(listed).toContain(S3);
    expect(listed).toContain(S4);
  });

  it('attributes by history, not by the backup stamp: a session written in the same second as the backup is carried', async () => {
    const { fs } = await sharedDisk();
    const sameSecond = Math.floor(NOW / 1000) * 1000 + 999;
    await write(fs, `${SHARED}/-a/${S3}.jsonl`, base, sameSecond);
    await write(fs, `${A}/history.jsonl`, history([S3, sameSecond]), sameSecond);
    const plan = planRollback(await rollbackSnapshot(fs), { ...CTX, carry: 'own' });
    expect(plan.operations.filter((o) => o.reason === 'carry').map((o) => ('to' in o ? o.to : ''))).toEqual([
      `${A}/projects/-a/${S3}.jsonl`,
    ]);
  });

  it('a prompt an account added while shared to a diverged session stays reachable from it after rollback', async () => {
    const divA = `${base}${rec(3, T0 + 5000, 'a')}`;
    const divB = `${base}${rec(3, T0 + 6000, 'b')}`;
    const { fs } = await snapshotOf({
      [`${A}/projects/-p/${SID}.jsonl`]: divA,
      [`${B}/projects/-p/${SID}.jsonl`]: divB,
    });
    await applyForTest(fs, planShare(await inspect(inspectOptions(fs, { accounts: [A, B] })), CTX));
    // Share kept B's (newest) version under SID and forked A's. Then A resumed SID (B's version) and added a prompt.
    const added = `${divB}${rec(4, LATER, 'added by A while shared')}`;
    await write(fs, `${SHARED}/-p/${SID}.jsonl`, added, LATER);
    await write(fs, `${A}/history.jsonl`, history([SID, T0 + 5000], [SID, LATER]), LATER);

    const plan = planRollback(await rollbackSnapshot(fs), CTX);
    expect(validatePlan(plan)).toEqual([]);
    expect(plan.warnings.map((w) => w.code)).not.toContain('unreached-sessions');
    await applyForTest(fs, plan);
    const inA = await dumpTree(fs, `${A}/projects`);
    const texts = await Promise.all(
      Object.keys(inA)
        .filter((p) => p.endsWith('.jsonl'))
        .map(async (p) => new TextDecoder().decode(await fs.readFile(`${A}/projects/${p}`))),
    );
    expect(texts.some((t) => t.includes('added by A while shared'))).toBe(true);
    // A's own version comes back untouched under its id.
    expect(new TextDecoder().decode(await fs.readFile(`${A}/projects/-p/${SID}.jsonl`))).toBe(divA);
    // B's version grew while shared: it comes back to B whole.
    expect(new TextDecoder().decode(await fs.readFile(`${B}/projects/-p/${SID}.jsonl`))).toBe(added);
  });

  it('after share and rollback with nothing new, reports nothing unreached (the fork of a diverged copy is in its backup)', async () => {
    const { fs } = await snapshotOf({
      [`${A}/projects/-p/${SID}.jsonl`]: `${base}${rec(3, T0 + 5000, 'a')}`,
      [`${B}/projects/-p/${SID}.jsonl`]: `${base}${rec(3, T0 + 6000, 'b')}`,
    });
    await applyForTest(fs, planShare(await inspect(inspectOptions(fs, { accounts: [A, B] })), CTX));
    const plan = planRollback(await rollbackSnapshot(fs), CTX);
    expect(plan.warnings).toEqual([]);
    // Then each account's cleanupPeriodDays as before sharing (neither had a settings.json).
    expect(plan.operations.map((o) => o.reason)).toEqual([
      'unlink',
      'restore',
      'unlink',
      'restore',
      'cleanup-period',
      'cleanup-period',
    ]);
  });
});
