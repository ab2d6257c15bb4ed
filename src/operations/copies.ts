/**
 * Copies made by an apply whose sources a later rename moves (a backup of an account's
 * folder): the bytes their sources gained in between are carried, then the copies are
 * flushed to the device, since from then on they are what the accounts see.
 */
import { dirname } from 'node:path';
import { mapLimit } from '../util/limit.js';
import type { CopyState, StepContext } from './base.js';
import { isPrefixFile, readBytes } from './state.js';
import { assertAbsent, replaceSessionId, syncFile, verifyError } from './support.js';

/**
 * Puts the copies on the device. Where the filesystem can flush everything written to it
 * in one call ({@link FileSystem.syncFileSystem}: `syncfs(2)` on Linux), that is one call
 * for all of them, their folders' entries included; else one fsync per copy.
 */
export async function flushCopies(ctx: StepContext, copies: readonly CopyState[]): Promise<void> {
  const { fs } = ctx;
  if (fs.syncFileSystem) {
    // One folder per device: syncfs flushes the whole filesystem a path is on.
    const dirs = [...new Set(copies.map((c) => dirname(c.op.to)))];
    const stats = await mapLimit(dirs, ctx.concurrency, (d) => fs.lstat(d));
    const byDevice = new Map<number, string>();
    dirs.forEach((d, i) => {
      const dev = stats[i]?.dev ?? -1;
      if (!byDevice.has(dev)) byDevice.set(dev, d);
    });
    if (await fs.syncFileSystem([...byDevice.values()])) return;
  }
  await mapLimit(copies, ctx.concurrency, (copy) => syncFile(fs, copy.op.to));
}

/**
 * Carries the bytes a copy's source gained since it was copied (a transcript Claude
 * Code appended to). The copy must be unchanged since and the source must still begin
 * with what was copied; anything else stops the apply (which then undoes). Returns the
 * bytes appended.
 */
export async function resync(ctx: StepContext, copy: CopyState): Promise<number> {
  const { fs } = ctx;
  const source = await fs.lstat(copy.source);
  if (source.size === copy.sourceSize && source.mtimeMs === copy.sourceMtimeMs) return 0;
  const target = copy.op.to;
  const now = await fs.lstat(target);
  if (now.type !== 'file' || now.size !== copy.size) {
    throw verifyError(
      `Both ${copy.source} and its copy ${target} were written to during the apply; quit Claude Code and apply again.`,
      target,
    );
  }
  if (source.size < copy.sourceSize) {
    throw verifyError(`${copy.source} shrank while it was shared; the apply was undone.`, copy.source);
  }
  let extra: Uint8Array;
  if (copy.op.type === 'copyFile') {
    if (!(await isPrefixFile(fs, target, copy.source))) {
      throw verifyError(`${copy.source} was rewritten (not appended to) during the apply.`, copy.source);
    }
    extra = await readBytes(fs, copy.source, copy.sourceSize, source.size - copy.sourceSize);
  } else {
    const forked = replaceSessionId(await fs.readFile(copy.source), copy.op.oldSessionId, copy.op.newSessionId);
    const held = await fs.readFile(target);
    if (held.length > forked.length || Buffer.compare(Buffer.from(held), forked.subarray(0, held.length)) !== 0) {
      throw verifyError(`${copy.source} was rewritten (not appended to) during the apply.`, copy.source);
    }
    extra = forked.subarray(held.length);
  }
  if (extra.length > 0) {
    const handle = await fs.open(target, 'a');
    try {
      await handle.write(extra);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  // To the microsecond where the filesystem can (as the copy itself was made), so that
  // readers that floor the milliseconds see the same time on both.
  if (fs.copyTimes) await fs.copyTimes(copy.source, target);
  else await fs.utimes(target, source.atimeMs, source.mtimeMs);
  copy.sourceSize = copy.op.type === 'copyFile' ? copy.sourceSize + extra.length : source.size;
  copy.sourceMtimeMs = source.mtimeMs;
  copy.size += extra.length;
  ctx.counters.bytesResynced += extra.length;
  ctx.journal?.append({ t: 'resync', op: copy.op.id, source: copy.source, size: copy.size, mtimeMs: source.mtimeMs });
  return extra.length;
}

/**
 * Puts a verified copy (or fork) in place, never over something that appeared there,
 * and follows it: bytes its source gains later are carried by a rename that moves it.
 */
export async function commitCopy(
  ctx: Pick<StepContext, 'fs' | 'copies'>,
  op: CopyState['op'],
  tmp: string,
  held: { sourceSize: number; sourceMtimeMs: number; size: number },
): Promise<void> {
  await assertAbsent(ctx.fs, op.to);
  await ctx.fs.rename(tmp, op.to);
  ctx.copies.set(op.id, { op, source: op.from, ...held });
}
