/**
 * Every error this library throws on purpose is a {@link SharedSessionsError}: it has a
 * stable string `code`, a message that says what to do, the `path` it is about when there
 * is one, and the original error as `cause`.
 */

import type { ErrorCode } from './codes.js';

export type { CliErrorCode, ErrorCode } from './codes.js';

/**
 * The stable error codes by name (the list, with each code's advice, is in `codes.ts`).
 * Scripts may switch on these; they never change meaning.
 */
export const ErrorCodes = {
  /** A folder the operation needs does not exist. */
  NOT_FOUND: 'ENOTFOUND_ACCOUNT',
  /** A path exists but is not what it must be (a file where a folder is needed, ...). */
  NOT_A_DIRECTORY: 'ENOTDIR_ACCOUNT',
  /** Permission denied while reading or writing. */
  PERMISSION: 'EPERMISSION',
  /** An option or argument is invalid. */
  INVALID_OPTION: 'EINVALID_OPTION',
  /** A folder name that must never be shared (credentials, `sessions/`, ...). */
  FORBIDDEN_FOLDER: 'EFORBIDDEN_FOLDER',
  /** A plan failed validation (outside its roots, two writers of one path, ...). */
  INVALID_PLAN: 'EINVALID_PLAN',
  /** A plan of a version this library does not know, or not a plan at all. */
  PLAN_VERSION: 'EPLAN_VERSION',
  /** The disk no longer matches what the plan expected. */
  STALE_PLAN: 'ESTALE_PLAN',
  /** Another apply holds the lock of this shared folder. */
  LOCKED: 'ELOCKED',
  /** The lock was lost while the apply ran. */
  LOCK_COMPROMISED: 'ECOMPROMISED',
  /** An interrupted apply left a journal: run recover first. */
  DIRTY_JOURNAL: 'EDIRTY_JOURNAL',
  /** Claude Code is running with an account the operation touches. */
  CLAUDE_RUNNING: 'ECLAUDE_RUNNING',
  /** Diverged copies of one session and the caller asked to refuse on conflicts. */
  CONFLICT: 'ECONFLICT',
  /** A copy did not verify (size or hash differ from the source). */
  VERIFY_FAILED: 'EVERIFY',
  /** A symlink would be followed out of the roots the plan was made for. */
  OUTSIDE_ROOTS: 'EOUTSIDE_ROOTS',
  /** The operation was aborted through its AbortSignal. */
  ABORTED: 'EABORTED',
  /** The shared folder is unsafe (writable by others, owned by someone else). */
  UNSAFE_SHARED: 'EUNSAFE_SHARED',
  /** The disk (or the user's quota) is full. */
  NO_SPACE: 'ENOSPACE',
  /** The clock is behind what is on disk (a backup stamped later than now). */
  CLOCK: 'ECLOCK',
  /** A sync engine's folder is laid out so that it loses data (Syncthing's root is `projects/` itself). */
  SYNC_LAYOUT: 'ESYNC_LAYOUT',
  /** The filesystem cannot make a hard link there (no hard links, or two devices). */
  LINK_UNSUPPORTED: 'ELINK_UNSUPPORTED',
  /** No chosen account has the session asked for (or it cannot be resumed where it was). */
  SESSION_NOT_FOUND: 'ENOTFOUND_SESSION',
  /** An I/O error the library did not expect; `cause` holds the original. */
  IO: 'EIO_UNEXPECTED',
} as const satisfies Record<string, ErrorCode>;

/**
 * Marks this package's errors. A symbol from the global registry, so that an error made
 * by the CommonJS build is recognised by the ESM build's guards and the other way round
 * (two copies of a class fail `instanceof`).
 */
const ERROR_BRAND = Symbol.for('claude-shared-sessions.error');

/** True for an error made by any copy of this package (ESM or CommonJS build). */
function isBranded(error: unknown): error is SharedSessionsError<string> {
  return typeof error === 'object' && error !== null && (error as { [ERROR_BRAND]?: unknown })[ERROR_BRAND] === true;
}

export interface SharedSessionsErrorOptions {
  path?: string | undefined;
  cause?: unknown;
  /** Extra machine-readable detail (what drifted, which pids run, ...). */
  details?: unknown;
}

/**
 * Base class of every error this package throws on purpose. The command's own errors
 * (`CliError`) and the executor's (`ApplyError`) extend it with their codes and fields.
 */
export class SharedSessionsError<C extends string = ErrorCode> extends Error {
  override readonly name: string = 'SharedSessionsError';
  readonly code: C;
  readonly path: string | undefined;
  readonly details: unknown;

  constructor(code: C, message: string, options: SharedSessionsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.details = options.details;
  }

  /** Plain data, for `--json` output and logs. */
  toJSON(): { name: string; code: C; message: string; path?: string; details?: unknown } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

Object.defineProperty(SharedSessionsError.prototype, ERROR_BRAND, { value: true });

const LIBRARY_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

/**
 * True for any error thrown on purpose by the library (not the command's `CliError`),
 * whichever build made it; narrows to a code when given one.
 */
export function isSharedSessionsError(error: unknown, code?: ErrorCode): error is SharedSessionsError {
  return isBranded(error) && LIBRARY_CODES.has(error.code) && (code === undefined || error.code === code);
}

/** The errno-style `code` of a Node or memfs error, if any. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * What an errno means where it was met, when the caller knows: the executor knows that a
 * path vanishing (ENOENT) or appearing (EEXIST) under it means the disk changed since the
 * plan was made. `say` completes the sentence `<what>: ...`.
 */
export interface ErrnoMeaning {
  code: ErrorCode;
  say: (path: string) => string;
}

/**
 * Wraps an I/O error into a typed one, so that callers never see a bare `ENOENT` from
 * deep inside the library. Errnos whose meaning does not depend on where they were met
 * (permission, read-only, disk full, not a folder, link loop) have a code of their own;
 * `ENOENT` and `EEXIST` mean something only where they were met: the caller says what in
 * `meanings`, and without one they are `EIO_UNEXPECTED` naming the errno.
 */
export function wrapIoError(
  error: unknown,
  what: string,
  path: string,
  meanings: Readonly<Record<string, ErrnoMeaning>> = {},
): SharedSessionsError {
  if (isSharedSessionsError(error)) return error;
  const errno = errnoCode(error);
  const make = (code: ErrorCode, say: string) =>
    new SharedSessionsError(code, `${what}: ${say}`, { path, cause: error });
  const meaning = errno === undefined || !Object.hasOwn(meanings, errno) ? undefined : meanings[errno];
  if (meaning !== undefined) return make(meaning.code, meaning.say(path));
  switch (errno) {
    case 'ENOTDIR':
      return make(ErrorCodes.NOT_A_DIRECTORY, `${path} is not a folder.`);
    case 'EACCES':
    case 'EPERM':
      return make(
        ErrorCodes.PERMISSION,
        `permission denied on ${path}. Check its owner and mode (ls -ld), or run as the user who owns it.`,
      );
    case 'EROFS':
      return make(
        ErrorCodes.PERMISSION,
        `${path} is on a read-only file system. Remount it read-write, or choose a shared folder on a writable disk.`,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return make(
        ErrorCodes.NO_SPACE,
        `${errno === 'EDQUOT' ? 'your disk quota is used up' : 'the disk is full'} (at ${path}). Free some space (describePlan shows how many bytes the plan copies; clones and same-disk moves take none), then try again.`,
      );
    case 'ELOOP':
      return make(
        ErrorCodes.OUTSIDE_ROOTS,
        `${path} goes through a link loop. Remove the loop (ls -l the folders on the way), then try again.`,
      );
    case 'ENOENT':
      return make(ErrorCodes.IO, `ENOENT: ${path} does not exist (it vanished while it was read or written).`);
    case 'EEXIST':
      return make(ErrorCodes.IO, `EEXIST: ${path} already exists where nothing was expected.`);
    default:
      return make(
        ErrorCodes.IO,
        `${errno ?? 'unexpected error'} on ${path}: ${error instanceof Error ? error.message : String(error)}`,
      );
  }
}

/**
 * What ENOENT and EEXIST mean to the executor: the disk changed under the plan (Claude
 * Code running, or another tool), so the plan is stale.
 */
export const DISK_CHANGED: Readonly<Record<string, ErrnoMeaning>> = {
  ENOENT: {
    code: ErrorCodes.STALE_PLAN,
    say: (path) =>
      `${path} vanished while the plan was applied (Claude Code running, or another tool). Quit Claude Code, make the plan again and apply the new one.`,
  },
  EEXIST: {
    code: ErrorCodes.STALE_PLAN,
    say: (path) =>
      `${path} appeared while the plan was applied (Claude Code running, or another tool). It was left untouched. Quit Claude Code, make the plan again and apply the new one.`,
  },
};
