/** The messages between the listing and its worker threads (./parallel.ts, ./worker.ts). */
import type { Candidate, SessionFiles, TranscriptFile } from './scan.js';
import type { ListProblem, SessionInfo } from './types.js';

/** Marks the workerData of a listing worker. */
export const WORKER_TAG = 'claude-shared-sessions:list-worker';

export interface DescribeOptions {
  includeProgrammatic: boolean;
  compareCopies: 'windows' | 'full';
}

export type Request =
  | { id: number; type: 'scan'; candidates: Candidate[] }
  | { id: number; type: 'describe'; groups: SessionFiles[]; options: DescribeOptions };

export type Reply =
  | { id: number; files: TranscriptFile[]; problems: ListProblem[] }
  | { id: number; rows: (SessionInfo | null)[]; problems: ListProblem[] }
  | { id: number; error: string };
