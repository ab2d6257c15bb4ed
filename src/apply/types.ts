import type { FileSystem } from '../fs/types.js';
import type { KeptItem } from '../operations/base.js';

/** Progress of an apply, reported after each operation. */
export interface ApplyProgress {
  /** Operations finished so far. */
  opsDone: number;
  /** Operations in the plan. */
  opsTotal: number;
  /** Bytes of the files copied, forked or written so far (a clone counts its size). */
  bytesDone: number;
  /** Bytes the plan copies, forks or writes, by the sizes it expects. */
  bytesTotal: number;
}

/** Refusals a caller may override. Each is off (refusing) by default. */
export interface ApplyForce {
  /**
   * Apply even while Claude Code runs with an account the plan is about. Claude Code
   * appends to transcripts without locking: a line written to a folder while it is
   * moved can end up in the backup only. @default false
   */
  claudeRunning?: boolean;
}

/** Options shared by {@link applyPlan} and {@link recover}. */
export interface ExecutorOptions {
  /** Filesystem to work on. @default the real disk */
  fs?: FileSystem;
  /** Tells whether a pid is a live process (running Claude Code, the lock's owner). @default process.kill(pid, 0) */
  isProcessAlive?: (pid: number) => boolean;
  /**
   * A lock whose owner cannot be shown to be dead is taken over once its mtime is older
   * than this. The holder refreshes it every `lockStaleMs / 2`. @default 10_000
   */
  lockStaleMs?: number;
  /** Stops the work between operations; an apply then undoes what it did. */
  signal?: AbortSignal;
}

/** Options of {@link applyPlan}. */
export interface ApplyOptions extends ExecutorOptions {
  /** Operations run at once when they touch unrelated paths. @default 8 */
  concurrency?: number;
  /**
   * Called after each operation.
   * @example
   * onProgress: (p) => process.stderr.write(`\r${p.opsDone}/${p.opsTotal}`)
   */
  onProgress?: (progress: ApplyProgress) => void;
  /** Refusals to override. @default {} */
  force?: ApplyForce;
  /**
   * Worker threads that run the copies, forks and hard links on the real disk, each
   * filesystem call a blocking system call there instead of a round trip through Node's
   * thread pool (the checks are the same; see docs/execution.md, "Worker threads").
   * 0 runs every step in the calling thread. Used only on the real disk
   * (`FileSystem.sameInWorkers`), from the built package, for 64 such steps or more.
   * @default one per CPU, at least 2 and at most 4
   */
  workers?: number;
  /**
   * Flush each copy to the device (fsync) before the folder its source came from is
   * moved aside into a backup, from when on the copy is what the account sees. With
   * `false`, a power cut soon after the apply can leave a shared copy shorter than its
   * original (which stays whole in the backup): faster, for a disk you trust or a test.
   * The journal is always flushed. @default true
   */
  durable?: boolean;
}

/** What a successful {@link applyPlan} did. */
export interface ApplyReport {
  planId: string;
  /** Operations done (all of the plan's). */
  operationsDone: number;
  /** Bytes copied byte by byte (copies and forks, re-synced bytes included). */
  bytesCopied: number;
  /** Bytes of files cloned (reflinked): they share blocks with their source. */
  bytesCloned: number;
  /** Bytes appended to a copy because its source grew during the apply. */
  bytesResynced: number;
  /**
   * Copies kept aside in the conflicts folder because of a conflict (`conflict-kept`
   * operations). A fork is not one: it is a new session, counted in {@link forks}.
   */
  conflictsKept: number;
  /** Diverged copies forked as new, resumable sessions (`forkSession` operations). */
  forks: number;
  /** Worker threads that ran steps ({@link ApplyOptions.workers}); 0 when every step ran in the calling thread. */
  workers: number;
  durationMs: number;
  /** Problems met after the apply was complete (removing the journal, the lock, ...). */
  warnings: string[];
}

/** Something an undo left in place (defined with the operations, whose undo keeps it). */
export type { KeptItem };

/** A step of an undo that failed. */
export interface UndoError {
  operationId: string;
  path: string;
  code: string | undefined;
  message: string;
}

/** The outcome of undoing an apply, attached to the error an apply throws. */
export interface UndoOutcome {
  /** True when every operation was undone and the journal removed. */
  complete: boolean;
  /** Operations undone (or found never to have changed anything). */
  undone: number;
  kept: KeptItem[];
  errors: UndoError[];
  /** The journal left for {@link recover} when the undo was not complete. */
  journal?: string;
}

/** Options of {@link recover}. */
export interface RecoverOptions extends ExecutorOptions {
  /**
   * The shared `projects` folder whose journal to recover (the journal lives beside
   * it). @default ~/.claude-shared/projects
   */
  sharedDir?: string;
  /** The home folder `sharedDir` defaults under. @default os.homedir() */
  home?: string;
}

/** What {@link recover} found and did. */
export interface RecoverReport {
  /**
   * `clean`: no interrupted apply (leftover lock or temporary state removed, if any).
   * `rolled-back`: an interrupted apply was undone.
   * `finished`: the apply had completed; only its journal was left to remove.
   */
  status: 'clean' | 'rolled-back' | 'finished';
  planId?: string;
  /** Operations undone. */
  undone: number;
  /** Things left in place because removing them could lose bytes nobody else has. */
  kept: KeptItem[];
  /** The journal that was read. */
  journal: string;
}
