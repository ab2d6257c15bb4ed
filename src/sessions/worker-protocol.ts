/** The messages between the listing and its worker threads (./parallel.ts, ./worker.ts). */
import type { SessionFiles } from './scan.js';
import type { ListProblem } from './types.js';

/** Marks the workerData of a listing worker. */
export const WORKER_TAG = 'claude-shared-sessions:list-worker';

export interface DescribeOptions {
  includeProgrammatic: boolean;
  compareCopies: 'windows' | 'full';
}

/** Numbers per transcript in a scan reply: size, mtimeMs, dev, ino. */
export const FACTS_PER_FILE = 4;

/** A project folder as a scan request names it: its index in the listing's list of folders. */
export interface ScanDir {
  index: number;
  path: string;
  accounts: string[];
}

export type Request =
  /** List these project folders and lstat their transcripts. */
  | { id: number; type: 'scan'; dirs: ScanDir[] }
  | { id: number; type: 'describe'; groups: SessionFiles[]; options: DescribeOptions };

/**
 * A scan's answer, as columns rather than an object per file (a listing of 20,000
 * transcripts then costs the main thread a few MB): the regular files found, folder
 * after folder in the order asked, each folder's in its listing's order.
 */
export interface ScanReply {
  id: number;
  /** The session ids, one per line. */
  ids: string;
  /** The index ({@link ScanDir.index}) of each file's folder. */
  dirOf: Uint32Array;
  /** 1 where `<project>/<session-id>/` exists. */
  sidecar: Uint8Array;
  /** {@link FACTS_PER_FILE} numbers per file. */
  facts: Float64Array;
  problems: ListProblem[];
}

export type Reply =
  | ScanReply
  /**
   * The rows of a describe request as one JSON text (an array, `null` for a session not
   * listed): one string crosses threads far cheaper than as many objects as rows hold.
   */
  | { id: number; rows: string; problems: ListProblem[] }
  | { id: number; error: string };
