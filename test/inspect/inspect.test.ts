import { describe, expect, it } from 'vitest';
import type { FileStat, FileSystem } from '../../src/fs/types.js';
import { treeDigest } from '../../src/inspect/digest.js';
import { hashFile, lastRecordMs } from '../../src/inspect/hash.js';
import { digestFolder, inspect, resolveReal, walk } from '../../src/inspect/inspect.js';
import { SNAPSHOT_VERSION } from '../../src/inspect/types.js';
import { resolveFolders } from '../../src/layout/folders.js';
import {
  A,
  B,
  CONFLICTS,
  entryOf,
  inspectOptions,
  makeDisk,
  rec,
  SHARED,
  SID,
  SID2,
  type Spec,
  sha,
  snapshotOf,
  T0,
} from '../plan/support.js';
import { hookFs, KEEP_ALL } from '../support/faulty-fs.js';

const short = rec(1, T0);
const long = short + rec(2, T0 + 60_000);

describe('inspect', () => {
  it('records accounts, trees, the shared and conflicts folders, and settings', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/projects/-p/${SID}.jsonl`]: { content: short, mtimeMs: T0 + 5, mode: 0o640 },
      [`${A}/settings.json`]: '{"cleanupPeriodDays": 12}',
      [`${A}/sessions/4242.json`]: '{}',
      [`${B}/settings.json`]: '{ broken',
    });
    expect(snapshot.version).toBe(SNAPSHOT_VERSION);
    expect(snapshot.folders).toEqual(['projects']);
    expect(snapshot.shared.projects).toEqual({
      path: SHARED,
      kind: 'missing',
      missing: ['/h/.claude-shared', SHARED],
      entries: [],
    });
    expect(snapshot.conflicts).toEqual({
      path: CONFLICTS,
      kind: 'missing',
      missing: ['/h/.claude-shared', CONFLICTS],
      entries: [],
    });
    const [a, b] = snapshot.accounts;
    expect(a?.folders.projects).toEqual({
      name: 'projects',
      path: `${A}/projects`,
      kind: 'directory',
      entries: [
        { path: '-p', type: 'directory', size: 0, mode: 0o700, mtimeMs: expect.any(Number) },
        { path: `-p/${SID}.jsonl`, type: 'file', size: short.length, mode: 0o640, mtimeMs: T0 + 5 },
      ],
    });
    expect(a?.names).toEqual(['projects', 'sessions', 'settings.json']);
    expect(a?.settings).toMatchObject({
      type: 'file',
      text: '{"cleanupPeriodDays": 12}',
      hash: sha('{"cleanupPeriodDays": 12}'),
      cleanupPeriodDays: 12,
      cleanupPeriodDaysSet: true,
      malformed: false,
    });
    expect(b?.settings).toMatchObject({ malformed: true, cleanupPeriodDays: 30, cleanupPeriodDaysSet: false });
    expect(b?.folders.projects?.kind).toBe('missing');
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('hashes only files present in several places, with prefix hashes and tail timestamps where needed', async () => {
    const divergent = `${short}${rec(2, T0 + 99_000)}`;
    const { snapshot } = await snapshotOf({
      [`${A}/projects/-p/${SID}.jsonl`]: short,
      [`${A}/projects/-p/only-here.jsonl`]: 'solo',
      [`${B}/projects/-p/${SID}.jsonl`]: long,
      [`${SHARED}/-p/${SID}.jsonl`]: divergent,
    });
    const inA = entryOf(snapshot.accounts[0]?.folders.projects?.entries ?? [], `-p/${SID}.jsonl`);
    const inB = entryOf(snapshot.accounts[1]?.folders.projects?.entries ?? [], `-p/${SID}.jsonl`);
    const inShared = entryOf(snapshot.shared.projects?.entries ?? [], `-p/${SID}.jsonl`);
    expect(entryOf(snapshot.accounts[0]?.folders.projects?.entries ?? [], '-p/only-here.jsonl')).not.toHaveProperty(
      'hash',
    );
    expect(inA).toMatchObject({ hash: sha(short), lastRecordMs: T0 });
    expect(inA).not.toHaveProperty('prefixHashes');
    // B is longer than A (and shorter than nothing); the shared copy has the same size as B.
    expect(inB).toMatchObject({ hash: sha(long), prefixHashes: [{ size: short.length, hash: sha(short) }] });
    expect(inShared).toMatchObject({ hash: sha(divergent), lastRecordMs: T0 + 99_000 });
    expect(inShared?.prefixHashes).toEqual([{ size: short.length, hash: sha(short) }]);
    expect(divergent.length).toBe(long.length);
  });

  it('does not hash a group whose copies are all identical beyond the hash itself', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/projects/-p/${SID}.jsonl`]: long,
      [`${B}/projects/-p/${SID}.jsonl`]: long,
    });
    const e = entryOf(snapshot.accounts[1]?.folders.projects?.entries ?? [], `-p/${SID}.jsonl`);
    expect(e).toMatchObject({ hash: sha(long) });
    expect(e).not.toHaveProperty('lastRecordMs');
    expect(e).not.toHaveProperty('prefixHashes');
  });

  it("reads no tail timestamps for copies that form a prefix chain, and every copy's when two diverge", async () => {
    const chain = await snapshotOf({
      [`${A}/projects/-p/${SID}.jsonl`]: short,
      [`${B}/projects/-p/${SID}.jsonl`]: long,
      [`${SHARED}/-p/${SID}.jsonl`]: '',
    });
    const inChain = [
      entryOf(chain.snapshot.accounts[0]?.folders.projects?.entries ?? [], `-p/${SID}.jsonl`),
      entryOf(chain.snapshot.accounts[1]?.folders.projects?.entries ?? [], `-p/${SID}.jsonl`),
      entryOf(chain.snapshot.shared.projects?.entries ?? [], `-p/${SID}.jsonl`),
    ];
    expect(inChain.map((e) => e?.hash)).toEqual([sha(short), sha(long), sha('')]);
    for (const e of inChain) expect(e).not.toHaveProperty('lastRecordMs');
    // The same chain with a copy that parts from it: each copy's newest record is read.
    const divergent = `${short}${rec(2, T0 + 99_000)}`;
    const parted = await snapshotOf({
      [`${A}/projects/-p/${SID}.jsonl`]: short,
      [`${B}/projects/-p/${SID}.jsonl`]: long,
      [`${SHARED}/-p/${SID}.jsonl`]: divergent,
    });
    expect(entryOf(parted.snapshot.accounts[0]?.folders.projects?.entries ?? [], `-p/${SID}.jsonl`)).toMatchObject({
      lastRecordMs: T0,
    });
    expect(entryOf(parted.snapshot.shared.projects?.entries ?? [], `-p/${SID}.jsonl`)).toMatchObject({
      lastRecordMs: T0 + 99_000,
    });
  });

  it('records links inside a tree without following them, and resolves linked ancestors', async () => {
    const { snapshot } = await snapshotOf(
      {
        '/real/claude/projects/p/x.jsonl': 'x',
        '/real/claude/projects/loop': { link: '/real/claude/projects' },
        [A]: { link: '/real/claude' },
      },
      { accounts: [A] },
    );
    const account = snapshot.accounts[0];
    expect(account?.path).toBe(A);
    expect(account?.realPath).toBe('/real/claude');
    expect(account?.folders.projects?.entries.map((e) => [e.path, e.type, e.linkText])).toEqual([
      ['loop', 'symlink', '/real/claude/projects'],
      ['p', 'directory', undefined],
      ['p/x.jsonl', 'file', undefined],
    ]);
  });

  it('reads backup trees only when asked', async () => {
    const spec = {
      [`${A}/projects.bak.100/-p/a.jsonl`]: 'a',
      [`${A}/projects.bak.200/-p/b.jsonl`]: 'b',
      [`${A}/projects`]: { link: SHARED },
      [`${SHARED}/-p/b.jsonl`]: 'b',
    };
    const none = (await snapshotOf(spec)).snapshot.accounts[0]?.backups;
    expect(none?.map((b) => [b.name, b.entries])).toEqual([
      ['projects.bak.200', undefined],
      ['projects.bak.100', undefined],
    ]);
    const newest = (await snapshotOf(spec, { backups: true })).snapshot.accounts[0]?.backups;
    expect(newest?.map((b) => [b.name, b.entries?.length])).toEqual([
      ['projects.bak.200', 2],
      ['projects.bak.100', undefined],
    ]);
    // A backup is compared with the shared folder like any other copy.
    expect(newest?.[0]?.entries?.[1]).toMatchObject({ hash: sha('b') });
    const chosen = (await snapshotOf(spec, { backups: '100' })).snapshot.accounts[0]?.backups;
    expect(chosen?.map((b) => b.entries?.length)).toEqual([undefined, 2]);
  });

  it('hashes everything in the conflicts folder', async () => {
    const { snapshot } = await snapshotOf({
      [`${CONFLICTS}/projects/-p/a.1.jsonl`]: 'kept',
      [`${A}/settings.json`]: '{}',
    });
    expect(snapshot.conflicts.entries.at(-1)).toMatchObject({ path: 'projects/-p/a.1.jsonl', hash: sha('kept') });
  });

  it('refuses forbidden folders and a shared folder inside an account', async () => {
    const { fs } = await makeDisk({ [`${A}/projects/x`]: 'x' });
    for (const folder of [
      'sessions',
      '.credentials.json',
      '.claude.json',
      'settings.json',
      'ide',
      'statsig',
      'plugins',
    ]) {
      await expect(inspect(inspectOptions(fs, { folders: [folder] }))).rejects.toMatchObject({
        code: 'EFORBIDDEN_FOLDER',
      });
    }
    await expect(inspect(inspectOptions(fs, { folders: ['../x'] }))).rejects.toMatchObject({ code: 'EINVALID_OPTION' });
    await expect(inspect(inspectOptions(fs, { accounts: [A], sharedDir: `${A}/projects` }))).rejects.toMatchObject({
      code: 'EINVALID_OPTION',
    });
  });

  it('takes other folders on request, projects first, each with its own shared folder', async () => {
    expect(resolveFolders(['memory', 'projects', 'todos', 'memory'])).toEqual(['projects', 'memory', 'todos']);
    const { snapshot } = await snapshotOf({ [`${A}/todos/t.json`]: '[]' }, { folders: ['todos'] });
    expect(snapshot.folders).toEqual(['projects', 'todos']);
    expect(snapshot.shared.todos?.path).toBe('/h/.claude-shared/todos');
    expect(snapshot.accounts[0]?.folders.todos?.entries.map((e) => e.path)).toEqual(['t.json']);
  });
});

describe('hashFile and lastRecordMs', () => {
  it('computes prefix hashes in one pass and refuses a file that shrank', async () => {
    const { fs } = await makeDisk({ '/f': 'abcdefgh' });
    expect(await hashFile(fs, '/f', 8, [3, 0, 8, 20, 3])).toEqual({
      hash: sha('abcdefgh'),
      prefixHashes: [
        { size: 0, hash: sha('') },
        { size: 3, hash: sha('abc') },
      ],
    });
    expect(await hashFile(fs, '/f', 5)).toEqual({ hash: sha('abcde'), prefixHashes: [] });
    await expect(hashFile(fs, '/f', 9)).rejects.toMatchObject({ code: 'ESHRUNK' });
  });

  it('finds the newest timestamp in the tail, widening the window when needed', async () => {
    const padding = `${JSON.stringify({ type: 'x', blob: 'p'.repeat(70_000) })}\n`;
    const text = `${rec(1, T0 + 5)}${rec(2, T0 + 1)}not json\n${padding}{"type":"custom-title"}\n{"trunc`;
    const { fs } = await makeDisk({ '/t.jsonl': text });
    expect(await lastRecordMs(fs, '/t.jsonl', Buffer.byteLength(text))).toBe(T0 + 5);
    const { fs: empty } = await makeDisk({ '/e.jsonl': '{"a":1}\n' });
    expect(await lastRecordMs(empty, '/e.jsonl', 8)).toBeUndefined();
  });
});

describe('resolveReal', () => {
  it('lists the missing tail of a path below its real, existing ancestor', async () => {
    const { fs } = await makeDisk({ '/data/x': 'x', '/h/link': { link: '/data' } });
    expect(await resolveReal(fs, '/h/link/a/b')).toEqual({ real: '/data/a/b', missing: ['/data/a', '/data/a/b'] });
    expect(await resolveReal(fs, '/h/link')).toEqual({ real: '/data', missing: [] });
  });
});

/** A FileSystem that counts lstat calls per path. */
function countingLstat(fs: FileSystem): { fs: FileSystem; lstats: Map<string, number> } {
  const lstats = new Map<string, number>();
  const wrapped = hookFs(fs, {
    keep: KEEP_ALL,
    before: (c) => {
      if (c.call === 'lstat') lstats.set(c.path, (lstats.get(c.path) ?? 0) + 1);
    },
  });
  return { fs: wrapped, lstats };
}

describe('the calls inspect and the preflight digest make', () => {
  const tree: Record<string, Spec> = {
    [`${A}/projects/-p/${SID}.jsonl`]: { content: short, mtimeMs: T0 + 5 },
    [`${A}/projects/-p/${SID}/subagents/agent-1.jsonl`]: { content: long, mtimeMs: T0 + 7 },
    [`${A}/projects/-q/${SID2}.jsonl`]: { content: long, mtimeMs: T0 + 9 },
    [`${A}/projects/-q/empty`]: { dir: true },
    [`${A}/projects/-q/link`]: { link: '/elsewhere' },
  };

  it('lstats each transcript once (discovery counts them without their sizes)', async () => {
    const { fs: disk } = await makeDisk(tree);
    const { fs, lstats } = countingLstat(disk);
    const snapshot = await inspect(inspectOptions(fs, { accounts: [A] }));
    expect(snapshot.accounts[0]?.folders.projects?.entries.filter((e) => e.type === 'file')).toHaveLength(3);
    const transcripts = [...lstats].filter(([p]) => p.endsWith('.jsonl'));
    expect(transcripts).toHaveLength(3);
    expect(transcripts.every(([, n]) => n === 1)).toBe(true);
  });

  it('digests a folder as the walk sees it, lstat-ing neither folders nor files whose stat it is given', async () => {
    const { fs: disk } = await makeDisk(tree);
    const root = `${A}/projects`;
    const expected = treeDigest(await walk(disk, root, 4));
    const plain = countingLstat(disk);
    expect(await digestFolder(plain.fs, root, 4)).toBe(expected);
    expect([...plain.lstats.keys()].sort()).toEqual(
      [
        `${root}/-p/${SID}.jsonl`,
        `${root}/-p/${SID}/subagents/agent-1.jsonl`,
        `${root}/-q/${SID2}.jsonl`,
        `${root}/-q/link`,
      ].sort(),
    );
    // Given the stats of two transcripts (read a moment ago), it does not read them again...
    const givenPaths = [`${root}/-p/${SID}.jsonl`, `${root}/-q/${SID2}.jsonl`];
    const given = new Map(await Promise.all(givenPaths.map(async (p) => [p, await disk.lstat(p)] as const)));
    const known = countingLstat(disk);
    expect(await digestFolder(known.fs, root, 4, (p) => given.get(p))).toBe(expected);
    expect([...known.lstats.keys()].sort()).toEqual(
      [`${root}/-p/${SID}/subagents/agent-1.jsonl`, `${root}/-q/link`].sort(),
    );
    // ...and what it is given is what it digests: a stat that differs from the disk shows.
    const stale = new Map([
      [givenPaths[0] as string, { ...(given.get(givenPaths[0] as string) as FileStat), size: 1 }],
    ]);
    expect(await digestFolder(disk, root, 4, (p) => stale.get(p))).not.toBe(expected);
  });
});
