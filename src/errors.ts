/**
 * Every error this library throws on purpose is a {@link SharedSessionsError}: it has a
 * stable string `code`, a message that says what to do, the `path` it is about when there
 * is one, and the original error as `cause`.
 */

/** The stable error codes. Scripts may switch on these; they never change meaning. */
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
  /** Nothing to roll back, no backup to restore, ... */
  NOTHING_TO_DO: 'ENOTHING',
  /** The disk (or the user's quota) is full. */
  NO_SPACE: 'ENOSPACE',
  /** The clock is behind what is on disk (a backup stamped later than now). */
  CLOCK: 'ECLOCK',
  /** A sync engine's folder is laid out so that it loses data (Syncthing's root is `projects/` itself). */
  SYNC_LAYOUT: 'ESYNC_LAYOUT',
  /** A sync engine is still writing the files a plan would touch (its temp files, changing mtimes). */
  SYNC_BUSY: 'ESYNC_BUSY',
  /** The filesystem cannot make a hard link there (no hard links, or two devices). */
  LINK_UNSUPPORTED: 'ELINK_UNSUPPORTED',
  /** No chosen account has the session asked for (or it cannot be resumed where it was). */
  SESSION_NOT_FOUND: 'ENOTFOUND_SESSION',
  /** An I/O error the library did not expect; `cause` holds the original. */
  IO: 'EIO_UNEXPECTED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface SharedSessionsErrorOptions {
  path?: string | undefined;
  cause?: unknown;
  /** Extra machine-readable detail (what drifted, which pids run, ...). */
  details?: unknown;
}

/** Base class of every error this library throws on purpose. */
export class SharedSessionsError extends Error {
  override readonly name: string = 'SharedSessionsError';
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: SharedSessionsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.details = options.details;
  }

  /** Plain data, for `--json` output and logs. */
  toJSON(): { name: string; code: ErrorCode; message: string; path?: string; details?: unknown } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** True for any error thrown on purpose by this library; narrows to a code when given one. */
export function isSharedSessionsError(error: unknown, code?: ErrorCode): error is SharedSessionsError {
  return error instanceof SharedSessionsError && (code === undefined || error.code === code);
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
 * Wraps an unexpected I/O error into a typed one, choosing the code from errno, so that
 * callers never see a bare `ENOENT` from deep inside the library.
 */
export function wrapIoError(error: unknown, what: string, path: string): SharedSessionsError {
  if (error instanceof SharedSessionsError) return error;
  const errno = errnoCode(error);
  switch (errno) {
    case 'ENOENT':
      return new SharedSessionsError(ErrorCodes.NOT_FOUND, `${what}: ${path} does not exist.`, { path, cause: error });
    case 'ENOTDIR':
      return new SharedSessionsError(ErrorCodes.NOT_A_DIRECTORY, `${what}: ${path} is not a folder.`, {
        path,
        cause: error,
      });
    case 'EACCES':
    case 'EPERM':
      return new SharedSessionsError(
        ErrorCodes.PERMISSION,
        `${what}: permission denied on ${path}. Check its owner and mode (ls -ld), or run as the user who owns it.`,
        { path, cause: error },
      );
    case 'EROFS':
      return new SharedSessionsError(
        ErrorCodes.PERMISSION,
        `${what}: ${path} is on a read-only file system. Remount it read-write, or choose a shared folder on a writable disk.`,
        { path, cause: error },
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new SharedSessionsError(
        ErrorCodes.NO_SPACE,
        `${what}: ${errno === 'EDQUOT' ? 'your disk quota is used up' : 'the disk is full'} (at ${path}). Free some space (describePlan shows how many bytes the plan copies; clones and same-disk moves take none), then try again.`,
        { path, cause: error },
      );
    case 'EEXIST':
      return new SharedSessionsError(
        ErrorCodes.STALE_PLAN,
        `${what}: ${path} appeared while the plan was applied (Claude Code running, or another tool). It was left untouched. Quit Claude Code, make the plan again and apply the new one.`,
        { path, cause: error },
      );
    case 'ELOOP':
      return new SharedSessionsError(
        ErrorCodes.OUTSIDE_ROOTS,
        `${what}: ${path} goes through a link loop. Remove the loop (ls -l the folders on the way), then try again.`,
        { path, cause: error },
      );
    default:
      return new SharedSessionsError(
        ErrorCodes.IO,
        `${what}: ${errno ?? 'unexpected error'} on ${path}: ${error instanceof Error ? error.message : String(error)}`,
        { path, cause: error },
      );
  }
}
