import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EARLY_FLUSH_BYTES } from '../../src/apply/apply.js';
import { applyPlan } from '../../src/apply/index.js';
import { createSandbox, type Sandbox } from '../../src/demo/sandbox.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { share } from '../../src/verbs/verbs.js';
import { hookFs } from '../support/faulty-fs.js';

/** The node filesystem, counting fsyncs by path and calls of syncFileSystem (answered by `answer`). */
function counting(answer: 'real' | false | undefined) {
  const inner = createNodeFileSystem();
  const fsyncs: string[] = [];
  const flushes: string[][] = [];
  /** Flushes and renames, in the order they began. */
  const order: string[] = [];
  const fs = hookFs(inner, {
    keep: ['copyTimes'],
    before: (c) => {
      if (c.call === 'sync') fsyncs.push(c.path);
      if (c.call === 'rename') order.push(`rename ${c.path}`);
    },
  });
  if (answer !== undefined) {
    fs.syncFileSystem = async (paths) => {
      flushes.push([...paths]);
      order.push('flush');
      return answer === 'real' ? ((await inner.syncFileSystem?.(paths)) ?? false) : false;
    };
  }
  return { fs, fsyncs, flushes, order };
}

describe('durability of the copies (real disk)', () => {
  let root: string;
  let sb: Sandbox;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'css-flush-'));
    sb = await createSandbox({ fs: createNodeFileSystem(), root, sessionsPerAccount: 4 });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const plan = () => share({ home: sb.home, sharedDir: sb.sharedDir, accounts: sb.accounts, id: 't', now: Date.now() });
  const copiesOf = (p: Awaited<ReturnType<typeof plan>>) =>
    p.operations.filter((o) => o.type === 'copyFile').map((o) => (o.type === 'copyFile' ? o.to : ''));

  it('flushes each filesystem once per backup instead of fsyncing every copy, and the copies hold their bytes', async () => {
    const p = await plan();
    const copies = copiesOf(p);
    expect(copies.length).toBeGreaterThan(3);
    const backups = p.operations.filter((o) => o.type === 'rename' && o.reason === 'backup');
    const { fs, fsyncs, flushes } = counting('real');
    await applyPlan(p, { fs });
    expect(flushes.length).toBeGreaterThan(0);
    // One per backup (the copies are too few for an early flush).
    expect(flushes.length).toBeLessThanOrEqual(backups.length);
    for (const paths of flushes) expect(paths).toHaveLength(1); // one device in a temp folder
    expect(fsyncs.filter((f) => copies.includes(f))).toEqual([]);
    for (const op of p.operations) {
      if (op.type !== 'copyFile') continue;
      const backup = backups.find((b) => b.type === 'rename' && op.from.startsWith(`${b.from}/`));
      const source = backup?.type === 'rename' ? backup.to + op.from.slice(backup.from.length) : op.from;
      expect(Buffer.compare(await readFile(op.to), await readFile(source))).toBe(0);
    }
  });

  it('starts writing the copies out before the first backup, and still flushes at each backup', async () => {
    // More bytes to copy than EARLY_FLUSH_BYTES, in two transcripts of two accounts.
    const big = Buffer.alloc(Math.ceil(EARLY_FLUSH_BYTES / 2) + 1024, '{"type":"user"}\n');
    for (const account of sb.accounts.slice(0, 2)) {
      const project = join(account, 'projects', '-big');
      await mkdir(project, { recursive: true });
      await writeFile(join(project, `${randomUUID()}.jsonl`), big);
    }
    const p = await plan();
    const backups = p.operations.flatMap((o) => (o.type === 'rename' && o.reason === 'backup' ? [o.from] : []));
    const { fs, order } = counting('real');
    await applyPlan(p, { fs });
    const firstBackup = order.findIndex((e) => backups.some((b) => e === `rename ${b}`));
    expect(firstBackup).toBeGreaterThan(0);
    expect(order.slice(0, firstBackup)).toContain('flush');
    // The flush the guarantee rests on: one after a backup rename.
    expect(order.slice(firstBackup)).toContain('flush');
  });

  it('fsyncs every copy whose source moves when the filesystem cannot be flushed at once', async () => {
    const p = await plan();
    const { fs, fsyncs, flushes } = counting(false);
    await applyPlan(p, { fs });
    expect(flushes.length).toBeGreaterThan(0);
    expect(new Set(fsyncs.filter((f) => copiesOf(p).includes(f)))).toEqual(new Set(copiesOf(p)));
  });

  it('flushes nothing with durable: false', async () => {
    const p = await plan();
    const { fs, fsyncs, flushes } = counting('real');
    await applyPlan(p, { fs, durable: false });
    expect(flushes).toEqual([]);
    expect(fsyncs.filter((f) => copiesOf(p).includes(f))).toEqual([]);
  });
});
