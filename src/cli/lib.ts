/**
 * The library verbs the command calls, looked up on the library's public entry point at
 * run time, so that the command builds while some verbs are still being written. Each
 * type here states the shape the command relies on; when a verb is missing the command
 * fails with `EUNAVAILABLE` instead of crashing.
 */
import * as library from '../index.js';
import type { Plan, PlanIssue } from '../plan/types.js';
import { CliError, CliErrorCodes } from './errors.js';
import type { ProgressEvent } from './progress.js';

type AnyFunction = (...args: never[]) => unknown;

function verb<T extends AnyFunction>(name: string): T {
  const found = (library as Record<string, unknown>)[name];
  if (typeof found !== 'function') {
    throw new CliError(
      CliErrorCodes.UNAVAILABLE,
      `This build of claude-shared-sessions has no ${name}() yet, so this command cannot run. Update the package.`,
    );
  }
  return found as T;
}

/** Options every planner takes (the command passes what the global options say). */
export interface PlannerOptions {
  fs?: unknown;
  home?: string;
  accounts?: readonly string[];
  sharedDir?: string;
  sharedDirs?: Record<string, string>;
  folders?: readonly string[];
  includeEnv?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  now?: Date | string;
  id?: string;
}

export interface RollbackOptions extends PlannerOptions {
  carry?: 'none' | 'own' | 'all';
  backup?: string;
}

export interface ApplyOptions {
  fs?: unknown;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

/** What the command reads from `applyPlan`'s report; other fields are passed through. */
export interface ApplyReport {
  operationsDone?: number;
  bytesCopied?: number;
  bytesCloned?: number;
  bytesResynced?: number;
  conflictsKept?: number;
  durationMs?: number;
  warnings?: string[];
  [key: string]: unknown;
}

export interface RecoverOptions {
  fs?: unknown;
  home?: string;
  sharedDir?: string;
  sharedDirs?: Record<string, string>;
}

export interface RecoverReport {
  status: 'clean' | 'rolled-back' | 'finished';
  planId?: string;
  undone: number;
  kept: { operationId: string; path: string; reason: string }[];
  journal: string;
}

export const share = (options: PlannerOptions): Promise<Plan> =>
  verb<(o: PlannerOptions) => Promise<Plan>>('share')(options);

export const rollback = (options: RollbackOptions): Promise<Plan> =>
  verb<(o: RollbackOptions) => Promise<Plan>>('rollback')(options);

export const describePlan = (plan: Plan): string => verb<(p: Plan) => string>('describePlan')(plan);

export const validatePlan = (plan: Plan): PlanIssue[] => verb<(p: Plan) => PlanIssue[]>('validatePlan')(plan);

export const applyPlan = (plan: Plan, options: ApplyOptions): Promise<ApplyReport> =>
  verb<(p: Plan, o: ApplyOptions) => Promise<ApplyReport>>('applyPlan')(plan, options);

export const recover = (options: RecoverOptions): Promise<RecoverReport> =>
  verb<(o: RecoverOptions) => Promise<RecoverReport>>('recover')(options);

export function has(name: string): boolean {
  return typeof (library as Record<string, unknown>)[name] === 'function';
}

/** One copy of a session found as several physical files. */
export interface SessionCopy {
  account?: string;
  path?: string;
  relation?: string;
  [key: string]: unknown;
}

/** One row of `listSessions`: the SDK's `SDKSessionInfo` plus the library's fields. */
export interface SessionRow {
  sessionId: string;
  summary: string;
  lastModified: number;
  fileSize?: number;
  customTitle?: string;
  firstPrompt?: string;
  gitBranch?: string;
  cwd?: string;
  tag?: string;
  createdAt?: number;
  archived?: boolean;
  /** Config dirs that see this physical file. */
  accounts?: string[];
  copies?: SessionCopy[];
  [key: string]: unknown;
}

export interface ListOptions extends PlannerOptions {
  project?: string;
  limit?: number;
  includeProgrammatic?: boolean;
}

export interface ListResult {
  sessions: SessionRow[];
  problems?: { code: string; message: string; path?: string }[];
}

export const listSessions = (options: ListOptions): Promise<ListResult> =>
  verb<(o: ListOptions) => Promise<ListResult>>('listSessions')(options);
