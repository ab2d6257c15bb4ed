import type { CliErrorCode } from '../codes.js';
import { ErrorCodes, isSharedSessionsError, SharedSessionsError } from '../errors.js';

/** Exit codes of the command. */
export const ExitCode = {
  /** Success; for `plan`: nothing to do. */
  OK: 0,
  /** An error: bad option, unreadable folder, a failed apply (undone). */
  ERROR: 1,
  /** `plan` (and `doctor`) found work to do. */
  WORK_TO_DO: 2,
  /** Refused: stale plan, lock held, Claude Code running, dirty journal, not confirmed. */
  REFUSED: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Codes of the errors the command itself raises (the library's codes are in `ErrorCodes`). */
export const CliErrorCodes = {
  /** Not on a terminal and `--yes` not given: nothing was changed. */
  NEEDS_CONFIRMATION: 'ENEEDS_CONFIRMATION',
  /** The user answered no at the prompt: nothing was changed. */
  DECLINED: 'EDECLINED',
  /** The command line could not be parsed. */
  USAGE: 'EUSAGE',
  /** A plan file could not be read or is not JSON. */
  PLAN_FILE: 'EPLAN_FILE',
  /** `resume` could not start Claude Code (not installed, not on PATH, CLAUDE_BIN wrong). */
  CLAUDE_NOT_STARTED: 'ECLAUDE_NOT_STARTED',
} as const satisfies Record<string, CliErrorCode>;

export type { CliErrorCode };

/**
 * An error raised by the command itself, printed like the library's: `code: sentence`.
 * Same base class as the library's errors, with the command's own codes (`codes.ts`);
 * the library's guard `isSharedSessionsError` does not claim it.
 */
export class CliError extends SharedSessionsError<CliErrorCode> {
  override readonly name: string = 'CliError';
}

/** The command's errors live in this bundle only, so `instanceof` is enough here. */
export function isCliError(error: unknown): error is CliError {
  return error instanceof CliError;
}

const REFUSALS = new Set<string>([
  ErrorCodes.STALE_PLAN,
  ErrorCodes.LOCKED,
  ErrorCodes.CLAUDE_RUNNING,
  ErrorCodes.DIRTY_JOURNAL,
  ErrorCodes.CONFLICT,
  ErrorCodes.UNSAFE_SHARED,
  CliErrorCodes.NEEDS_CONFIRMATION,
  CliErrorCodes.DECLINED,
]);

/** The error's code, whoever raised it; `EIO_UNEXPECTED` for anything untyped. */
export function codeOf(error: unknown): string {
  if (isCliError(error) || isSharedSessionsError(error)) return error.code;
  return ErrorCodes.IO;
}

export function exitCodeFor(error: unknown): ExitCodeValue {
  return REFUSALS.has(codeOf(error)) ? ExitCode.REFUSED : ExitCode.ERROR;
}

/** Plain data for `--json`: `{ code, message, path?, details? }`. */
export function errorToJSON(error: unknown): { code: string; message: string; path?: string; details?: unknown } {
  if (isCliError(error) || isSharedSessionsError(error)) {
    const { code, message, path, details } = error.toJSON();
    return { code, message, ...(path === undefined ? {} : { path }), ...(details === undefined ? {} : { details }) };
  }
  return { code: ErrorCodes.IO, message: error instanceof Error ? error.message : String(error) };
}
