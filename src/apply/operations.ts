import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { ErrorCodes, errnoCode, SharedSessionsError } from '../errors.js';
import { type CopyDifference, compareCopy } from '../fs/times.js';
import type { FileSystem } from '../fs/types.js';
import type {
  CopyFileOperation,
  ForkSessionOperation,
  HardLinkOperation,
  MkdirOperation,
  Operation,
  RemoveFileOperation,
  RenameOperation,
  SymlinkOperation,
  UnlinkSymlinkOperation,
  WriteFileOperation,
} from '../plan/types.js';
import type { FreshRuns } from '../util/fresh.js';
import { mapLimit } from '../util/limit.js';
import type { CopyDone, JournalWriter } from './journal.js';
import { pathKey, rebase, tempPathFor } from './paths.js';
import { describeActual, hashFile, isPrefixFile, readActual, readBytes } from './state.js';
import type { KeptItem } from './types.js';

type CopyLike = CopyFileOperation | ForkSessionOperation;

/** A copy made by this apply, followed so that bytes its source gains later are carried. */
export interface CopyState {
  op: CopyLike;
  /** Where the source is now (a backup rename moves it). */
  source: string;
  /** Bytes of the source the copy holds, and the source's mtime then. */
  sourceSize: number;
  sourceMtimeMs: number;
  /** Bytes in the copy. */
  size: number;
}

/** What the steps share during one apply or recover. */
export interface StepContext {
  fs: FileSystem;
  /** The run token of the journal: temporary names contain it. */
  run: string;
  /** Keys of folders the executor created for its journal (a `mkdir` of one adopts it). */
  createdDirs: ReadonlySet<string>;
  journal: JournalWriter | undefined;
  /** Copies made so far, by operation id. */
  copies: Map<string, CopyState>;
  /** For each rename: the copies whose source it moves. */
  resyncTargets: ReadonlyMap<string, readonly string[]>;
  counters: { bytesCopied: number; bytesCloned: number; bytesResynced: number };
  /** How many files are re-synced or flushed at once. */
  concurrency: number;
  /** fsync copies before their source is moved aside. */
  durable: boolean;
  /**
   * Shares each folder's `realpath` among the copies that ask for it at once; each still
   * gets a result computed after it asked (see {@link FreshRuns}). Without it, every
   * check runs its own `realpath`.
   */
  realpaths?: FreshRuns<string>;
}

export interface StepResult {
  copy?: CopyDone;
  adopted?: true;
  /** Bytes this step wrote or copied (for progress). */
  bytes: number;
}

function verifyError(message: string, path: string): SharedSessionsError {
  return new SharedSessionsError(ErrorCodes.VERIFY_FAILED, message, { path });
}

function staleError(message: string, path: string): SharedSessionsError {
  return new SharedSessionsError(
    ErrorCodes.STALE_PLAN,
    `${message} The disk changed while the plan was applied; the apply was undone. Make the plan again.`,
    { path },
  );
}

/**
 * Fails with EOUTSIDE_ROOTS when a folder above `path` is now a link: a plan names real
 * paths, so a link there was made after planning (a folder swapped for a link) and would
 * be followed out of the roots. `cleanup`, when given, is removed first (a temporary copy).
 */
async function assertNoLinkAbove(ctx: StepContext, path: string, cleanup?: string): Promise<void> {
  const { fs } = ctx;
  const dir = dirname(path);
  const real = ctx.realpaths ? await ctx.realpaths.run(dir, () => fs.realpath(dir)) : await fs.realpath(dir);
  if (pathKey(real) === pathKey(dir)) return;
  if (cleanup !== undefined) await removeIfPresent(fs, cleanup);
  throw new SharedSessionsError(
    ErrorCodes.OUTSIDE_ROOTS,
    `${dir} became a link (or a folder above it did) while the plan was applied; nothing is read through it, and the apply was undone. Check who changes that folder, then make the plan again.`,
    { path: dir },
  );
}

/** Fails with EEXIST when something is at `path`: renames would replace it silently. */
async function assertAbsent(fs: FileSystem, path: string): Promise<void> {
  const state = await readActual(fs, path);
  if (state.type !== 'absent') {
    throw Object.assign(new Error(`EEXIST: ${path} appeared while the plan was applied; it is left untouched`), {
      code: 'EEXIST',
      path,
    });
  }
}

async function removeIfPresent(fs: FileSystem, path: string): Promise<boolean> {
  try {
    await fs.unlink(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/** fsync of a file's data, so that a copy is on the device before its source is moved aside. */
export async function syncFile(fs: FileSystem, path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces every `"sessionId":"<old>"` by the new id, byte for byte elsewhere. */
export function replaceSessionId(data: Uint8Array, oldId: string, newId: string): Uint8Array {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const needle = Buffer.from(`"sessionId":"${oldId}"`);
  const replacement = Buffer.from(`"sessionId":"${newId}"`);
  const parts: Buffer[] = [];
  let start = 0;
  for (;;) {
    const at = buffer.indexOf(needle, start);
    if (at === -1) break;
    parts.push(buffer.subarray(start, at), replacement);
    start = at + needle.length;
  }
  if (start === 0) return new Uint8Array(buffer);
  parts.push(buffer.subarray(start));
  return new Uint8Array(Buffer.concat(parts));
}

// ---------------------------------------------------------------------------------------
// Doing
// ---------------------------------------------------------------------------------------

export async function runOperation(ctx: StepContext, op: Operation): Promise<StepResult> {
  switch (op.type) {
    case 'mkdir':
      return makeDir(ctx, op);
    case 'copyFile':
      return copyFile(ctx, op);
    case 'forkSession':
      return forkSession(ctx, op);
    case 'rename':
      return rename(ctx, op);
    case 'symlink':
      return makeLink(ctx, op);
    case 'unlinkSymlink':
      return removeLink(ctx, op);
    case 'writeFile':
      return writeFile(ctx, op);
    case 'hardLink':
      return hardLink(ctx, op);
    case 'removeFile':
      return removeFile(ctx, op);
  }
}

/**
 * Where a `removeFile` keeps the file until the apply commits: a temporary name beside
 * it (same folder, so a rename; the walks of the retained folder skip such names).
 */
export function heldPathOf(op: RemoveFileOperation, run: string): string {
  return tempPathFor(op.path, run, op.id);
}

async function removeFile(ctx: StepContext, op: RemoveFileOperation): Promise<StepResult> {
  const { fs } = ctx;
  await assertNoLinkAbove(ctx, op.path);
  const state = await readActual(fs, op.path);
  if (state.type !== 'file') throw staleError(`${op.path} is no longer a regular file.`, op.path);
  if (state.stat.size !== op.expect.size || state.stat.mtimeMs !== op.expect.mtimeMs) {
    throw staleError(
      `${op.path} changed since the plan was made (${state.stat.size} bytes, was ${op.expect.size}); it is not removed.`,
      op.path,
    );
  }
  const held = heldPathOf(op, ctx.run);
  await assertAbsent(fs, held);
  // Held, not gone: the undo renames it back; only the commit lets it go.
  await fs.rename(op.path, held);
  return { bytes: 0 };
}

/**
 * After the commit: removes the files that the plan's `removeFile` operations held, which
 * releases their space. Returns what could not be removed (warnings: the plan is applied).
 */
export async function releaseHeld(fs: FileSystem, operations: readonly Operation[], run: string): Promise<string[]> {
  const problems: string[] = [];
  for (const op of operations) {
    if (op.type !== 'removeFile') continue;
    const held = heldPathOf(op, run);
    try {
      await fs.unlink(held);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT')
        problems.push(`could not remove ${held}: ${errnoCode(error) ?? String(error)}`);
    }
  }
  return problems;
}

/** errno codes of a filesystem that cannot make this hard link (none at all, or across devices). */
const NO_HARD_LINK = new Set(['EXDEV', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

async function hardLink(ctx: StepContext, op: HardLinkOperation): Promise<StepResult> {
  const { fs } = ctx;
  await assertNoLinkAbove(ctx, op.from);
  await assertNoLinkAbove(ctx, op.to);
  const from = await readActual(fs, op.from);
  if (from.type !== 'file') throw staleError(`${op.from} is no longer a regular file.`, op.from);
  // A transcript only grows; a shorter one is not the file the plan saw.
  if (from.stat.size < op.expectFrom.size) {
    throw staleError(`${op.from} shrank from ${op.expectFrom.size} to ${from.stat.size} bytes.`, op.from);
  }
  try {
    if (!fs.link) throw Object.assign(new Error('no hard links'), { code: 'ENOTSUP' });
    // link(2) never replaces: something at op.to now fails it with EEXIST, untouched.
    await fs.link(op.from, op.to);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== undefined && NO_HARD_LINK.has(code)) {
      throw new SharedSessionsError(
        ErrorCodes.LINK_UNSUPPORTED,
        `Cannot make ${op.to} a hard link of ${op.from} (${code}): ${code === 'EXDEV' ? 'they are on different filesystems' : 'this filesystem does not support hard links'}. Shared sessions deleted by Claude Code's cleanup cannot be kept there; keep the shared folder's parent on one filesystem that has hard links, or do without the retained copies (see docs/safety.md, "After sharing").`,
        { path: op.to, cause: error },
      );
    }
    throw error;
  }
  // The new name must be the file checked above: a source replaced in between would
  // have given it another inode.
  const made = await fs.lstat(op.to);
  if (made.ino !== from.stat.ino || made.dev !== from.stat.dev) {
    throw verifyError(`${op.to} is not the same file as ${op.from} after linking.`, op.to);
  }
  return { bytes: 0 };
}

async function makeDir(ctx: StepContext, op: MkdirOperation): Promise<StepResult> {
  const { fs } = ctx;
  if (ctx.createdDirs.has(pathKey(op.path)) && (await readActual(fs, op.path)).type === 'directory') {
    // Made a moment ago to hold the journal: the plan's folder, adopted as is.
    if (((await fs.lstat(op.path)).mode & 0o777) !== (op.mode & 0o777)) await fs.chmod(op.path, op.mode);
    return { adopted: true, bytes: 0 };
  }
  await fs.mkdir(op.path, { mode: op.mode });
  if (((await fs.lstat(op.path)).mode & 0o777) !== (op.mode & 0o777)) await fs.chmod(op.path, op.mode);
  return { bytes: 0 };
}

async function copyFile(ctx: StepContext, op: CopyFileOperation): Promise<StepResult> {
  const { fs } = ctx;
  const tmp = tempPathFor(op.to, ctx.run, op.id);
  let difference: CopyDifference | undefined;
  for (let attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
    // The copy takes the source's mtime as it was when the copy began: the source is
    // unchanged since if it still has that mtime (to the microsecond where the disk
    // keeps it, see FileStat.mtimeUs) and the copy's size.
    await assertNoLinkAbove(ctx, op.from);
    const { cloned } = await fs.copyFile(op.from, tmp, { exclusive: true });
    const [copied, source] = await Promise.all([fs.lstat(tmp), fs.lstat(op.from)]);
    await assertNoLinkAbove(ctx, op.from, tmp);
    const differs = compareCopy(source, copied);
    if (differs !== undefined) {
      // Written to while it was copied: copy again, so the copy is one consistent state.
      difference = differs;
      await fs.unlink(tmp);
      continue;
    }
    if (copied.size < op.expectFrom.size) {
      await fs.unlink(tmp);
      throw staleError(`${op.from} shrank from ${op.expectFrom.size} to ${copied.size} bytes.`, op.from);
    }
    if (copied.mode !== source.mode) {
      throw verifyError(
        `The copy of ${op.from} did not keep its mode: the source has ${source.mode.toString(8)}, the copy ${copied.mode.toString(8)}.`,
        op.to,
      );
    }
    if (op.expectFrom.hash !== undefined) {
      // The plan compared these bytes; bytes appended since are carried as they are.
      const hash = await hashFile(fs, tmp, op.expectFrom.size);
      if (hash !== op.expectFrom.hash) {
        throw verifyError(
          `The copy of ${op.from} does not hold the content the plan compared: its first ${op.expectFrom.size} bytes hash to sha256 ${hash.slice(0, 12)}…, the plan compared ${op.expectFrom.hash.slice(0, 12)}….`,
          op.to,
        );
      }
    }
    await assertAbsent(fs, op.to);
    await fs.rename(tmp, op.to);
    ctx.copies.set(op.id, {
      op,
      source: op.from,
      sourceSize: copied.size,
      sourceMtimeMs: source.mtimeMs,
      size: copied.size,
    });
    if (cloned) ctx.counters.bytesCloned += copied.size;
    else ctx.counters.bytesCopied += copied.size;
    return { copy: { size: copied.size, mtimeMs: copied.mtimeMs, cloned }, bytes: copied.size };
  }
  throw keptChangingError(op.from, op.to, 'copied', difference);
}

/** How often a copy is retried when its source changed while it was copied. */
const COPY_ATTEMPTS = 3;

function keptChangingError(
  from: string,
  to: string,
  verb: string,
  difference: CopyDifference | undefined,
): SharedSessionsError {
  const what = difference?.text ?? 'the source changed while it was read';
  return verifyError(
    `${from} and its copy still differed after it was ${verb} ${COPY_ATTEMPTS} times: ${what}. ${
      difference?.writer === false
        ? `The filesystem of ${dirname(to)} did not keep the time it was given; please report this.`
        : 'A program (Claude Code?) is writing to it: quit it and apply again.'
    }`,
    from,
  );
}

async function forkSession(ctx: StepContext, op: ForkSessionOperation): Promise<StepResult> {
  const { fs } = ctx;
  const tmp = tempPathFor(op.to, ctx.run, op.id);
  let difference: CopyDifference | undefined;
  for (let attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
    await assertNoLinkAbove(ctx, op.from);
    const before = await fs.lstat(op.from);
    if (before.type !== 'file') throw staleError(`${op.from} is no longer a regular file.`, op.from);
    const data = await fs.readFile(op.from);
    const after = await fs.lstat(op.from);
    await assertNoLinkAbove(ctx, op.from);
    const during = compareCopy(after, before) ?? compareCopy(after, { ...before, size: data.length });
    if (during !== undefined) {
      difference = during;
      continue;
    }
    if (data.length < op.expectFrom.size) {
      throw staleError(`${op.from} shrank from ${op.expectFrom.size} to ${data.length} bytes.`, op.from);
    }
    if (op.expectFrom.hash !== undefined) {
      const hash = createHash('sha256').update(data.subarray(0, op.expectFrom.size)).digest('hex');
      if (hash !== op.expectFrom.hash) throw staleError(`${op.from} no longer holds what the plan compared.`, op.from);
    }
    const forked = replaceSessionId(data, op.oldSessionId, op.newSessionId);
    const handle = await fs.open(tmp, 'wx', before.mode);
    try {
      await handle.write(forked);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if ((await fs.lstat(tmp)).mode !== before.mode) await fs.chmod(tmp, before.mode);
    // To the microsecond where the filesystem can, like a copy: a fork set to whole
    // (rounded) milliseconds would floor to a different millisecond than its source.
    if (fs.copyTimes) await fs.copyTimes(op.from, tmp);
    else await fs.utimes(tmp, before.atimeMs, before.mtimeMs);
    const written = await fs.lstat(tmp);
    if (written.size !== forked.length) {
      throw verifyError(`The fork of ${op.from} did not verify (${written.size} of ${forked.length} bytes).`, op.to);
    }
    // Without copyTimes the fork has whole milliseconds, so only those can be compared.
    const timeDiffers = fs.copyTimes
      ? compareCopy({ ...before, size: written.size }, written)
      : compareCopy({ size: written.size, mtimeMs: before.mtimeMs }, { size: written.size, mtimeMs: written.mtimeMs });
    if (timeDiffers !== undefined) {
      // The source changed between the read and copying its time: fork again.
      difference = timeDiffers;
      await fs.unlink(tmp);
      continue;
    }
    await assertAbsent(fs, op.to);
    await fs.rename(tmp, op.to);
    ctx.copies.set(op.id, {
      op,
      source: op.from,
      sourceSize: data.length,
      sourceMtimeMs: before.mtimeMs,
      size: forked.length,
    });
    ctx.counters.bytesCopied += forked.length;
    return { copy: { size: forked.length, mtimeMs: written.mtimeMs, cloned: false }, bytes: forked.length };
  }
  throw keptChangingError(op.from, op.to, 'forked', difference);
}

async function rename(ctx: StepContext, op: RenameOperation): Promise<StepResult> {
  const { fs } = ctx;
  const from = await readActual(fs, op.from);
  if (from.type !== op.expectFrom.type) {
    throw staleError(`${op.from} is no longer a ${op.expectFrom.type}.`, op.from);
  }
  await assertAbsent(fs, op.to);
  await fs.rename(op.from, op.to);
  // What moved must be what was checked: a folder swapped for a link in between would put
  // the link in the backup and leave the sessions where it points. (Across devices the
  // move copies, so only the type can be compared there.)
  const moved = await readActual(fs, op.to);
  const movedStat = moved.type === 'absent' ? undefined : moved.stat;
  const fromStat = from.type === 'absent' ? undefined : from.stat;
  if (
    moved.type !== from.type ||
    (movedStat && fromStat && movedStat.dev === fromStat.dev && movedStat.ino !== fromStat.ino)
  ) {
    throw staleError(`${op.from} was replaced (by ${describeActual(moved)}) while it was being moved.`, op.from);
  }
  // Sources copied earlier now sit under op.to. Bytes appended to them between their
  // copy and this move are carried to the copies; then the copies are flushed to the
  // device, since from now on they are what the accounts see. (One flush per copy here,
  // rather than in each copy step, lets the copies themselves run at full speed.)
  const copies = (ctx.resyncTargets.get(op.id) ?? [])
    .map((id) => ctx.copies.get(id))
    .filter((c): c is CopyState => c !== undefined);
  for (const copy of copies) copy.source = rebase(copy.source, op.from, op.to);
  const carried = await mapLimit(copies, ctx.concurrency, (copy) => resync(ctx, copy));
  if (ctx.durable && copies.length > 0) await flushCopies(ctx, copies);
  return { bytes: carried.reduce((a, b) => a + b, 0) };
}

/**
 * Puts the copies on the device. Where the filesystem can flush everything written to it
 * in one call ({@link FileSystem.syncFileSystem}: `syncfs(2)` on Linux), that is one call
 * for all of them, their folders' entries included; else one fsync per copy.
 */
async function flushCopies(ctx: StepContext, copies: readonly CopyState[]): Promise<void> {
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

async function makeLink(ctx: StepContext, op: SymlinkOperation): Promise<StepResult> {
  await assertAbsent(ctx.fs, op.path);
  await ctx.fs.symlink(op.linkText ?? op.target, op.path, op.linkType === 'junction' ? 'junction' : 'dir');
  return { bytes: 0 };
}

async function removeLink(ctx: StepContext, op: UnlinkSymlinkOperation): Promise<StepResult> {
  const state = await readActual(ctx.fs, op.path);
  if (state.type !== 'symlink' || state.target !== op.expect.target) {
    throw staleError(`${op.path} is no longer the link to ${op.expect.target}.`, op.path);
  }
  await ctx.fs.unlink(op.path);
  return { bytes: 0 };
}

async function writeFile(ctx: StepContext, op: WriteFileOperation): Promise<StepResult> {
  const { fs } = ctx;
  const tmp = tempPathFor(op.path, ctx.run, op.id);
  const content = Buffer.from(op.content);
  if (op.expect.type === 'file' && op.backupTo !== undefined) {
    const current = await readActual(fs, op.path);
    if (current.type !== 'file') throw staleError(`${op.path} is no longer a file.`, op.path);
    await assertAbsent(fs, op.backupTo);
    await fs.copyFile(op.path, op.backupTo, { exclusive: true });
    const kept = await fs.lstat(op.backupTo);
    if (kept.size !== current.size) throw verifyError(`The backup copy of ${op.path} did not verify.`, op.backupTo);
  } else {
    await assertAbsent(fs, op.path);
  }
  const handle = await fs.open(tmp, 'wx', op.mode);
  try {
    await handle.write(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const written = await fs.lstat(tmp);
  if (written.mode !== op.mode) await fs.chmod(tmp, op.mode);
  if (written.size !== content.length) throw verifyError(`${tmp} did not verify after writing.`, op.path);
  if (op.expect.type === 'absent') await assertAbsent(fs, op.path);
  await fs.rename(tmp, op.path);
  return { bytes: content.length };
}

// ---------------------------------------------------------------------------------------
// Undoing: each step looks at the disk, so it can run on a half-done operation, twice,
// or after a crash. Nothing that is not provably the apply's own is removed.
// ---------------------------------------------------------------------------------------

export interface UndoContext {
  fs: FileSystem;
  run: string;
  createdDirs: ReadonlySet<string>;
  /** Where a path named by the plan is now, given the renames not undone yet. */
  locate: (path: string) => string;
}

export async function undoOperation(ctx: UndoContext, op: Operation): Promise<KeptItem[]> {
  const kept: KeptItem[] = [];
  const keep = (path: string, reason: string) => kept.push({ operationId: op.id, path, reason });
  const { fs } = ctx;
  switch (op.type) {
    case 'mkdir': {
      if (ctx.createdDirs.has(pathKey(op.path))) break; // removed with the journal's folders
      const state = await readActual(fs, op.path);
      if (state.type !== 'directory') break;
      if ((await fs.readdir(op.path)).length > 0) {
        keep(op.path, 'the folder holds files the apply did not make');
        break;
      }
      await fs.rmdir(op.path);
      break;
    }
    case 'copyFile':
    case 'forkSession': {
      await removeIfPresent(fs, tempPathFor(op.to, ctx.run, op.id));
      const state = await readActual(fs, op.to);
      if (state.type === 'absent') break;
      if (state.type !== 'file') {
        keep(op.to, 'something other than the copy is there now');
        break;
      }
      const source = ctx.locate(op.from);
      let ours = false;
      try {
        if (op.type === 'copyFile') ours = await isPrefixFile(fs, op.to, source);
        else {
          const forked = replaceSessionId(await fs.readFile(source), op.oldSessionId, op.newSessionId);
          const held = await fs.readFile(op.to);
          ours =
            held.length <= forked.length && Buffer.compare(Buffer.from(held), forked.subarray(0, held.length)) === 0;
        }
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
      }
      if (ours) await fs.unlink(op.to);
      else keep(op.to, `it holds bytes that ${source} does not (written after the copy); kept so nothing is lost`);
      break;
    }
    case 'hardLink': {
      const state = await readActual(fs, op.to);
      if (state.type === 'absent') break;
      const source = await readActual(fs, ctx.locate(op.from));
      if (
        state.type === 'file' &&
        source.type === 'file' &&
        state.stat.ino === source.stat.ino &&
        state.stat.dev === source.stat.dev
      ) {
        await fs.unlink(op.to);
      } else keep(op.to, 'it is not (or no longer provably) a second name of its source; kept so nothing is lost');
      break;
    }
    case 'rename': {
      const at = ctx.locate(op.to);
      const moved = await readActual(fs, at);
      if (moved.type === 'absent') break;
      if (moved.type !== op.expectFrom.type) {
        keep(at, `it is not the ${op.expectFrom.type} the apply moved there`);
        break;
      }
      await moveBack(fs, at, ctx.locate(op.from), keep);
      break;
    }
    case 'symlink': {
      const state = await readActual(fs, op.path);
      if (state.type === 'absent') break;
      if (state.type === 'symlink' && state.target === (op.linkText ?? op.target)) await fs.unlink(op.path);
      else keep(op.path, `it is not the link to ${op.linkText ?? op.target} the apply made`);
      break;
    }
    case 'unlinkSymlink': {
      const state = await readActual(fs, op.path);
      if (state.type === 'absent') {
        await fs.symlink(op.expect.target, op.path, 'dir');
      } else if (state.type !== 'symlink' || state.target !== op.expect.target) {
        keep(op.path, `something else is there now; the link to ${op.expect.target} was not put back`);
      }
      break;
    }
    case 'writeFile':
      await undoWriteFile(ctx, op, keep);
      break;
    case 'removeFile': {
      const held = heldPathOf(op, ctx.run);
      const [state, holding] = await Promise.all([readActual(fs, op.path), readActual(fs, held)]);
      if (holding.type === 'absent') break; // never moved (or already put back)
      if (state.type === 'absent') await fs.rename(held, op.path);
      else keep(held, `something is at ${op.path} again; the file the apply set aside stays at this name`);
      break;
    }
  }
  return kept;
}

async function undoWriteFile(
  ctx: UndoContext,
  op: WriteFileOperation,
  keep: (path: string, reason: string) => void,
): Promise<void> {
  const { fs } = ctx;
  await removeIfPresent(fs, tempPathFor(op.path, ctx.run, op.id));
  const content = Buffer.from(op.content);
  const holds = async (path: string, bytes: Uint8Array) => {
    const state = await readActual(fs, path);
    return state.type === 'file' && state.size === bytes.length && Buffer.compare(await fs.readFile(path), bytes) === 0;
  };
  const current = await readActual(fs, op.path);
  if (op.expect.type === 'absent' || op.backupTo === undefined) {
    if (current.type === 'absent') return;
    if (await holds(op.path, content)) await fs.unlink(op.path);
    else keep(op.path, 'it was changed after the apply wrote it');
    return;
  }
  const backup = await readActual(fs, op.backupTo);
  if (backup.type === 'absent') return; // the old file was never touched
  if (current.type === 'file' && (await holds(op.path, content))) {
    await fs.rename(op.backupTo, op.path);
    return;
  }
  if (current.type === 'file' && (await holds(op.path, await fs.readFile(op.backupTo)))) {
    await fs.unlink(op.backupTo); // the new content never landed: the backup is a spare copy
    return;
  }
  keep(op.backupTo, `${op.path} was changed after the apply wrote it; its old content is kept here`);
}

/**
 * Moves what a rename put at `at` back to `home`. When `home` exists again (a partial
 * cross-device move, or something recreated it), folders are merged back entry by entry
 * and a file is dropped only when the other side already begins with all its bytes.
 */
async function moveBack(
  fs: FileSystem,
  at: string,
  home: string,
  keep: (path: string, reason: string) => void,
): Promise<void> {
  const moved = await readActual(fs, at);
  if (moved.type === 'absent') return;
  const there = await readActual(fs, home);
  if (there.type === 'absent') {
    await fs.rename(at, home);
    return;
  }
  if (moved.type === 'directory' && there.type === 'directory') {
    for (const entry of await fs.readdir(at)) await moveBack(fs, join(at, entry.name), join(home, entry.name), keep);
    if ((await fs.readdir(at)).length === 0) await fs.rmdir(at);
    return;
  }
  if (moved.type === 'file' && there.type === 'file' && (await isPrefixFile(fs, at, home))) {
    await fs.unlink(at);
    return;
  }
  if (moved.type === 'symlink' && there.type === 'symlink' && moved.target === there.target) {
    await fs.unlink(at);
    return;
  }
  keep(at, `${home} exists again with other content; both are kept`);
}
