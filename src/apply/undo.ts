import { errnoCode } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import type { PathRules } from '../layout/paths.js';
import { mainPath, specOf, undoOperation } from '../operations/table.js';
import type { Operation } from '../plan/types.js';
import type { JournalWriter } from './journal.js';
import type { KeptItem, UndoError } from './types.js';

export interface UndoInput {
  fs: FileSystem;
  run: string;
  /** How the plan's paths compare (its `caseInsensitive`); `createdDirs` holds its keys. */
  rules: PathRules;
  createdDirs: ReadonlySet<string>;
  /** The plan's operations, in plan order. */
  operations: readonly Operation[];
  /** Ids of the operations that were started (their intent was written), in any order. */
  started: ReadonlySet<string>;
  /** Ids already undone by an earlier undo (from the journal). */
  alreadyUndone?: ReadonlySet<string>;
  journal: JournalWriter | undefined;
}

export interface UndoResult {
  undone: number;
  kept: KeptItem[];
  errors: UndoError[];
}

/**
 * Undoes every started operation in reverse plan order (operations that ran at once
 * touch unrelated paths, so plan order is a valid reverse). A failing step is recorded
 * and the undo goes on: one stuck file must not leave every other account half-moved.
 */
export async function undoStarted(input: UndoInput): Promise<UndoResult> {
  const { fs, operations, started, rules } = input;
  const { isInsideNormal: isInside, rebase } = rules;
  const indexed = operations.map((op, index) => ({ op, index })).filter(({ op }) => started.has(op.id));
  /** Moves that may still hold things elsewhere than the plan names them. */
  const active = new Map<number, { from: string; to: string }>();
  for (const { op, index } of indexed) {
    const move = specOf(op).moveOf?.(op);
    if (move !== undefined) active.set(index, move);
  }
  const locate = (after: number) => (path: string) => {
    let current = path;
    for (const [index, r] of [...active.entries()].sort((a, b) => a[0] - b[0])) {
      if (index > after && isInside(r.from, current)) current = rebase(current, r.from, r.to);
    }
    return current;
  };

  const result: UndoResult = { undone: 0, kept: [], errors: [] };
  for (const { op, index } of indexed.reverse()) {
    if (input.alreadyUndone?.has(op.id)) {
      active.delete(index);
      result.undone++;
      continue;
    }
    if (specOf(op).flushBeforeUndo) {
      // Records of the steps undone so far reach the disk before a structural step
      // (a move back, a link, a folder) is undone: otherwise, after a crash, recover
      // would undo them again on a disk where this step is already undone (it would see
      // the restored folder where it removed its link, say). Copies, the bulk, need no
      // such flush: undoing one again only finds it gone.
      try {
        await input.journal?.flush();
      } catch {
        // A journal that cannot be written must not stop the undo.
      }
    }
    try {
      const kept = await undoOperation(
        { fs, rules, run: input.run, createdDirs: input.createdDirs, locate: locate(index) },
        op,
      );
      result.kept.push(...kept);
      result.undone++;
      if (kept.length === 0) active.delete(index);
      input.journal?.append({ t: 'undone', op: op.id, ...(kept.length > 0 ? { kept } : {}) });
    } catch (error) {
      result.errors.push({
        operationId: op.id,
        path: mainPath(op),
        code: errnoCode(error) ?? (error as { code?: string }).code,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  try {
    await input.journal?.flush();
  } catch {
    // The journal is a record of the undo, not its precondition; a full disk must not stop it.
  }
  return result;
}
