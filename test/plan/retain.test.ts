import { link, mkdir, mkdtemp, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import { batchesOf } from '../../src/apply/schedule.js';
import { readRetainState } from '../../src/doctor/retained.js';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import type { FileSystem } from '../../src/fs/types.js';
import { retainedDirOf } from '../../src/layout/config-dir.js';
import { pathRulesOf } from '../../src/layout/paths.js';
import { planRetain, summariseRetain } from '../../src/plan/retain.js';
import { hookFs } from '../support/faulty-fs.js';

const ID = (n: number) => `${String(n).padStart(8, '0')}-1111-4222-8333-444444444444`;

/** Builds with plain node:fs or through a FileSystem, on the real disk or memfs. */
interface Disk {
  fs: FileSystem;
  root: string;
  write(path: string, text: string): Promise<void>;
  link(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  cleanup(): Promise<void>;
}

async function realDisk(): Promise<Disk> {
  const root = await mkdtemp(join(tmpdir(), 'css-retain-'));
  return {
    fs: createNodeFileSystem(),
    root,
    write: async (p, t) => {
      await mkdir(join(p, '..'), { recursive: true });
      await writeFile(p, t);
    },
    link: async (a, b) => {
      await mkdir(join(b, '..'), { recursive: true });
      await link(a, b);
    },
    unlink: (p) => unlink(p),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

async function memDisk(): Promise<Disk> {
  const fs = createMemFileSystem(new Volume());
  await fs.mkdir('/m', { recursive: true });
  return {
    fs,
    root: '/m',
    write: async (p, t) => {
      await fs.mkdir(join(p, '..'), { recursive: true });
      await fs.writeFile(p, t);
    },
    link: async (a, b) => {
      await fs.mkdir(join(b, '..'), { recursive: true });
      await (fs.link as NonNullable<FileSystem['link']>)(a, b);
    },
    unlink: (p) => fs.unlink(p),
    cleanup: async () => {},
  };
}

describe.each([
  ['real disk', realDisk],
  ['memfs', memDisk],
] as const)('readRetainState and planRetain (%s)', (_, makeDisk) => {
  let d: Disk;
  let shared: string;
  let retained: string;
  beforeEach(async () => {
    d = await makeDisk();
    shared = join(d.root, '.claude-shared', 'projects');
    retained = retainedDirOf(shared);
  });
  afterEach(() => d.cleanup());

  it('tells retained (same inode), unretained, deleted and replaced files apart, and the space only the retained folder holds', async () => {
    const s = (rel: string) => join(shared, rel);
    const r = (rel: string) => join(retained, rel);
    await d.write(s(`-a/${ID(1)}.jsonl`), 'one\n');
    await d.link(s(`-a/${ID(1)}.jsonl`), r(`-a/${ID(1)}.jsonl`)); // retained
    await d.write(s(`-a/${ID(2)}.jsonl`), 'two\n'); // unretained
    await d.write(s(`-a/${ID(2)}/subagents/agent-x.jsonl`), 'sub\n'); // unretained, in a session folder
    await d.write(s(`-b/${ID(3)}.jsonl`), 'three, rewritten\n');
    await d.write(r(`-b/${ID(3)}.jsonl`), 'three\n'); // replaced: another inode
    await d.write(s(`-b/${ID(4)}.jsonl`), 'four!\n');
    await d.link(s(`-b/${ID(4)}.jsonl`), r(`-b/${ID(4)}.jsonl`));
    await d.unlink(s(`-b/${ID(4)}.jsonl`)); // deleted: only the retained name is left
    await d.write(s('-a/memory/notes.md'), 'memory\n'); // not retained: memory/
    await d.write(s('-a/sessions-index.json'), '{}\n'); // nor the stale index

    const state = await readRetainState(d.fs, shared);
    expect(summariseRetain(state)).toEqual({
      unretained: [`-a/${ID(2)}.jsonl`, `-a/${ID(2)}/subagents/agent-x.jsonl`],
      deleted: [`-b/${ID(4)}.jsonl`],
      replaced: [`-b/${ID(3)}.jsonl`],
    });
    expect(state.sharedFiles).toBe(4);
    expect(state.retainedFiles).toBe(3);
    // The deleted one and the older version of the replaced one: 'four!\n' and 'three\n'.
    expect(state.heldOnly).toEqual({ files: 2, bytes: 12 });
  });

  it('plans every folder before the links, shallowest first, so the executor runs one batch per level and one for all links', async () => {
    for (let n = 1; n <= 30; n++) {
      await d.write(join(shared, `-p${n % 3}`, `${ID(n)}.jsonl`), `s${n}\n`);
      await d.write(join(shared, `-p${n % 3}`, ID(n), 'subagents', 'agent-a.jsonl'), `a${n}\n`);
    }
    const plan = planRetain(await readRetainState(d.fs, shared), { id: 'p', now: 0 });
    const types = plan.operations.map((op) => op.type);
    const firstLink = types.indexOf('hardLink');
    expect(types.slice(0, firstLink).every((t) => t === 'mkdir')).toBe(true);
    expect(types.slice(firstLink).every((t) => t === 'hardLink')).toBe(true);
    expect(types.filter((t) => t === 'hardLink').length).toBe(60);
    // .retained, .retained/projects, 3 projects, 30 session folders, 30 subagents folders.
    expect(firstLink).toBe(2 + 3 + 30 + 30);
    const batches = batchesOf(plan.operations, new Map(), pathRulesOf(plan));
    // One batch per folder level (a link whose folder is made earlier may join the last
    // level's batch), instead of one per session folder.
    expect(batches.length).toBe(6);
    expect(batches.slice(0, 4).map((b) => b.length)).toEqual([1, 1, 3, 30]);
    expect(batches.at(-1)?.every((op) => op.type === 'hardLink')).toBe(true);

    await applyPlan(plan, { fs: d.fs });
    const again = await readRetainState(d.fs, shared);
    expect(summariseRetain(again)).toEqual({ unretained: [], deleted: [], replaced: [] });
    expect(planRetain(again, { id: 'q', now: 0 }).operations).toEqual([]);
    for (let n = 1; n <= 30; n++) {
      const rel = join(`-p${n % 3}`, ID(n), 'subagents', 'agent-a.jsonl');
      const [a, b] = await Promise.all([d.fs.lstat(join(shared, rel)), d.fs.lstat(join(retained, rel))]);
      expect(b.ino).toBe(a.ino);
      expect(a.nlink).toBe(2);
    }
  });

  it('an apply refuses, changing nothing, when something took a planned link name since the plan', async () => {
    await d.write(join(shared, '-a', `${ID(1)}.jsonl`), 'one\n');
    await d.write(join(shared, '-a', `${ID(2)}.jsonl`), 'two\n');
    await d.write(join(retained, '-x', 'keep'), 'x\n');
    const plan = planRetain(await readRetainState(d.fs, shared), { id: 'p', now: 0 });
    await d.write(join(retained, '-a', `${ID(2)}.jsonl`), 'someone else\n');
    await expect(applyPlan(plan, { fs: d.fs })).rejects.toMatchObject({ code: 'ESTALE_PLAN' });
    await expect(d.fs.lstat(join(retained, '-a', `${ID(1)}.jsonl`))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(new TextDecoder().decode(await d.fs.readFile(join(retained, '-a', `${ID(2)}.jsonl`)))).toBe(
      'someone else\n',
    );
  });

  it('prune removes the retained folders it empties, deepest first, and no folder that holds anything else', async () => {
    const s = (rel: string) => join(shared, rel);
    const r = (rel: string) => join(retained, rel);
    const deleted = async (rel: string, text: string) => {
      await d.write(s(rel), text);
      await d.link(s(rel), r(rel));
      await d.unlink(s(rel));
    };
    // -gone: a session and its subagents, all deleted: the whole project folder goes.
    await deleted(`-gone/${ID(1)}.jsonl`, 'one\n');
    await deleted(`-gone/${ID(1)}/subagents/agent-a.jsonl`, 'a\n');
    // -kept: one session deleted, one still shared: the folder stays.
    await deleted(`-kept/${ID(2)}.jsonl`, 'two\n');
    await d.write(s(`-kept/${ID(3)}.jsonl`), 'three\n');
    await d.link(s(`-kept/${ID(3)}.jsonl`), r(`-kept/${ID(3)}.jsonl`));
    // -other: everything deleted, but its session folder holds a file the retain walk
    // does not count as retained (a temporary name): that folder and -other stay.
    await deleted(`-other/${ID(4)}.jsonl`, 'four\n');
    await deleted(`-other/${ID(4)}/subagents/agent-b.jsonl`, 'b\n');
    await d.write(r(`-other/${ID(4)}/notes.tmp`), 'not ours\n');
    // -empty-session: the session file and an empty subagents folder (left by hand).
    await deleted(`-emptied/${ID(5)}.jsonl`, 'five\n');
    await d.fs.mkdir(r(`-emptied/${ID(5)}/subagents`), { recursive: true });

    const plan = planRetain(await readRetainState(d.fs, shared), { id: 'p', now: 0, prune: true });
    const ops = plan.operations.map((op) => [op.type, 'path' in op ? op.path.slice(retained.length + 1) : '']);
    expect(ops).toEqual([
      ['removeFile', `-emptied/${ID(5)}.jsonl`],
      ['removeFile', `-gone/${ID(1)}.jsonl`],
      ['removeFile', `-gone/${ID(1)}/subagents/agent-a.jsonl`],
      ['removeFile', `-kept/${ID(2)}.jsonl`],
      ['removeFile', `-other/${ID(4)}.jsonl`],
      ['removeFile', `-other/${ID(4)}/subagents/agent-b.jsonl`],
      // Only what the removals empty: not -emptied (its empty folder is not the plan's doing).
      ['removeDir', `-gone/${ID(1)}/subagents`],
      ['removeDir', `-other/${ID(4)}/subagents`],
      ['removeDir', `-gone/${ID(1)}`],
      ['removeDir', '-gone'],
    ]);

    const report = await applyPlan(plan, { fs: d.fs });
    expect(report.warnings).toEqual([]);
    const exists = async (rel: string) =>
      d.fs.lstat(r(rel)).then(
        (st) => st.type,
        () => 'absent',
      );
    expect(await exists('-gone')).toBe('absent');
    expect(await exists(`-other/${ID(4)}/subagents`)).toBe('absent');
    expect(await exists(`-other/${ID(4)}/notes.tmp`)).toBe('file');
    expect(await exists(`-kept/${ID(3)}.jsonl`)).toBe('file');
    expect(await exists(`-emptied/${ID(5)}/subagents`)).toBe('directory');
    expect(await exists('')).toBe('directory');
    const again = await readRetainState(d.fs, shared);
    expect(planRetain(again, { id: 'q', now: 0, prune: true }).operations).toEqual([]);
  });

  it('prune leaves a folder that got something new between the plan and the apply; an undone prune removes no folder', async () => {
    const rel = `-gone/${ID(1)}.jsonl`;
    await d.write(join(shared, rel), 'one\n');
    await d.link(join(shared, rel), join(retained, rel));
    await d.unlink(join(shared, rel));
    const plan = planRetain(await readRetainState(d.fs, shared), { id: 'p', now: 0, prune: true });
    expect(plan.operations.map((op) => op.type)).toEqual(['removeFile', 'removeDir']);

    // An undo (a fault at the removal's rename) puts the file back and keeps the folder.
    const failing = hookFs(d.fs, {
      before: (c) => {
        if (c.call === 'rename' && c.path === join(retained, rel))
          throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
      },
    });
    await expect(applyPlan(plan, { fs: failing })).rejects.toMatchObject({ code: 'EIO_UNEXPECTED' });
    expect((await d.fs.lstat(join(retained, rel))).type).toBe('file');

    // Something new in the folder since the plan: the file goes, the folder stays with it.
    await d.write(join(retained, '-gone', 'new.jsonl'), 'new\n');
    const report = await applyPlan(plan, { fs: d.fs });
    expect(report.warnings).toEqual([]);
    await expect(d.fs.lstat(join(retained, rel))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await d.fs.lstat(join(retained, '-gone', 'new.jsonl'))).type).toBe('file');
  });
});

it('the real-disk walk reads each file once on each side (no second lstat for the plan)', async () => {
  // The node filesystem's synchronous reads are what the walk uses there.
  const fs = createNodeFileSystem();
  expect(typeof fs.sync?.readdir).toBe('function');
  expect(typeof fs.sync?.lstatExact).toBe('function');
  const root = await mkdtemp(join(tmpdir(), 'css-retain-'));
  try {
    const p = join(root, 'f');
    await writeFile(p, 'x');
    const exact = fs.sync?.lstatExact?.(p);
    const async = await fs.lstat(p);
    // Same values as the executor's lstat: a plan made from the walk is not stale by rounding.
    expect(exact).toEqual(async);
    expect((await stat(p)).ino).toBe(exact?.ino);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
