/**
 * Listing on several cores: worker threads stat, read and describe the transcripts of
 * the real disk, each its share, with synchronous reads (blocking a worker costs the
 * main thread nothing and saves thread-pool round trips), while the main thread only
 * orders the results. Used for large listings of the real disk when the library runs
 * from its built files; anything else is listed in the calling thread.
 */
import * as nodeFs from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { defaultFileSystem } from '../fs/node.js';
import { createLimit } from '../util/limit.js';
import { describeSession, type Settings } from './describe.js';
import {
  type Candidate,
  childPath,
  type FileFacts,
  lstatFailed,
  type SessionFiles,
  type TranscriptFile,
  transcriptOf,
} from './scan.js';
import type { ListProblem, SessionInfo } from './types.js';
import { BufferPool, readWindowsSync } from './window.js';

const TAG = 'claude-shared-sessions:list-worker';

/**
 * By default, fewer transcripts than this are listed in the calling thread: starting
 * workers costs more than they save (measured: 2,000 transcripts list faster in one
 * thread, 20,000 about twice as fast on two workers).
 */
export const PARALLEL_MIN_FILES = 5000;

export interface DescribeOptions {
  includeProgrammatic: boolean;
  compareCopies: 'windows' | 'full';
}

type Request =
  | { id: number; type: 'scan'; candidates: Candidate[] }
  | { id: number; type: 'describe'; groups: SessionFiles[]; options: DescribeOptions };

type Reply =
  | { id: number; files: TranscriptFile[]; problems: ListProblem[] }
  | { id: number; rows: (SessionInfo | null)[]; problems: ListProblem[] }
  | { id: number; error: string };

/** The built file this module is part of, when a worker may load it (the library's dist/index). */
function workerEntry(): string | undefined {
  let file: string;
  try {
    // ESM has import.meta.url; the CommonJS build has __filename (and an empty import.meta).
    const url: string | undefined = import.meta.url;
    file = url ? fileURLToPath(url) : __filename;
  } catch {
    return undefined;
  }
  // Only the library's own entry: a worker runs the file's top level, and other bundles
  // (the CLI's) do things there.
  return /^index\.(c|m)?js$/.test(basename(file)) ? file : undefined;
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

function toFacts(st: nodeFs.Stats): FileFacts {
  return {
    type: st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other',
    size: st.size,
    mtimeMs: Math.round(st.mtimeMs),
    dev: st.dev,
    ino: st.ino,
  };
}

function statSync(candidates: readonly Candidate[], report: (p: ListProblem) => void): TranscriptFile[] {
  const files: TranscriptFile[] = [];
  for (const c of candidates) {
    const path = childPath(c.dir.path, c.name);
    try {
      const file = transcriptOf(c.dir, c, toFacts(nodeFs.lstatSync(path)));
      if (file !== undefined) files.push(file);
    } catch (error) {
      lstatFailed(error, path, c.dir.accounts, report);
    }
  }
  return files;
}

/** The worker side: answers scan and describe requests, one at a time. */
function serve(): void {
  const port = parentPort;
  if (port === null) return;
  const pool = new BufferPool(16);
  let queue = Promise.resolve();
  port.on('message', (request: Request) => {
    queue = queue.then(async () => {
      const problems: ListProblem[] = [];
      const report = (p: ListProblem) => problems.push(p);
      try {
        if (request.type === 'scan') {
          port.postMessage({ id: request.id, files: statSync(request.candidates, report), problems } satisfies Reply);
          return;
        }
        const s: Settings = {
          fs: defaultFileSystem(),
          read: (path, size, p) => {
            try {
              return Promise.resolve(readWindowsSync(nodeFs, path, size, p));
            } catch (error) {
              return Promise.reject(error);
            }
          },
          ...request.options,
          concurrency: 4,
          pool,
          report,
          signal: undefined,
        };
        const run = createLimit(4);
        const rows = await Promise.all(request.groups.map((g) => run(() => describeSession(g, s))));
        port.postMessage({ id: request.id, rows: rows.map((r) => r ?? null), problems } satisfies Reply);
      } catch (error) {
        port.postMessage({ id: request.id, error: String((error as Error)?.stack ?? error) } satisfies Reply);
      }
    });
  });
  port.postMessage({ id: 0, ready: true });
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[TAG] === true) serve();

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
            workerData: { [TAG]: true },
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

  #ask(worker: Worker, request: Request): Promise<Reply> {
    if (this.#dead.has(worker)) return Promise.reject(new Error('listing worker is gone'));
    return new Promise<Reply>((resolve, reject) => {
      this.#waiting.set(request.id, { resolve, reject });
      this.#owner.set(request.id, worker);
      worker.postMessage(request);
    }).finally(() => this.#owner.delete(request.id));
  }

  /** Stats the transcripts, shared out between the workers. */
  async stat(candidates: readonly Candidate[], report: (p: ListProblem) => void): Promise<TranscriptFile[]> {
    const shares: Candidate[][] = this.#workers.map(() => []);
    for (const [i, c] of candidates.entries()) shares[i % shares.length]?.push(c);
    const replies = await Promise.all(
      this.#workers.map((w, i) => this.#ask(w, { id: this.#next++, type: 'scan', candidates: shares[i] ?? [] })),
    );
    const files: TranscriptFile[] = [];
    for (const r of replies) {
      if ('files' in r) files.push(...r.files);
      if ('problems' in r) for (const p of r.problems) report(p);
    }
    return files;
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
      return 'rows' in reply ? reply.rows.map((r) => r ?? undefined) : [];
    } finally {
      this.#load[index] = (this.#load[index] ?? 1) - 1;
    }
  }

  async close(): Promise<void> {
    for (const w of this.#workers) this.#dead.add(w);
    await Promise.allSettled(this.#workers.map((w) => w.terminate()));
  }
}
