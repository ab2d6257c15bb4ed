import { type ErrorCode, SharedSessionsError, type SharedSessionsErrorOptions } from '../errors.js';
import type { UndoOutcome } from './types.js';

/** Marks an {@link ApplyError} across the ESM and CommonJS builds (see `errors.ts`). */
const APPLY_ERROR_BRAND = Symbol.for('claude-shared-sessions.apply-error');

/**
 * What {@link applyPlan} throws when the apply started and failed: the original error's
 * code, message, path, details and cause, plus `undo`, the outcome of undoing what ran.
 */
export class ApplyError extends SharedSessionsError {
  override readonly name: string = 'ApplyError';
  /** What the undo did: how much it undid, what it kept, what failed, the journal left for recover. */
  readonly undo: UndoOutcome;

  constructor(code: ErrorCode, message: string, options: SharedSessionsErrorOptions & { undo: UndoOutcome }) {
    super(code, message, options);
    this.undo = options.undo;
  }

  /** The same error, with the undo's outcome; keeps the original's stack. */
  static from(original: SharedSessionsError, undo: UndoOutcome): ApplyError {
    const error = new ApplyError(original.code, original.message, {
      path: original.path,
      details: original.details,
      cause: original.cause,
      undo,
    });
    if (original.stack !== undefined) error.stack = original.stack.replace(/^SharedSessionsError/, 'ApplyError');
    return error;
  }
}
Object.defineProperty(ApplyError.prototype, APPLY_ERROR_BRAND, { value: true });

/** True for an error {@link applyPlan} threw after it started, whichever build made it. */
export function isApplyError(error: unknown): error is ApplyError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [APPLY_ERROR_BRAND]?: unknown })[APPLY_ERROR_BRAND] === true
  );
}

/**
 * The undo outcome of an error thrown by {@link applyPlan}, if any: how many
 * operations were undone, what was kept rather than removed, what could not be undone,
 * and the journal left for {@link recover} when the undo was not complete.
 *
 * @example
 * ```ts
 * try {
 *   await applyPlan(plan);
 * } catch (error) {
 *   const undo = undoOutcomeOf(error);
 *   if (undo && !undo.complete) console.error(`Run recover: the journal is at ${undo.journal}`);
 *   for (const k of undo?.kept ?? []) console.error(`kept ${k.path}: ${k.reason}`);
 * }
 * ```
 */
export function undoOutcomeOf(error: unknown): UndoOutcome | undefined {
  return isApplyError(error) ? error.undo : undefined;
}
