/**
 * The executor's worker threads: they run the steps that need nothing but their own
 * context (copies, forks, hard links: {@link runsLocally}) with the real disk's blocking
 * calls, so that each filesystem call is one system call instead of a round trip through
 * Node's thread pool, and the main thread only journals and reports. They start only on
 * the real disk ({@link FileSystem.sameInWorkers}) and from the built package
 * (`dist/step-worker.js` beside the running file); otherwise every step runs in the
 * calling thread, as it always could.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FileSystem } from '../fs/types.js';
import type { PathRules } from '../layout/paths.js';
import type { ActualState } from '../operations/state.js';
import type { Operation } from '../plan/types.js';
import { builtBeside } from '../util/beside.js';
import {
  CONTROL_SLOTS,
  NEXT,
  receivedError,
  STEP_WORKER_TAG,
  STOP,
  type StepReply,
  type StepRequest,
  type StepWorkerData,
} from './step-worker-protocol.js';

/** Fewer steps than this run in the calling thread: starting workers would cost more. */
export const STEP_WORKERS_MIN_STEPS = 64;

/** The built worker entry beside the built file this code runs from, or undefined from the sources. */
function workerEntry(): string | undefined {
  return builtBeside('step-worker.js');
}

/**
 * How many step workers an apply of `steps` local steps on `fs` starts: 0 for none (not
 * the real disk, no such step, running from the sources, or `wanted` 0); else `wanted`
 * (at most 8); by default none for fewer than {@link STEP_WORKERS_MIN_STEPS} steps, else
 * one per CPU, at least 2 and at most 4.
 */
export function stepWorkerCount(fs: FileSystem, steps: number, wanted: number | undefined): number {
  if (fs.sameInWorkers !== true || wanted === 0 || steps === 0 || workerEntry() === undefined) return 0;
  if (wanted !== undefined) return Math.max(1, Math.min(Math.floor(wanted), 8));
  return steps < STEP_WORKERS_MIN_STEPS ? 0 : Math.max(2, Math.min(availableParallelism(), 4));
}

export class StepWorkers {
  readonly #workers: Worker[];
  readonly #control: Int32Array;
  #next = 1;
  /** The reply each worker owes, by worker (one request at a time). */
  readonly #waiting = new Map<Worker, { resolve: (r: StepReply) => void; reject: (e: unknown) => void }>();

  private constructor(workers: Worker[], control: Int32Array) {
    this.#workers = workers;
    this.#control = control;
    for (const w of workers) {
      w.on('message', (reply: StepReply) => {
        const waiter = this.#waiting.get(w);
        this.#waiting.delete(w);
        waiter?.resolve(reply);
      });
      const fail = (error: unknown) => {
        // A worker that dies mid-step leaves that step half done: the others stop, and
        // the executor undoes the group as after any failure.
        Atomics.store(this.#control, STOP, 1);
        const waiter = this.#waiting.get(w);
        this.#waiting.delete(w);
        waiter?.reject(error);
      };
      w.on('error', fail);
      w.on('exit', (code) => fail(new Error(`a step worker exited (code ${code})`)));
    }
  }

  /** Starts `count` workers; undefined when they cannot start (the caller runs every step itself). */
  static async start(count: number): Promise<StepWorkers | undefined> {
    const entry = workerEntry();
    if (entry === undefined || count < 1) return undefined;
    const control = new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    const data: StepWorkerData = { [STEP_WORKER_TAG]: true, control };
    const workers: Worker[] = [];
    try {
      await Promise.all(
        Array.from({ length: count }, async () => {
          // The caller's node flags (-e, loaders, profilers) are not for this file.
          const w = new Worker(entry, { workerData: data, execArgv: [] });
          workers.push(w);
          await new Promise<void>((resolve, reject) => {
            w.once('message', () => resolve());
            w.once('error', reject);
            w.once('exit', () => reject(new Error('a step worker exited while starting')));
          });
        }),
      );
      return new StepWorkers(workers, new Int32Array(control));
    } catch {
      await Promise.allSettled(workers.map((w) => w.terminate()));
      return undefined;
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Starts no more steps (the ones under way finish). */
  stop(): void {
    Atomics.store(this.#control, STOP, 1);
  }

  /**
   * Runs a group of steps that may run in any order, at once, shared out between the
   * workers; one reply per worker. A failed step stops every worker before its next step.
   */
  async run(ops: Operation[], run: string, rules: PathRules): Promise<StepReply[]> {
    return this.#ask({ id: this.#next++, ops, run, caseInsensitive: rules.caseInsensitive });
  }

  /**
   * Looks at each path as the preflight does (`readActual`: lstat, and readlink of a
   * link), shared out between the workers; the states in the order of `paths`. The
   * first error met is thrown, once every worker has stopped.
   */
  async read(paths: readonly string[]): Promise<ActualState[]> {
    const replies = await this.#ask({ id: this.#next++, ops: [], read: [...paths], run: '', caseInsensitive: false });
    const states = new Array<ActualState>(paths.length);
    for (const reply of replies) {
      if (reply.failed !== undefined) throw receivedError(reply.failed.error);
      for (const { index, state } of reply.states ?? []) states[index] = state;
    }
    return states;
  }

  async #ask(request: StepRequest): Promise<StepReply[]> {
    Atomics.store(this.#control, NEXT, 0);
    // Every worker is waited for, even when one died: none may still be running a step
    // when the executor goes on (to undo, for one).
    const settled = await Promise.allSettled(
      this.#workers.map(
        (w) =>
          new Promise<StepReply>((resolve, reject) => {
            this.#waiting.set(w, { resolve, reject });
            w.postMessage(request);
          }),
      ),
    );
    const replies: StepReply[] = [];
    for (const s of settled) {
      if (s.status === 'rejected') throw s.reason;
      replies.push(s.value);
    }
    return replies;
  }

  /** Ends the workers. */
  async close(): Promise<void> {
    for (const w of this.#workers) w.removeAllListeners('exit');
    await Promise.allSettled(this.#workers.map((w) => w.terminate()));
  }
}
