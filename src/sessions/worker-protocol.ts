/** The messages between the listing and its worker threads (./parallel.ts, ./worker.ts). */
import type { SessionFiles } from './scan.js';
import type { ListProblem } from './types.js';

/** Marks the workerData of a listing worker. */
export const WORKER_TAG = 'claude-shared-sessions:list-worker';

export interface DescribeOptions {
  includeProgrammatic: boolean;
  compareCopies: 'windows' | 'full';
}

/** Numbers per file in a scan reply: type, size, mtimeMs, dev, ino. */
export const FACTS_PER_FILE = 5;
/** The type slot of a file that is not a regular file any more, or whose lstat failed. */
export const NOT_A_FILE = 0;
export const REGULAR_FILE = 1;

export type Request =
  /**
   * lstat the files `names[i]` of the folders `dirs[dirOf[i]]`: paths cross as the
   * folders once and the bare names, not as objects per file.
   */
  | { id: number; type: 'scan'; dirs: { path: string; accounts: string[] }[]; names: string[]; dirOf: Uint32Array }
  | { id: number; type: 'describe'; groups: SessionFiles[]; options: DescribeOptions };

export type Reply =
  /**
   * A scan's answer: {@link FACTS_PER_FILE} numbers per name, in order, in one
   * transferred buffer (type {@link REGULAR_FILE} or {@link NOT_A_FILE}, size, mtimeMs, dev, ino).
   */
  | { id: number; facts: Float64Array; problems: ListProblem[] }
  /**
   * The rows of a describe request as one JSON text (an array, `null` for a session not
   * listed): one string crosses threads far cheaper than as many objects as rows hold.
   */
  | { id: number; rows: string; problems: ListProblem[] }
  | { id: number; error: string };
