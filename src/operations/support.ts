/**
 * Helpers the operations' `run` and `undo` share: typed failures, the checks made at the
 * moment a step runs, and the small file routines several types need.
 */
import { dirname } from 'node:path';
import { ErrorCodes, errnoCode, SharedSessionsError } from '../errors.js';
import type { CopyDifference } from '../fs/times.js';
import type { FileSystem } from '../fs/types.js';
import type {
  DescribeGroup,
  ExpectedFile,
  ExpectedState,
  NamedPath,
  Precondition,
  ShapeChecks,
  StepContext,
  TreeEffects,
} from './base.js';
import { readActual } from './state.js';

export function verifyError(message: string, path: string): SharedSessionsError {
  return new SharedSessionsError(ErrorCodes.VERIFY_FAILED, message, { path });
}

export function staleError(message: string, path: string): SharedSessionsError {
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
export async function assertNoLinkAbove(
  ctx: Pick<StepContext, 'fs' | 'realpaths' | 'rules'>,
  path: string,
  cleanup?: string,
): Promise<void> {
  const { fs } = ctx;
  const dir = dirname(path);
  const real = ctx.realpaths ? await ctx.realpaths.run(dir, () => fs.realpath(dir)) : await fs.realpath(dir);
  if (ctx.rules.key(real) === ctx.rules.key(dir)) return;
  if (cleanup !== undefined) await removeIfPresent(fs, cleanup);
  throw new SharedSessionsError(
    ErrorCodes.OUTSIDE_ROOTS,
    `${dir} became a link (or a folder above it did) while the plan was applied; nothing is read through it, and the apply was undone. Check who changes that folder, then make the plan again.`,
    { path: dir },
  );
}

/** Fails with EEXIST when something is at `path`: renames would replace it silently. */
export async function assertAbsent(fs: FileSystem, path: string): Promise<void> {
  const state = await readActual(fs, path);
  if (state.type !== 'absent') {
    throw Object.assign(new Error(`EEXIST: ${path} appeared while the plan was applied; it is left untouched`), {
      code: 'EEXIST',
      path,
    });
  }
}

export async function removeIfPresent(fs: FileSystem, path: string): Promise<boolean> {
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

/** How often a copy is retried when its source changed while it was copied. */
export const COPY_ATTEMPTS = 3;

export function keptChangingError(
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

// ---------------------------------------------------------------------------------------
// Building blocks of the pure half
// ---------------------------------------------------------------------------------------

/** `from` read, `to` created: a copy, a fork, a hard link. */
export function readAndCreate(op: { from: string; to: string }): NamedPath[] {
  return [
    { path: op.from, role: 'read', field: 'from' },
    { path: op.to, role: 'create', field: 'to' },
  ];
}

/** The preconditions of a step that makes or removes one path: no link above, as expected, its folder there. */
export function atOnePath(path: string, expected: ExpectedState): Precondition[] {
  return [
    { kind: 'no-link', field: 'path', path },
    { kind: 'expect', field: 'expect', path, expected },
    { kind: 'parent', field: 'path', path },
  ];
}

/** The preconditions of a step from one path to another. */
export function fromTo(
  op: { from: string; to: string; expectFrom: ExpectedState; expectTo: ExpectedState },
  parentOfFrom: boolean,
): Precondition[] {
  return [
    { kind: 'no-link', field: 'from', path: op.from },
    { kind: 'no-link', field: 'to', path: op.to },
    { kind: 'expect', field: 'expectFrom', path: op.from, expected: op.expectFrom },
    { kind: 'expect', field: 'expectTo', path: op.to, expected: op.expectTo },
    ...(parentOfFrom ? [{ kind: 'parent' as const, field: 'from', path: op.from }] : []),
    { kind: 'parent', field: 'to', path: op.to },
  ];
}

/** The fields of a step that reads a file at `from` and makes a new name `to`. */
export function checkFileToAbsent(c: ShapeChecks): void {
  c.path('from');
  c.path('to');
  c.expected('expectFrom', ['file']);
  c.expected('expectTo', ['absent']);
}

/**
 * The file a copy or a link leaves at `to`: the source as the plan saw it. `approximate`
 * for a fork, whose bytes differ from its source's (the ids): only its type is exact.
 */
export function fileAt(tree: TreeEffects, to: string, from: ExpectedFile, how: 'same' | 'approximate' = 'same'): void {
  // The expectation itself: the tree's `file` reads the fields it keeps (no copy per file).
  if (how === 'same') tree.file(to, from);
  else
    tree.file(to, {
      size: from.size,
      mtimeMs: from.mtimeMs,
      ...(from.mode === undefined ? {} : { mode: from.mode }),
      approximate: true,
    });
}

/** The describe group a table of reasons gives, for the reasons it names (never an inherited key). */
export function groupByReason(
  groups: Readonly<Record<string, DescribeGroup>>,
  reason: string,
): DescribeGroup | undefined {
  return Object.hasOwn(groups, reason) ? groups[reason] : undefined;
}
