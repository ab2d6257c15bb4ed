/**
 * The worker side of a parallel listing: stats, reads and describes transcripts of the
 * real disk with synchronous reads, answering one request at a time. Loaded only by the
 * built worker entry (`dist/list-worker.js`, from ./worker-entry.ts), never by the library.
 */
import type { MessagePort } from 'node:worker_threads';
import { defaultFileSystem } from '../fs/node.js';
import type { SyncReads } from '../fs/types.js';
import { createLimit } from '../util/limit.js';
import { describeSession, type Settings } from './describe.js';
import { type Candidate, childPath, lstatFailed, type TranscriptFile, transcriptOf } from './scan.js';
import type { ListProblem } from './types.js';
import { BufferPool, syncReader } from './window.js';
import type { Reply, Request } from './worker-protocol.js';

function statSync(
  sync: SyncReads,
  candidates: readonly Candidate[],
  report: (p: ListProblem) => void,
): TranscriptFile[] {
  const files: TranscriptFile[] = [];
  for (const c of candidates) {
    const path = childPath(c.dir.path, c.name);
    try {
      const file = transcriptOf(c.dir, c, sync.lstat(path));
      if (file !== undefined) files.push(file);
    } catch (error) {
      lstatFailed(error, path, c.dir.accounts, report);
    }
  }
  return files;
}

/** Answers scan and describe requests on `port`, one at a time. */
export function serve(port: MessagePort): void {
  const fs = defaultFileSystem();
  const sync = fs.sync;
  if (sync === undefined) throw new Error('the listing worker needs synchronous reads');
  const read = syncReader(sync);
  const pool = new BufferPool(16);
  let queue = Promise.resolve();
  port.on('message', (request: Request) => {
    queue = queue.then(async () => {
      const problems: ListProblem[] = [];
      const report = (p: ListProblem) => problems.push(p);
      try {
        if (request.type === 'scan') {
          const files = statSync(sync, request.candidates, report);
          port.postMessage({ id: request.id, files, problems } satisfies Reply);
          return;
        }
        const s: Settings = {
          fs,
          read,
          lstat: (path) => Promise.resolve().then(() => sync.lstat(path)),
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
