/**
 * The real disk's synchronous paths of `inspect` (the walk, the hashing of copies side by
 * side, the tail timestamps) against the asynchronous ones every other filesystem takes:
 * the same entries, hashes, prefix hashes and errors.
 */
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeFileSystem } from '../../src/fs/node.js';
import type { FileSystem } from '../../src/fs/types.js';
import { hashGroupSync } from '../../src/inspect/group-hash.js';
import { hashFile, lastRecordMs, lastRecordMsSync } from '../../src/inspect/hash.js';
import { inspect, walk, YIELD_EVERY } from '../../src/inspect/inspect.js';
import { hookFs } from '../support/faulty-fs.js';

const root = mkdtempSync(join(tmpdir(), 'css-sync-reads-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const disk = createNodeFileSystem();
/** The same disk without its synchronous reads: what memfs and wrapped filesystems get. */
const asyncOnly = hookFs(disk, { keep: ['link', 'copyTimes', 'syncFileSystem', 'descriptors'] });

/** Deterministic bytes, so that copies can share a prefix and part at a chosen offset. */
function bytes(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

function file(rel: string, data: Buffer | string): string {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
  return path;
}

describe('hashGroupSync', () => {
  const MB = 1 << 20;
  const base = bytes(3 * MB + 123, 1);
  const parted = Buffer.concat([base.subarray(0, 2 * MB + 7), bytes(MB + 500, 2)]);
  const cases: Record<string, Buffer[]> = {
    'identical copies over several chunks': [base, base, base],
    'a prefix and its longer copy': [base.subarray(0, MB + 1), base],
    'copies that part inside a chunk, with a prefix of both': [base, parted, base.subarray(0, 5000)],
    'an empty copy beside others': [Buffer.alloc(0), base.subarray(0, 10), base.subarray(0, 10)],
    'copies that differ from the first byte': [bytes(70_000, 3), bytes(70_000, 4), bytes(9, 5)],
    'one copy alone': [bytes(1000, 6)],
  };
  for (const [name, contents] of Object.entries(cases)) {
    it(`gives each copy what hashFile gives it: ${name}`, async () => {
      const members = contents.map((c, i) => ({ path: file(`g/${name}/${i}`, c), size: c.length }));
      const results = hashGroupSync(disk.sync as NonNullable<FileSystem['sync']>, members, []);
      for (const [i, m] of members.entries()) {
        const others = members.filter((_, j) => j !== i).map((o) => o.size);
        const expected = await hashFile(
          asyncOnly,
          m.path,
          m.size,
          others.filter((s) => s < m.size),
        );
        expect(results[i]).toEqual({ ok: true, result: expected });
      }
    });
  }

  it('fails only the copy that is missing or holds fewer bytes than listed', async () => {
    const a = file('bad/a', base);
    const b = file('bad/b', base);
    const c = file('bad/c', base);
    truncateSync(c, 1000);
    const members = [
      { path: a, size: base.length },
      { path: b, size: base.length },
      { path: c, size: base.length },
      { path: join(root, 'bad/gone'), size: 10 },
    ];
    const results = hashGroupSync(disk.sync as NonNullable<FileSystem['sync']>, members, []);
    const expected = await hashFile(asyncOnly, a, base.length, [10]);
    expect(results[0]).toEqual({ ok: true, result: expected });
    expect(results[1]).toEqual({ ok: true, result: expected });
    expect(results[2]?.ok).toBe(false);
    expect((results[2] as { error: { code?: string } }).error.code).toBe('ESHRUNK');
    await expect(hashFile(asyncOnly, c, base.length)).rejects.toMatchObject({ code: 'ESHRUNK' });
    expect(results[3]?.ok).toBe(false);
    expect((results[3] as { error: { code?: string } }).error.code).toBe('ENOENT');
  });

  it('reads a file once for all its hard links, and every other copy as usual', async () => {
    const sync = disk.sync as NonNullable<FileSystem['sync']>;
    const a = file('links/a', base);
    const b = join(root, 'links/b');
    linkSync(a, b);
    const c = file('links/c', base); // the same bytes, another file
    const d = file('links/d', parted); // another content of the same size
    const e = join(root, 'links/e');
    linkSync(d, e);
    const members = [a, b, c, d, e].map((path) => ({ path, size: base.length }));
    const read = new Map<number, string>();
    const bytesRead = new Map<string, number>();
    const counted = {
      ...sync,
      open: (path: string) => {
        const fd = sync.open(path);
        read.set(fd, path);
        return fd;
      },
      read: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => {
        bytesRead.set(read.get(fd) ?? '?', (bytesRead.get(read.get(fd) ?? '?') ?? 0) + length);
        return sync.read(fd, buffer, offset, length, position);
      },
    };
    const results = hashGroupSync(counted, members, []);
    for (const [i, m] of members.entries()) {
      const expected = await hashFile(asyncOnly, m.path, m.size);
      expect(results[i]).toEqual({ ok: true, result: expected });
    }
    // The links' second names are not read; the separate copies are, in full.
    expect([...bytesRead.keys()].sort()).toEqual([a, c, d].sort());
    for (const path of [a, c, d]) expect(bytesRead.get(path)).toBe(base.length);
    // Without identities (another filesystem), every name is read.
    bytesRead.clear();
    const { identity: _identity, ...noIdentity } = counted;
    expect(hashGroupSync(noIdentity, members, [])).toEqual(results);
    expect(bytesRead.size).toBe(5);
  });

  it('reads hard links listed with different sizes (the file changed between the two lstats) each', async () => {
    const sync = disk.sync as NonNullable<FileSystem['sync']>;
    const a = file('links2/a', base);
    const b = join(root, 'links2/b');
    linkSync(a, b);
    const members = [
      { path: a, size: base.length },
      { path: b, size: MB },
    ];
    const results = hashGroupSync(sync, members, []);
    expect(results[0]).toEqual({ ok: true, result: await hashFile(asyncOnly, a, base.length, [MB]) });
    expect(results[1]).toEqual({ ok: true, result: await hashFile(asyncOnly, b, MB) });
  });
});

describe('lastRecordMsSync', () => {
  it('reads the same newest timestamp as lastRecordMs, widening the window when needed', async () => {
    const line = (ms: number) => `${JSON.stringify({ type: 'user', timestamp: new Date(ms).toISOString() })}\n`;
    const filler = `${JSON.stringify({ type: 'x', pad: 'p'.repeat(2000) })}\n`;
    const text = line(1_000) + line(5_000) + filler.repeat(100) + line(3_000);
    const noStamps = line(7_000) + filler.repeat(100);
    for (const [name, content] of [
      ['t', text],
      ['n', noStamps],
    ] as const) {
      const path = file(`tails/${name}.jsonl`, content);
      const size = Buffer.byteLength(content);
      const sync = disk.sync as NonNullable<FileSystem['sync']>;
      expect(lastRecordMsSync(sync, path, size)).toBe(await lastRecordMs(asyncOnly, path, size));
    }
    expect(lastRecordMsSync(disk.sync as NonNullable<FileSystem['sync']>, join(root, 'tails/t.jsonl'), 600)).toBe(
      5_000,
    );
  });
});

describe('inspect on the real disk', () => {
  it('walks and hashes as the asynchronous path does (entries, links, copies, prefixes, tails)', async () => {
    const accounts = ['acct-a', 'acct-b', 'acct-c'].map((a) => join(root, 'share', a));
    const rec = (n: number, ms: number) =>
      `${JSON.stringify({ type: 'user', n, timestamp: new Date(ms).toISOString(), pad: 'x'.repeat(300) })}\n`;
    const s1 = `${'a'.repeat(8)}-0000-4000-8000-000000000001`;
    const s2 = `${'b'.repeat(8)}-0000-4000-8000-000000000002`;
    const short = rec(1, 1e12) + rec(2, 1e12 + 1);
    const long = short + rec(3, 1e12 + 2);
    const other = short + rec(9, 1e12 + 9);
    file(`share/acct-a/projects/-p/${s1}.jsonl`, long);
    file(`share/acct-b/projects/-p/${s1}.jsonl`, short);
    file(`share/acct-c/projects/-p/${s1}.jsonl`, other);
    file(`share/acct-a/projects/-p/${s2}.jsonl`, long);
    file(`share/acct-b/projects/-p/${s2}.jsonl`, long);
    file(`share/acct-a/projects/-p/${s2}/subagents/agent-1.jsonl`, short);
    file(`share/acct-c/projects/-q/${s2}.jsonl`, '');
    file(`share/acct-c/projects/-q/notes.txt`, 'n');
    utimesSync(join(root, `share/acct-c/projects/-q/notes.txt`), 1_700_000_000.1234567, 1_700_000_000.1234567);
    symlinkSync('/nowhere', join(root, 'share/acct-a/projects/-p/link'));
    for (const a of accounts) mkdirSync(a, { recursive: true });
    const options = { accounts, sharedDir: join(root, 'share', 'shared', 'projects'), env: {}, home: root };
    const fast = await inspect({ ...options, fs: disk });
    const slow = await inspect({ ...options, fs: asyncOnly, checkPermissions: true });
    expect(fast).toEqual(slow);
    const a = fast.accounts[0]?.folders.projects?.entries ?? [];
    expect(a.map((e) => e.path)).toEqual([
      '-p',
      `-p/${s1}.jsonl`,
      `-p/${s2}`,
      `-p/${s2}.jsonl`,
      `-p/${s2}/subagents`,
      `-p/${s2}/subagents/agent-1.jsonl`,
      '-p/link',
    ]);
    expect(a.find((e) => e.path === '-p/link')?.linkText).toBe('/nowhere');
    const copies = fast.accounts.map((x) => x.folders.projects?.entries.find((e) => e.path === `-p/${s1}.jsonl`));
    expect(copies.every((e) => e?.hash !== undefined)).toBe(true);
    expect(copies[0]?.prefixHashes?.map((p) => p.size)).toEqual([Buffer.byteLength(short)]);
    expect(copies.map((e) => e?.lastRecordMs)).toEqual([1e12 + 2, 1e12 + 1, 1e12 + 9]);
    expect(await walk(disk, accounts[0] as string, 4)).toEqual(await walk(asyncOnly, accounts[0] as string, 4));
  });

  it('goes back to the event loop while it walks and hashes a large corpus', async () => {
    // Two accounts with the same 12 files of 256 KiB (6 MiB hashed), and 420 more entries
    // in small folders (20 x 10 x 1) in the first.
    const accounts = ['acct-a', 'acct-b'].map((a) => join(root, 'yield', a));
    for (let i = 0; i < 12; i++) {
      for (const a of accounts) file(`${a.slice(root.length + 1)}/projects/-p${i}/f.jsonl`, bytes(256 * 1024, i));
    }
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 10; j++) file(`yield/acct-a/projects/-d${i}/s${j}/x`, 'x');
    }
    // Counts the synchronous reads between two turns of the event loop.
    const sync = disk.sync as NonNullable<FileSystem['sync']>;
    let bytesRead = 0;
    let lstats = 0;
    const counting: typeof sync = {
      ...sync,
      read: (fd, buffer, offset, length, position) => {
        const n = sync.read(fd, buffer, offset, length, position);
        bytesRead += n;
        return n;
      },
      lstat: (path) => {
        lstats++;
        return sync.lstat(path);
      },
    };
    const fs = new Proxy(disk, {
      get: (target, key) => {
        if (key === 'sync') return counting;
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    let most = { bytes: 0, lstats: 0 };
    let done = false;
    let mark = { bytes: 0, lstats: 0 };
    const tick = () => {
      most = {
        bytes: Math.max(most.bytes, bytesRead - mark.bytes),
        lstats: Math.max(most.lstats, lstats - mark.lstats),
      };
      mark = { bytes: bytesRead, lstats };
      if (!done) setImmediate(tick);
    };
    const saved = { ...YIELD_EVERY };
    try {
      YIELD_EVERY.bytes = 1 << 20;
      YIELD_EVERY.entries = 10;
      setImmediate(tick);
      const snapshot = await inspect({
        accounts,
        sharedDir: join(root, 'yield', 'shared', 'projects'),
        fs,
        env: {},
        home: root,
      });
      done = true;
      tick();
      expect(snapshot.accounts[0]?.folders.projects?.entries.filter((e) => e.hash !== undefined)).toHaveLength(12);
    } finally {
      Object.assign(YIELD_EVERY, saved);
    }
    expect(bytesRead).toBe(2 * 12 * 256 * 1024);
    // At most the threshold and one group (2 x 256 KiB) read without a turn of the loop;
    // without the turns, all 6 MiB would be.
    expect(most.bytes).toBeLessThanOrEqual((1 << 20) + 2 * 256 * 1024);
    // Each account's walk reads at most a folder (32 entries here) past the threshold
    // between two turns; without the turns, one walk would read its 420 entries at once.
    expect(lstats).toBeGreaterThan(420);
    expect(most.lstats).toBeLessThan(2 * (32 + 10) + 10);
  });
});
