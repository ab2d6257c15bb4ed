/**
 * The operation table: one row per operation type, each in its own module, saying
 * everything the type means (see {@link OperationSpec}). The builder, `validatePlan`,
 * `describePlan`, preflight's simulation, the scheduler, the executor and the undo
 * iterate it. To add a type: write `./<type>.ts` with its interface and its row, add
 * both here (the compiler then checks the union and the list), and give it tests.
 */
import type { FileSystem } from '../fs/types.js';
import type {
  Keep,
  KeptItem,
  LocalStepContext,
  NamedPath,
  OperationSpec,
  ReportCounter,
  StepContext,
  StepResult,
  UndoContext,
} from './base.js';
import { type CopyFileOperation, copyFile } from './copy-file.js';
import { type ForkSessionOperation, forkSession } from './fork-session.js';
import { type HardLinkOperation, hardLink } from './hard-link.js';
import { type MkdirOperation, mkdir } from './mkdir.js';
import { type RemoveDirOperation, removeDir } from './remove-dir.js';
import { type RemoveFileOperation, removeFile } from './remove-file.js';
import { type RenameOperation, rename } from './rename.js';
import { type SymlinkOperation, symlink } from './symlink.js';
import { type UnlinkSymlinkOperation, unlinkSymlink } from './unlink-symlink.js';
import { type WriteFileOperation, writeFile } from './write-file.js';

export type Operation =
  | MkdirOperation
  | RemoveFileOperation
  | RemoveDirOperation
  | HardLinkOperation
  | CopyFileOperation
  | ForkSessionOperation
  | RenameOperation
  | SymlinkOperation
  | UnlinkSymlinkOperation
  | WriteFileOperation;

export type OperationType = Operation['type'];

type Table = { readonly [K in OperationType]: OperationSpec<Extract<Operation, { type: K }>> };

/** Every operation type's row. */
export const OPERATIONS: Table = {
  mkdir,
  copyFile,
  forkSession,
  rename,
  symlink,
  unlinkSymlink,
  writeFile,
  hardLink,
  removeFile,
  removeDir,
};

/** Every operation type, in the table's order. */
export const OPERATION_TYPES = Object.keys(OPERATIONS) as OperationType[];

const KNOWN = new Set<string>(OPERATION_TYPES);

/** True when `type` names an operation type. */
export function isOperationType(type: unknown): type is OperationType {
  return typeof type === 'string' && KNOWN.has(type);
}

/** The row of an operation's type. */
export function specOf<T extends Operation>(op: T): OperationSpec<T> {
  return OPERATIONS[op.type] as unknown as OperationSpec<T>;
}

/** Every path an operation names, with what it does there. */
export function namedPaths(op: Operation): NamedPath[] {
  return specOf(op).paths(op);
}

/** Every path an operation reads, creates, replaces or removes (for scheduling), link targets aside. */
export function pathsOf(op: Operation): string[] {
  const paths: string[] = [];
  for (const named of specOf(op).paths(op)) if (named.role !== 'link-target') paths.push(named.path);
  return paths;
}

/** Runs one operation. */
export function runOperation(ctx: StepContext, op: Operation): Promise<StepResult> {
  return specOf(op).run(ctx, op);
}

/** True when an operation's step may run on its own, on a worker thread (its row has `runLocal`). */
export function runsLocally(op: Operation): boolean {
  return specOf(op).runLocal !== undefined;
}

/** Runs one operation whose step {@link runsLocally}, with only what it may use. */
export function runLocalOperation(ctx: LocalStepContext, op: Operation): Promise<StepResult> {
  const run = specOf(op).runLocal;
  if (run === undefined) throw new Error(`${op.type} does not run on its own`);
  return run(ctx, op);
}

/** Undoes one operation; returns what it left in place. */
export async function undoOperation(ctx: UndoContext, op: Operation): Promise<KeptItem[]> {
  const kept: KeptItem[] = [];
  const keep: Keep = (path, reason) => kept.push({ operationId: op.id, path, reason });
  await specOf(op).undo(ctx, op, keep);
  return kept;
}

/** The counter of the apply's report a done operation adds one to, if any. */
export function reportCounterOf(op: Operation): ReportCounter | undefined {
  return specOf(op).counts;
}

/** After the commit: each operation's final step (held files removed). Returns problems, as warnings. */
export async function afterCommit(fs: FileSystem, operations: readonly Operation[], run: string): Promise<string[]> {
  const problems: string[] = [];
  for (const op of operations) {
    const spec = specOf(op);
    if (spec.afterCommit === undefined) continue;
    const problem = await spec.afterCommit(fs, op, run);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

/** The path an operation is mainly about (for messages): its `path`, else its destination. */
export function mainPath(op: Operation): string {
  return 'path' in op ? op.path : op.to;
}
