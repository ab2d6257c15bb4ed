import { hostname } from 'node:os';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyPlan, recover, stateDirOf, undoOutcomeOf } from '../../src/apply/index.js';
import { JournalWriter, readJournal } from '../../src/apply/journal.js';
import { acquireLock } from '../../src/apply/lock.js';
import { ErrorCodes, isSharedSessionsError } from '../../src/errors.js';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import type { FileSystem } from '../../src/fs/types.js';
import { faultyFs } from '../support/faulty-fs.js';
import { diff, snapshot } from '../support/tree.js';
import { buildWorld, sharePlan, type World } from './support/world.js';

const dead = () => false;
const alive = () => true;

async function until(condition: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 5));
}

describe('the lock', () => {
  let fs: FileSystem;
  const dir = '/state/lock';
  beforeEach(async () => {
    fs = createMemFileSystem(new Volume());
    await fs.mkdir('/state', { recursive: true });
  });

  it('is a folder with its owner inside; a second taker is refused; release removes it all', async () => {
    const lock = await acquireLock(fs, dir, { staleMs: 10_000, isProcessAlive: alive, purpose: 'apply p1' });
    const owner = JSON.parse(new TextDecoder().decode(await fs.readFile(join(dir, 'owner.json'))));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname(), purpose: 'apply p1' });
    await expect(acquireLock(fs, dir, { staleMs: 10_000, isProcessAlive: alive, purpose: 'x' })).rejects.toMatchObject({
      code: ErrorCodes.LOCKED,
    });
    await lock.release();
    expect(await fs.readdir('/state')).toEqual([]);
  });

  it('takes over the lock of a dead owner at once, and an ownerless one once it is stale', async () => {
    await fs.mkdir(dir);
    await fs.writeFile(join(dir, 'owner.json'), JSON.stringify({ pid: 999_999, host: hostname(), token: 't' }));
    const taken = await acquireLock(fs, dir, { staleMs: 10_000, isProcessAlive: dead, purpose: 'recover' });
    expect(taken.previous?.pid).toBe(999_999);
    await taken.release();

    await fs.mkdir(dir);
    const refused = acquireLock(fs, dir, { staleMs: 10_000, isProcessAlive: dead, purpose: 'x' });
    await expect(refused).rejects.toMatchObject({ code: ErrorCodes.LOCKED });
    const old = Date.now() - 60_000;
    await fs.utimes(dir, old, old);
    const stale = await acquireLock(fs, dir, { staleMs: 10_000, isProcessAlive: dead, purpose: 'x' });
    await stale.release();
    expect(await fs.readdir('/state')).toEqual([]);
  });

  it('keeps its mtime fresh, and notices when someone else took it', async () => {
    const lock = await acquireLock(fs, dir, { staleMs: 60, isProcessAlive: alive, purpose: 'apply' });
    const first = (await fs.stat(dir)).mtimeMs;
    await until(async () => (await fs.stat(dir)).mtimeMs !== first);
    expect(lock.compromised).toBeUndefined();
    // Another process takes it over (its mtime is no longer ours).
    await fs.utimes(dir, 1_000, 1_000);
    await until(() => lock.compromised !== undefined);
    expect(() => lock.assertHeld()).toThrow(expect.objectContaining({ code: ErrorCodes.LOCK_COMPROMISED }));
    await lock.release();
  });
});

describe('a lost lock during an apply', () => {
  it('stops the apply and undoes it', async () => {
    const fs = createMemFileSystem(new Volume());
    await fs.mkdir('/w', { recursive: true });
    const world: World = await buildWorld(fs, '/w');
    const plan = await sharePlan(fs, world);
    const before = await snapshot(fs, '/w');
    const lockDir = join(stateDirOf(world.sharedDir), 'lock');
    let stolen = false;
    const slow = faultyFs(fs, {
      before: async (_i, c) => {
        if (c.call === 'copyFile' && !stolen) {
          stolen = true;
          await fs.utimes(lockDir, 1_000, 1_000);
        }
        await new Promise((r) => setTimeout(r, 2));
      },
    });
    let error: unknown;
    try {
      await applyPlan(plan, { fs: slow, lockStaleMs: 40, concurrency: 1 });
    } catch (e) {
      error = e;
    }
    expect(isSharedSessionsError(error, ErrorCodes.LOCK_COMPROMISED)).toBe(true);
    expect(undoOutcomeOf(error)?.undone).toBeGreaterThan(0);
    // The taker owns the lock folder now; everything else is as before.
    const left = diff(before, await snapshot(fs, '/w')).filter((l) => !l.includes('.claude-shared'));
    expect(left).toEqual([]);
  });
});

describe('the journal', () => {
  let fs: FileSystem;
  beforeEach(async () => {
    fs = createMemFileSystem(new Volume());
    await fs.mkdir('/j', { recursive: true });
  });
  const begin = {
    t: 'begin' as const,
    v: 1 as const,
    run: 'r',
    pid: 1,
    host: 'h',
    startedAt: '',
    stateDir: '/j',
    createdDirs: [],
    dirTimes: {},
    plan: {} as never,
  };

  it('shares one fsync among records made durable at once (group commit)', async () => {
    const counting = faultyFs(fs);
    const writer = await JournalWriter.create(counting, '/j/journal.jsonl', begin);
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.appendDurable({ t: 'intent', ops: [`op-${i}`] })));
    await writer.close();
    const syncs = counting.log.filter((l) => l.startsWith('sync')).length;
    expect(syncs).toBeLessThan(5);
    const read = await readJournal(fs, '/j/journal.jsonl');
    expect(read?.records.filter((r) => r.t === 'intent')).toHaveLength(20);
  });

  it('skips a torn last line, and a reopened journal ends it before adding records', async () => {
    const writer = await JournalWriter.create(fs, '/j/journal.jsonl', begin);
    await writer.appendDurable({ t: 'intent', ops: ['op-1'] });
    await writer.close();
    const h = await fs.open('/j/journal.jsonl', 'a');
    await h.write('{"t":"intent","ops":["op-2"');
    await h.close();
    const torn = await readJournal(fs, '/j/journal.jsonl');
    expect(torn?.torn).toBe(true);
    expect(torn?.records.map((r) => r.t)).toEqual(['begin', 'intent']);
    const again = await JournalWriter.reopen(fs, '/j/journal.jsonl', true);
    await again.appendDurable({ t: 'undone', op: 'op-1' });
    await again.close();
    const read = await readJournal(fs, '/j/journal.jsonl');
    expect(read?.records.map((r) => r.t)).toEqual(['begin', 'intent', 'undone']);
    expect(read?.torn).toBe(false);
    // The cut-short line is no longer the last: recover will not trust the records to be complete.
    expect(read?.damaged).toBe(1);
  });

  it('skips a line a failed write left and the writer repeated whole, without calling it damage', async () => {
    const line = JSON.stringify({ t: 'intent', ops: ['op-1'] });
    const text = `${JSON.stringify(begin)}\n${line.slice(0, 9)}\n${line}\n`;
    await fs.writeFile('/j/journal.jsonl', text);
    const read = await readJournal(fs, '/j/journal.jsonl');
    expect(read?.records.map((r) => r.t)).toEqual(['begin', 'intent']);
    expect(read?.damaged).toBe(0);
  });

  it('counts a bad line in the middle that no cut-short write explains', async () => {
    const text = `${JSON.stringify(begin)}\n{"t":"intent","ops":["op-1"]}\nGARBAGE\n{"t":"done","op":"op-1"}\n`;
    await fs.writeFile('/j/journal.jsonl', text);
    const read = await readJournal(fs, '/j/journal.jsonl');
    expect(read?.records.map((r) => r.t)).toEqual(['begin', 'intent', 'done']);
    expect(read?.damaged).toBe(1);
  });
});

/** Shares, with the disk dying at the last link: everything before it is done, the undo cannot run. */
async function crashAtTheLastLink(fs: FileSystem, world: World): Promise<void> {
  const plan = await sharePlan(fs, world);
  const symlinks = plan.operations.filter((o) => o.type === 'symlink').length;
  let links = 0;
  const dying = faultyFs(fs, {
    failAt: Number.POSITIVE_INFINITY,
    before: (_i, c) => {
      if (c.call === 'symlink' && ++links === symlinks) throw Object.assign(new Error('EIO'), { code: 'EIO' });
      if (links === symlinks) throw Object.assign(new Error('EIO'), { code: 'EIO' });
    },
  });
  const error = await applyPlan(plan, { fs: dying }).catch((e: unknown) => e);
  expect(undoOutcomeOf(error)?.complete).toBe(false);
}

describe('recover', () => {
  it('finishes an apply that committed but could not remove its journal', async () => {
    const fs = createMemFileSystem(new Volume());
    await fs.mkdir('/w', { recursive: true });
    const world = await buildWorld(fs, '/w');
    const plan = await sharePlan(fs, world);
    const journal = join(stateDirOf(world.sharedDir), 'journal.jsonl');
    const failing = faultyFs(fs, {
      before: (_i, c) => {
        if (c.call === 'unlink' && c.path === journal) throw Object.assign(new Error('EIO'), { code: 'EIO' });
      },
    });
    const report = await applyPlan(plan, { fs: failing });
    expect(report.warnings.join('\n')).toMatch(/journal/);
    const dirty = await applyPlan(plan, { fs }).catch((e: unknown) => e);
    expect(isSharedSessionsError(dirty, ErrorCodes.DIRTY_JOURNAL)).toBe(true);
    expect((await recover({ fs, sharedDir: world.sharedDir })).status).toBe('finished');
    expect(await fs.readlink(join(world.accounts[0], 'projects'))).toBe(world.sharedDir);
    expect((await fs.readdir(world.sharedParent)).map((e) => e.name)).toEqual(['projects']);
  });

  it('undoes every operation when the journal is damaged in the middle (an intent may be lost)', async () => {
    const fs = createMemFileSystem(new Volume());
    await fs.mkdir('/w', { recursive: true });
    const world = await buildWorld(fs, '/w');
    const before = await snapshot(fs, '/w');
    await crashAtTheLastLink(fs, world);
    // Every intent record is damaged: read as it was, recover would undo nothing.
    const journal = join(stateDirOf(world.sharedDir), 'journal.jsonl');
    const lines = new TextDecoder().decode(await fs.readFile(journal)).split('\n');
    const intents = lines.filter((l) => l.startsWith('{"t":"intent"'));
    expect(intents.length).toBeGreaterThan(0);
    const damaged = lines.map((l, i) => (l.startsWith('{"t":"intent"') ? `\u0000${i}` : l)).join('\n');
    await fs.writeFile(journal, damaged);
    expect((await readJournal(fs, journal))?.damaged).toBeGreaterThan(0);
    const report = await recover({ fs, sharedDir: world.sharedDir });
    expect(report.status).toBe('rolled-back');
    expect(report.undone).toBeGreaterThan(0);
    expect(diff(before, await snapshot(fs, '/w'))).toEqual([]);
  });

  it('refuses to guess when the first record of the journal is damaged, and leaves it in place', async () => {
    const fs = createMemFileSystem(new Volume());
    await fs.mkdir('/w', { recursive: true });
    const world = await buildWorld(fs, '/w');
    const journal = join(stateDirOf(world.sharedDir), 'journal.jsonl');
    await fs.mkdir(stateDirOf(world.sharedDir), { recursive: true });
    await fs.writeFile(journal, 'GARBAGE\n{"t":"intent","ops":["op-1"]}\n');
    const error = await recover({ fs, sharedDir: world.sharedDir }).catch((e: unknown) => e);
    expect(isSharedSessionsError(error, ErrorCodes.IO)).toBe(true);
    expect((error as Error).message).toMatch(/damaged.*left in place/);
    expect((await fs.lstat(journal)).type).toBe('file');
  });

  it('keeps a copy written to after the crash, and says so', async () => {
    const fs = createMemFileSystem(new Volume());
    await fs.mkdir('/w', { recursive: true });
    const world = await buildWorld(fs, '/w');
    await crashAtTheLastLink(fs, world);
    // Claude Code, through account one's link, appends to a shared copy before recover.
    const shared = join(world.sharedDir, '-p1', `${world.ids.b}.jsonl`);
    const h = await fs.open(shared, 'a');
    await h.write('{"type":"user","written":"after the crash"}\n');
    await h.close();
    const report = await recover({ fs, sharedDir: world.sharedDir });
    expect(report.status).toBe('rolled-back');
    expect(report.kept.map((k) => k.path)).toContain(shared);
    expect(new TextDecoder().decode(await fs.readFile(shared))).toContain('after the crash');
    expect((await fs.lstat(join(world.accounts[0], 'projects'))).type).toBe('directory');
  });
});
