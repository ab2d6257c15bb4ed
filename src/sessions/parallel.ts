/**
 * Listing on several cores: worker threads stat, read and describe the transcripts of
 * the real disk, each its share, with synchronous reads (blocking a worker costs the
 * main thread nothing and saves thread-pool round trips), while the main thread only
 * orders the results. The workers run `list-worker.js`, built beside the file this code
 * is bundled in (the library's entries and the command's); from the TypeScript sources,
 * and for any filesystem other than the real disk, the listing runs in the calling thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FileSystem } from '../fs/types.js';
import { builtBeside } from '../util/beside.js';
import type { FileTable, ProjectDir, SessionFiles } from './scan.js';
import type { ListProblem, SessionInfo } from './types.js';
import {
  type DescribeOptions,
  FACTS_PER_FILE,
  type Reply,
  type Request,
  type ScanDir,
  type ScanReply,
  WORKER_TAG,
} from './worker-protocol.js';

export type { DescribeOptions } from './worker-protocol.js';

/**
 * By default, fewer transcripts than this are listed in the calling thread: starting
 * workers costs more than they save (measured: 2,000 transcripts list faster in one
 * thread, 20,000 about twice as fast on two workers).
 */
export const PARALLEL_MIN_FILES = 5000;

/** The built worker entry beside the built file this code runs from, or undefined from the sources. */
function workerEntry(): string | undefined {
  return builtBeside('list-worker.js');
}

/** Whether the listing may read `fs`'s files from worker threads: the real disk, with synchronous reads. */
export function workersCanRead(fs: FileSystem): boolean {
  return fs.kind === 'node' && fs.sync !== undefined;
}

/**
 * How many workers a listing of `files` transcripts uses, 0 for none: as many as asked
 * (at most 8), else one per CPU (at most 4) for large listings.
 */
export function workerCount(files: number, wanted: number | undefined): number {
  if (wanted === 0 || files === 0 || workerEntry() === undefined) return 0;
  if (wanted !== undefined) return Math.max(1, Math.min(Math.floor(wanted), 8));
  return files < PARALLEL_MIN_FILES ? 0 : Math.min(availableParallelism(), 4);
}

/** A set of started workers, sharing out requests. */
export class ListWorkers {
  readonly #workers: Worker[];
  readonly #waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void }>();
  #next = 1;
  /** Batches waiting on each worker. */
  readonly #load: number[] = [];
  readonly #owner = new Map<number, Worker>();
  readonly #dead = new Set<Worker>();

  private constructor(workers: Worker[]) {
    this.#workers = workers;
    for (const w of workers) {
      w.on('message', (reply: Reply) => {
        const waiter = this.#waiting.get(reply.id);
        if (waiter === undefined) return;
        this.#waiting.delete(reply.id);
        if ('error' in reply) waiter.reject(new Error(`listing worker failed: ${reply.error}`));
        else waiter.resolve(reply);
      });
      const fail = (error: unknown) => {
        this.#dead.add(w);
        for (const [id, waiter] of this.#waiting) {
          if (this.#owner.get(id) !== w) continue;
          this.#waiting.delete(id);
          waiter.reject(error);
        }
      };
      w.on('error', fail);
      w.on('exit', () => fail(new Error('listing worker exited')));
    }
  }

  /** Starts `count` workers; undefined when they cannot start (the caller lists in its thread). */
  static async start(count: number): Promise<ListWorkers | undefined> {
    const entry = workerEntry();
    if (entry === undefined || count < 1) return undefined;
    const workers: Worker[] = [];
    try {
      await Promise.all(
        Array.from({ length: count }, async () => {
          const w = new Worker(entry, {
            workerData: { [WORKER_TAG]: true },
            // The caller's node flags (-e, loaders, profilers) are not for this file.
            execArgv: [],
            // A worker holds one batch at a time: small heaps keep the listing's memory low.
            // Should one run out, its batches are described in this thread instead.
            resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 48 },
          });
          workers.push(w);
          await new Promise<void>((resolve, reject) => {
            w.once('message', () => resolve());
            w.once('error', reject);
            w.once('exit', () => reject(new Error('listing worker exited while starting')));
          });
        }),
      );
      return new ListWorkers(workers);
    } catch {
      await Promise.allSettled(workers.map((w) => w.terminate()));
      return undefined;
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  #ask(worker: Worker, request: Request, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.#dead.has(worker)) return Promise.reject(new Error('listing worker is gone'));
    return new Promise<Reply>((resolve, reject) => {
      this.#waiting.set(request.id, { resolve, reject });
      this.#owner.set(request.id, worker);
      worker.postMessage(request, transfer);
    }).finally(() => this.#owner.delete(request.id));
  }

  /**
   * Lists the project folders and lstats their transcripts, the folders shared out
   * between the workers; the answer in the order the calling thread would find them.
   */
  async scan(dirs: readonly ProjectDir[], report: (p: ListProblem) => void): Promise<FileTable> {
    const shares: ScanDir[][] = this.#workers.map(() => []);
    for (const [index, d] of dirs.entries()) {
      shares[index % shares.length]?.push({ index, path: d.path, accounts: d.accounts });
    }
    const replies = await Promise.all(
      this.#workers.map((w, i) => this.#ask(w, { id: this.#next++, type: 'scan', dirs: shares[i] ?? [] })),
    );
    const scans: ScanReply[] = [];
    for (const r of replies) {
      if (!('ids' in r)) throw new Error('listing worker gave no scan');
      scans.push(r);
    }
    for (const r of scans) for (const p of r.problems) report(p);
    // Each reply holds its folders in order; folder i is in reply i % workers.
    const counts = new Uint32Array(dirs.length);
    for (const r of scans) for (const d of r.dirOf) counts[d] = (counts[d] ?? 0) + 1;
    const total = scans.reduce((n, r) => n + r.dirOf.length, 0);
    const table: FileTable = {
      dirs,
      ids: new Array<string>(total),
      dirOf: new Uint32Array(total),
      sidecar: new Uint8Array(total),
      facts: new Float64Array(total * FACTS_PER_FILE),
    };
    const ids = scans.map((r) => (r.dirOf.length === 0 ? [] : r.ids.split('\n')));
    const from = scans.map(() => 0);
    let to = 0;
    for (let d = 0; d < dirs.length; d++) {
      const w = d % scans.length;
      const r = scans[w] as ScanReply;
      const start = from[w] as number;
      const end = start + (counts[d] as number);
      for (let k = start; k < end; k++, to++) {
        table.ids[to] = ids[w]?.[k] as string;
        table.dirOf[to] = d;
        table.sidecar[to] = r.sidecar[k] as number;
        table.facts.set(r.facts.subarray(k * FACTS_PER_FILE, (k + 1) * FACTS_PER_FILE), to * FACTS_PER_FILE);
      }
      from[w] = end;
    }
    return table;
  }

  /** Describes a batch of sessions on the worker with the fewest batches waiting. */
  async describe(
    groups: SessionFiles[],
    options: DescribeOptions,
    report: (p: ListProblem) => void,
  ): Promise<(SessionInfo | undefined)[]> {
    let index = 0;
    for (let i = 1; i < this.#workers.length; i++) if ((this.#load[i] ?? 0) < (this.#load[index] ?? 0)) index = i;
    const worker = this.#workers[index] as Worker;
    this.#load[index] = (this.#load[index] ?? 0) + 1;
    try {
      const reply = await this.#ask(worker, { id: this.#next++, type: 'describe', groups, options });
      if ('problems' in reply) for (const p of reply.problems) report(p);
      if (!('rows' in reply)) return [];
      return (JSON.parse(reply.rows) as (SessionInfo | null)[]).map((r) => r ?? undefined);
    } finally {
      this.#load[index] = (this.#load[index] ?? 1) - 1;
    }
  }

  async close(): Promise<void> {
    for (const w of this.#workers) this.#dead.add(w);
    await Promise.allSettled(this.#workers.map((w) => w.terminate()));
  }
}
