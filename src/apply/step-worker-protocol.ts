/** The messages between the executor and its worker threads (./step-workers.ts, ./step-worker.ts). */
import { type ErrorCode, isSharedSessionsError, SharedSessionsError } from '../errors.js';
import type { StepResult } from '../operations/base.js';
import type { ActualState } from '../operations/state.js';
import type { Operation } from '../plan/types.js';

/** Marks the workerData of a step worker. */
export const STEP_WORKER_TAG = 'claude-shared-sessions:step-worker';

/**
 * Slots of the shared control array (an Int32Array over a SharedArrayBuffer every worker
 * holds): {@link STOP} set means start no more steps; {@link NEXT} is the index of the
 * next step of the current group to take, so the workers share a group out among
 * themselves as each becomes free (no round trip per step).
 */
export const STOP = 0;
export const NEXT = 1;
export const CONTROL_SLOTS = 2;

export interface StepWorkerData {
  [STEP_WORKER_TAG]: true;
  control: SharedArrayBuffer;
}

/**
 * Run the steps of `ops`, each taken by whichever worker is free (slot NEXT); or, with
 * `read`, look at each of those paths as the preflight does (`readActual`).
 */
export interface StepRequest {
  id: number;
  ops: Operation[];
  read?: string[];
  /** The run token of the journal (temporary names contain it). */
  run: string;
  /** The plan's rule for comparing paths (`PathRules.caseInsensitive`). */
  caseInsensitive: boolean;
}

/** What a copy held when it was verified (the executor follows it, see CopyState). */
export interface HeldCopy {
  sourceSize: number;
  sourceMtimeMs: number;
  size: number;
}

/** A step a worker finished: its index in the request's `ops`. */
export interface StepDone {
  index: number;
  result: StepResult;
  held?: HeldCopy;
}

/** An error as plain data: what the executor needs to explain it as if it had been thrown here. */
export interface SentError {
  name: string;
  message: string;
  stack?: string;
  /** The library's code or the errno code. */
  code?: string;
  /** True for the library's own errors (`SharedSessionsError`). */
  library: boolean;
  path?: string;
  dest?: string;
  syscall?: string;
  errno?: number;
  details?: unknown;
}

export interface StepReply {
  id: number;
  done: StepDone[];
  /** What a `read` request found: index into `read`, and the state. */
  states?: { index: number; state: ActualState }[];
  counters: { bytesCopied: number; bytesCloned: number; bytesResynced: number };
  /** The step that failed (the worker took no step after it). */
  failed?: { index: number; error: SentError };
}

/** An error thrown on a worker, as plain data the message can carry. */
export function sendError(error: unknown): SentError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), library: false };
  const e = error as Error & Record<string, unknown>;
  const sent: SentError = {
    name: e.name,
    message: e.message,
    library: isSharedSessionsError(error),
    ...(e.stack === undefined ? {} : { stack: e.stack }),
  };
  if (typeof e.code === 'string') sent.code = e.code;
  if (typeof e.path === 'string') sent.path = e.path;
  if (typeof e.dest === 'string') sent.dest = e.dest;
  if (typeof e.syscall === 'string') sent.syscall = e.syscall;
  if (typeof e.errno === 'number') sent.errno = e.errno;
  if (e.details !== undefined) {
    try {
      sent.details = structuredClone(e.details);
    } catch {
      // Details that cannot travel stay behind; the message says what happened.
    }
  }
  return sent;
}

/** The error a worker sent, rebuilt: the library's own class, or an errno-style Error. */
export function receivedError(sent: SentError): Error {
  if (sent.library && sent.code !== undefined) {
    const error = new SharedSessionsError(sent.code as ErrorCode, sent.message, {
      ...(sent.path === undefined ? {} : { path: sent.path }),
      ...(sent.details === undefined ? {} : { details: sent.details }),
    });
    if (sent.stack !== undefined) error.stack = sent.stack;
    return error;
  }
  const error = Object.assign(new Error(sent.message), {
    ...(sent.code === undefined ? {} : { code: sent.code }),
    ...(sent.path === undefined ? {} : { path: sent.path }),
    ...(sent.dest === undefined ? {} : { dest: sent.dest }),
    ...(sent.syscall === undefined ? {} : { syscall: sent.syscall }),
    ...(sent.errno === undefined ? {} : { errno: sent.errno }),
  });
  error.name = sent.name;
  if (sent.stack !== undefined) error.stack = sent.stack;
  return error;
}
