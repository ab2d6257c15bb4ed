import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan, recover, stateDirOf, undoOutcomeOf } from '../../src/apply/index.js';
import { ErrorCodes, isSharedSessionsError, type SharedSessionsError } from '../../src/errors.js';
import type { FileSystem } from '../../src/fs/types.js';
import type { Plan } from '../../src/plan/types.js';
import { describeCall, faultyFs } from '../support/faulty-fs.js';
import { createHarness, type Harness, KINDS } from '../support/harness.js';
import { contents, dumpTree, lostFiles } from '../support/tree.js';
import {
  buildWorld,
  fileExpect,
  planOf,
  STAMP,
  sharePlan,
  unsharePlan,
  type World,
  writeLateSession,
} from './support/world.js';

async function thrown(promise: Promise<unknown>): Promise<SharedSessionsError> {
  try {
    await promise;
  } catch (error) {
    if (isSharedSessionsError(error)) return error;
    throw error;
  }
  throw new Error('expected a SharedSessionsError, but it resolved');
}

describe.each(KINDS)('applyPlan on %s', (kind) => {
  let env: Harness;
  let fs: FileSystem;
  let world: World;
  beforeEach(async () => {
    env = await createHarness(kind);
    fs = env.fs;
    world = await buildWorld(fs, env.root);
  });
  afterEach(() => env.cleanup());

  it('applies a plan of every operation type, keeping bytes, modes and mtimes, and leaves no state behind', async () => {
    const before = contents(await dumpTree(fs, env.root, { contents: true, absolute: true }));
    const plan = await sharePlan(fs, world);
    const progress: number[] = [];
    const report = await applyPlan(plan, { fs, onProgress: (p) => progress.push(p.opsDone) });

    expect(report.operationsDone).toBe(plan.operations.length);
    // The plan forks one diverged copy and keeps none aside: a fork is not a conflict kept.
    expect(report.conflictsKept).toBe(0);
    expect(report.forks).toBe(1);
    expect(report.bytesCopied + report.bytesCloned).toBeGreaterThan(0);
    expect(report.warnings).toEqual([]);
    expect(progress.at(-1)).toBe(plan.operations.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const [one, two] = world.accounts;
    const { a, b, fork } = world.ids;
    // Copies: same bytes, mode and mtime as their source (now in the backup).
    for (const [from, to] of [
      [join(one, `projects.bak.${STAMP}`, '-p1', `${b}.jsonl`), join(world.sharedDir, '-p1', `${b}.jsonl`)],
      [join(two, `projects.bak.${STAMP}`, '-p1', `${a}.jsonl`), join(world.sharedDir, '-p1', `${a}.jsonl`)],
    ] as const) {
      const [sf, st] = await Promise.all([fs.lstat(from), fs.lstat(to)]);
      expect(Buffer.from(await fs.readFile(to)).equals(Buffer.from(await fs.readFile(from)))).toBe(true);
      expect([st.mode, st.mtimeMs]).toEqual([sf.mode, sf.mtimeMs]);
    }
    // The fork: the other account's copy under a new id, nothing else changed.
    const forked = new TextDecoder().decode(await fs.readFile(join(world.sharedDir, '-p1', `${fork}.jsonl`)));
    const original = new TextDecoder().decode(
      await fs.readFile(join(one, `projects.bak.${STAMP}`, '-p1', `${a}.jsonl`)),
    );
    expect(forked).toBe(original.replaceAll(`"sessionId":"${a}"`, `"sessionId":"${fork}"`));
    expect(forked).not.toContain(`"sessionId":"${a}"`);
    // Links, settings and the settings backup.
    expect(await fs.readlink(join(one, 'projects'))).toBe(world.sharedDir);
    expect(await fs.readlink(join(two, 'projects'))).toBe(world.sharedDir);
    expect(new TextDecoder().decode(await fs.readFile(join(one, 'settings.json')))).toContain('3650');
    expect(new TextDecoder().decode(await fs.readFile(join(one, `settings.json.bak.${STAMP}`)))).toContain('14');
    expect((await fs.lstat(join(two, 'settings.json'))).mode).toBe(0o600);
    expect((await fs.lstat(world.sharedDir)).mode).toBe(0o700);
    // No journal, lock or temporary file left; nothing lost.
    const tree = await dumpTree(fs, env.root, { dirMtimes: true });
    expect(Object.keys(tree).filter((k) => /css-tmp|claude-shared-sessions/.test(k))).toEqual([]);
    expect(lostFiles(before, await dumpTree(fs, env.root, { contents: true }))).toEqual([]);
    expect((await recover({ fs, sharedDir: world.sharedDir })).status).toBe('clean');
  });

  it('applies a plan that unlinks, restores a backup and carries a session back', async () => {
    await applyPlan(await sharePlan(fs, world), { fs });
    await writeLateSession(fs, world);
    const plan = await unsharePlan(fs, world);
    const report = await applyPlan(plan, { fs });
    expect(report.operationsDone).toBe(3);
    const [one] = world.accounts;
    expect((await fs.lstat(join(one, 'projects'))).type).toBe('directory');
    expect((await fs.lstat(join(one, 'projects', '-p2', `${world.ids.late}.jsonl`))).type).toBe('file');
  });

  it('changes nothing for an empty plan', async () => {
    const before = await dumpTree(fs, env.root, { dirMtimes: true });
    const report = await applyPlan(planOf(world, []), { fs });
    expect(report.operationsDone).toBe(0);
    expect(await dumpTree(fs, env.root, { dirMtimes: true })).toEqual(before);
  });

  it('refuses a stale plan before any write, listing every difference', async () => {
    const plan = await sharePlan(fs, world);
    const [one, two] = world.accounts;
    const grown = join(one, 'projects', '-p1', `${world.ids.b}.jsonl`);
    await fs.writeFile(grown, Buffer.concat([Buffer.from(await fs.readFile(grown)), Buffer.from('{"more":1}\n')]));
    await fs.writeFile(join(two, 'settings.json'), '{}');
    const before = await dumpTree(fs, env.root, { dirMtimes: true });
    const error = await thrown(applyPlan(plan, { fs }));
    expect(error.code).toBe(ErrorCodes.STALE_PLAN);
    const details = error.details as { path: string; operationId: string }[];
    expect(details.map((d) => d.path).sort()).toEqual([grown, join(two, 'settings.json')].sort());
    expect(error.message).toMatch(/Make the plan again/);
    expect(await dumpTree(fs, env.root, { dirMtimes: true })).toEqual(before);
  });

  it('refuses a plan whose hashed source changed but kept its size and mtime', async () => {
    const plan = await sharePlan(fs, world);
    const op = plan.operations.find((o) => o.type === 'copyFile' && o.expectFrom.hash !== undefined);
    if (op?.type !== 'copyFile') throw new Error('the plan has a hashed copy');
    const bytes = Buffer.from(await fs.readFile(op.from));
    bytes[10] = bytes[10] === 65 ? 66 : 65;
    await fs.writeFile(op.from, bytes);
    await fs.utimes(op.from, op.expectFrom.mtimeMs, op.expectFrom.mtimeMs);
    const error = await thrown(applyPlan(plan, { fs }));
    expect(error.code).toBe(ErrorCodes.STALE_PLAN);
    expect(error.message).toMatch(/sha256/);
  });

  it('judges paths the plan itself creates, moves or removes by the plan, not by the disk', async () => {
    // projects -> backup, then a link where projects was, then a copy through the
    // backup's new name: none of these states exist on the disk before the apply.
    const [one] = world.accounts;
    const from = join(one, 'projects', '-p2', `${world.ids.c}.jsonl`);
    const plan = planOf(world, [
      { type: 'mkdir', reason: 'parent', path: world.sharedParent, mode: 0o700, expect: { type: 'absent' } },
      { type: 'mkdir', reason: 'parent', path: world.sharedDir, mode: 0o700, expect: { type: 'absent' } },
      {
        type: 'rename',
        reason: 'backup',
        from: join(one, 'projects'),
        to: join(one, 'projects.bak.1'),
        expectFrom: { type: 'directory' },
        expectTo: { type: 'absent' },
      },
      {
        type: 'copyFile',
        reason: 'new',
        from: join(one, 'projects.bak.1', '-p2', `${world.ids.c}.jsonl`),
        to: join(world.sharedDir, `${world.ids.c}.jsonl`),
        expectFrom: await fileExpect(fs, from),
        expectTo: { type: 'absent' },
      },
      {
        type: 'symlink',
        reason: 'link',
        path: join(one, 'projects'),
        target: world.sharedDir,
        linkType: 'dir',
        expect: { type: 'absent' },
      },
    ]);
    await applyPlan(plan, { fs });
    expect((await fs.lstat(join(world.sharedDir, `${world.ids.c}.jsonl`))).size).toBe(
      (await fileExpect(fs, join(one, 'projects.bak.1', '-p2', `${world.ids.c}.jsonl`))).size,
    );
  });

  it('refuses a plan that contradicts itself', async () => {
    const plan = planOf(world, [
      { type: 'mkdir', reason: 'parent', path: world.sharedParent, mode: 0o700, expect: { type: 'absent' } },
      {
        type: 'mkdir',
        reason: 'parent',
        path: join(world.sharedParent, 'x', 'y'),
        mode: 0o700,
        expect: { type: 'absent' },
      },
    ]);
    const error = await thrown(applyPlan(plan, { fs }));
    expect(error.code).toBe(ErrorCodes.INVALID_PLAN);
    expect(error.message).toMatch(/contradicts itself/);
    // The same folder missing on the disk (not made by the plan) is a stale plan.
    const [, , three] = world.accounts;
    const stale = planOf(world, [
      {
        type: 'mkdir',
        reason: 'new',
        path: join(three, 'projects', 'x', 'y'),
        mode: 0o700,
        expect: { type: 'absent' },
      },
    ]);
    const error2 = await thrown(applyPlan(stale, { fs }));
    expect(error2.code).toBe(ErrorCodes.STALE_PLAN);
    expect(error2.message).toMatch(/a folder is needed there/);
  });

  it('refuses an invalid plan and one outside its roots', async () => {
    const outside = planOf(world, [
      { type: 'mkdir', reason: 'parent', path: join(env.root, 'elsewhere'), mode: 0o700, expect: { type: 'absent' } },
    ]);
    expect((await thrown(applyPlan(outside, { fs }))).code).toBe(ErrorCodes.OUTSIDE_ROOTS);
    const versioned = { ...planOf(world, []), version: 2 } as unknown as Plan;
    expect((await thrown(applyPlan(versioned, { fs }))).code).toBe(ErrorCodes.PLAN_VERSION);
    const [one] = world.accounts;
    const unbacked = planOf(world, [
      {
        type: 'writeFile',
        reason: 'cleanup-period',
        path: join(one, 'settings.json'),
        content: '{}',
        mode: 0o600,
        expect: await fileExpect(fs, join(one, 'settings.json')),
      },
    ]);
    const error = await thrown(applyPlan(unbacked, { fs }));
    expect(error.code).toBe(ErrorCodes.INVALID_PLAN);
    expect(error.message).toMatch(/backupTo/);
  });

  it('refuses to follow a link out of the roots', async () => {
    const [, , three] = world.accounts;
    await fs.mkdir(join(env.root, 'outside'), { recursive: true });
    await fs.rmdir(join(three, 'projects'));
    await fs.symlink(join(env.root, 'outside'), join(three, 'projects'));
    const plan = planOf(world, [
      { type: 'mkdir', reason: 'new', path: join(three, 'projects', '-p9'), mode: 0o700, expect: { type: 'absent' } },
    ]);
    const error = await thrown(applyPlan(plan, { fs }));
    expect(error.code).toBe(ErrorCodes.OUTSIDE_ROOTS);
    expect(await fs.readdir(join(env.root, 'outside'))).toEqual([]);
  });

  it('refuses while Claude Code runs with an account, unless forced', async () => {
    const [, two] = world.accounts;
    await fs.mkdir(join(two, 'sessions'), { recursive: true });
    await fs.writeFile(join(two, 'sessions', '4242.json'), 'not read');
    const plan = await sharePlan(fs, world);
    const before = await dumpTree(fs, env.root, { dirMtimes: true });
    const isProcessAlive = (pid: number) => pid === 4242;
    const error = await thrown(applyPlan(plan, { fs, isProcessAlive }));
    expect(error.code).toBe(ErrorCodes.CLAUDE_RUNNING);
    expect(error.details).toEqual([{ account: two, pids: [4242] }]);
    expect(await dumpTree(fs, env.root, { dirMtimes: true })).toEqual(before);
    // A dead pid does not count; force goes ahead.
    await applyPlan(plan, { fs, isProcessAlive, force: { claudeRunning: true } });
  });

  it('refuses while another apply holds the lock, and takes over the lock of a dead one', async () => {
    const lockDir = join(stateDirOf(world.sharedDir), 'lock');
    await fs.mkdir(lockDir, { recursive: true });
    // The shared folder's parent exists now (it holds the lock): the plan does not make it.
    const plan = await sharePlan(fs, world);
    await fs.writeFile(
      join(lockDir, 'owner.json'),
      JSON.stringify({
        pid: 999_999,
        host: (await import('node:os')).hostname(),
        token: 't',
        acquiredAt: '',
        purpose: 'apply x',
      }),
    );
    const alive = await thrown(applyPlan(plan, { fs, isProcessAlive: () => true }));
    expect(alive.code).toBe(ErrorCodes.LOCKED);
    expect(alive.message).toMatch(/pid 999999/);
    const report = await applyPlan(plan, { fs, isProcessAlive: (pid) => pid !== 999_999 });
    expect(report.operationsDone).toBe(plan.operations.length);
    expect((await dumpTree(fs, world.sharedParent, { dirMtimes: true }))['.claude-shared-sessions']).toBeUndefined();
  });

  it('refuses while an interrupted apply left its journal, until recover', async () => {
    const plan = await sharePlan(fs, world);
    const pristine = await dumpTree(fs, env.root, { dirMtimes: true });
    // Kill the apply at its 12th mutating call, the way a crash would: nothing after it runs.
    const dead = faultyFs(fs, { failAt: 12, mode: 'from' });
    await expect(applyPlan(plan, { fs: dead })).rejects.toThrow();
    const error = await thrown(applyPlan(plan, { fs }));
    expect(error.code).toBe(ErrorCodes.DIRTY_JOURNAL);
    expect(error.message).toMatch(/recover/);
    const report = await recover({ fs, sharedDir: world.sharedDir });
    expect(report.status).toBe('rolled-back');
    expect(await dumpTree(fs, env.root, { dirMtimes: true })).toEqual(pristine);
    await applyPlan(plan, { fs });
  });

  it('undoes everything and re-throws the original error when an operation fails', async () => {
    const plan = await sharePlan(fs, world);
    const before = await dumpTree(fs, env.root, { dirMtimes: true });
    const failing = faultyFs(fs, {
      code: 'ENOSPC',
      failAt: Number.POSITIVE_INFINITY,
      before: (_i, c) => {
        if (c.call === 'symlink' && c.path.startsWith(world.accounts[1])) {
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
      },
    });
    const error = await thrown(applyPlan(plan, { fs: failing }));
    expect(error.code).toBe(ErrorCodes.NO_SPACE);
    expect((error.cause as { code?: string }).code).toBe('ENOSPC');
    const undo = undoOutcomeOf(error);
    expect(undo).toMatchObject({ complete: true, kept: [], errors: [] });
    expect(undo?.undone).toBe(plan.operations.length);
    expect(await dumpTree(fs, env.root, { dirMtimes: true })).toEqual(before);
  });

  it('never removes a copy someone wrote to: undo keeps it and says so', async () => {
    const plan = await sharePlan(fs, world);
    const target = join(world.sharedDir, '-p1', `${world.ids.d}.jsonl`);
    const failing = faultyFs(fs, {
      failAt: Number.POSITIVE_INFINITY,
      before: async (_i, c) => {
        if (c.call === 'symlink') {
          // Someone appends to a shared copy, then the apply fails.
          const h = await fs.open(target, 'a');
          await h.write('{"type":"user","late":true}\n');
          await h.close();
          throw Object.assign(new Error('EIO: boom'), { code: 'EIO' });
        }
      },
    });
    const error = await thrown(applyPlan(plan, { fs: failing }));
    const undo = undoOutcomeOf(error);
    // The copy stays, and so do the folders holding it; nothing else is kept.
    expect(undo?.kept.map((k) => k.path)).toEqual([target, dirname(target), world.sharedDir]);
    expect(undo?.complete).toBe(true);
    expect(new TextDecoder().decode(await fs.readFile(target))).toContain('"late":true');
    // Everything else is back: account two's folder is a folder again with its sessions.
    expect((await fs.lstat(join(world.accounts[1], 'projects'))).type).toBe('directory');
  });

  it('stops and undoes when aborted', async () => {
    const plan = await sharePlan(fs, world);
    const before = await dumpTree(fs, env.root, { dirMtimes: true });
    const controller = new AbortController();
    const error = await thrown(
      applyPlan(plan, {
        fs,
        concurrency: 1,
        onProgress: (p) => {
          if (p.opsDone === 5) controller.abort();
        },
        signal: controller.signal,
      }),
    );
    expect(error.code).toBe(ErrorCodes.ABORTED);
    expect(undoOutcomeOf(error)?.complete).toBe(true);
    expect(await dumpTree(fs, env.root, { dirMtimes: true })).toEqual(before);
    const early = await thrown(applyPlan(plan, { fs, signal: AbortSignal.abort() }));
    expect(early.code).toBe(ErrorCodes.ABORTED);
  });

  it('does not clobber a file that appears at a destination during the apply', async () => {
    const plan = await sharePlan(fs, world);
    const intruder = join(world.sharedDir, '-p2', `${world.ids.c}.jsonl`);
    const failing = faultyFs(fs, {
      before: async (_i, c) => {
        if (c.call === 'copyFile' && c.dest?.includes(`${world.ids.c}.jsonl`)) {
          await fs.writeFile(intruder, 'written by someone else\n');
        }
      },
    });
    const error = await thrown(applyPlan(plan, { fs: failing }));
    expect(error.message).toMatch(/EEXIST|appeared/);
    expect(new TextDecoder().decode(await fs.readFile(intruder))).toBe('written by someone else\n');
    expect(undoOutcomeOf(error)?.kept.map((k) => k.path)).toContain(join(world.sharedDir, '-p2'));
  });

  it('carries bytes appended to a source between its copy and the backup', async () => {
    const plan = await sharePlan(fs, world);
    const [one] = world.accounts;
    const source = join(one, 'projects', '-p1', `${world.ids.b}.jsonl`);
    const line = '{"type":"user","appended":"during the apply"}\n';
    let appended = false;
    const appending = faultyFs(fs, {
      before: async (_i, c) => {
        if (c.call === 'rename' && describeCall(c).includes('projects.bak') && !appended) {
          appended = true;
          const h = await fs.open(source, 'a');
          await h.write(line);
          await h.close();
        }
      },
    });
    const original = Buffer.from(await fs.readFile(source));
    const report = await applyPlan(plan, { fs: appending, concurrency: 1 });
    expect(report.bytesResynced).toBe(Buffer.byteLength(line));
    const shared = Buffer.from(await fs.readFile(join(world.sharedDir, '-p1', `${world.ids.b}.jsonl`)));
    expect(shared.equals(Buffer.concat([original, Buffer.from(line)]))).toBe(true);
    const backup = join(one, `projects.bak.${STAMP}`, '-p1', `${world.ids.b}.jsonl`);
    expect((await fs.lstat(join(world.sharedDir, '-p1', `${world.ids.b}.jsonl`))).mtimeMs).toBe(
      (await fs.lstat(backup)).mtimeMs,
    );
  });

  it('stops and undoes when a source is rewritten (not appended to) during the apply', async () => {
    const plan = await sharePlan(fs, world);
    const [one] = world.accounts;
    const source = join(one, 'projects', '-p1', `${world.ids.b}.jsonl`);
    let done = false;
    const rewriting = faultyFs(fs, {
      before: async (_i, c) => {
        if (c.call === 'rename' && describeCall(c).includes('projects.bak') && !done) {
          done = true;
          const bytes = Buffer.from(await fs.readFile(source));
          await fs.writeFile(source, Buffer.concat([Buffer.from('X'), bytes]));
        }
      },
    });
    const originals = contents(await dumpTree(fs, env.root, { contents: true, absolute: true }));
    const error = await thrown(applyPlan(plan, { fs: rewriting, concurrency: 1 }));
    expect(error.code).toBe(ErrorCodes.VERIFY_FAILED);
    expect(undoOutcomeOf(error)?.complete).toBe(true);
    expect((await fs.lstat(join(one, 'projects'))).type).toBe('directory');
    originals.delete(source);
    expect(lostFiles(originals, await dumpTree(fs, env.root, { contents: true }))).toEqual([]);
  });
});
