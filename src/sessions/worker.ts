/**
 * The worker side of a parallel listing: stats, reads and describes transcripts of the
 * real disk with synchronous reads, answering one request at a time. Loaded only by the
 * built worker entry (`dist/list-worker.js`, from ./worker-entry.ts), never by the library.
 */
import type { MessagePort } from 'node:worker_threads';
import { defaultFileSystem } from '../fs/node.js';
import type { SyncReads } from '../fs/types.js';
import { describeSession, type Settings } from './describe.js';
import { childPath, lstatFailed } from './scan.js';
import type { ListProblem, SessionInfo } from './types.js';
import { BufferPool, syncReader } from './window.js';
import { FACTS_PER_FILE, NOT_A_FILE, REGULAR_FILE, type Reply, type Request } from './worker-protocol.js';

type ScanRequest = Extract<Request, { type: 'scan' }>;

/** lstat each file of a scan request, into {@link FACTS_PER_FILE} numbers per file. */
function statSync(sync: SyncReads, request: ScanRequest, report: (p: ListProblem) => void): Float64Array {
  const { dirs, names, dirOf } = request;
  const facts = new Float64Array(names.length * FACTS_PER_FILE);
  for (let i = 0; i < names.length; i++) {
    const dir = dirs[dirOf[i] as number] as ScanRequest['dirs'][number];
    const path = childPath(dir.path, names[i] as string);
    const at = i * FACTS_PER_FILE;
    try {
      const st = sync.lstat(path);
      facts[at] = st.type === 'file' ? REGULAR_FILE : NOT_A_FILE;
      facts[at + 1] = st.size;
      facts[at + 2] = st.mtimeMs;
      facts[at + 3] = st.dev;
      facts[at + 4] = st.ino;
    } catch (error) {
      facts[at] = NOT_A_FILE;
      lstatFailed(error, path, dir.accounts, report);
    }
  }
  return facts;
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
          const facts = statSync(sync, request, report);
          port.postMessage({ id: request.id, facts, problems } satisfies Reply, [facts.buffer as ArrayBuffer]);
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
        // Reads are synchronous here: one session after the other.
        const rows: (SessionInfo | null)[] = [];
        for (const g of request.groups) rows.push((await describeSession(g, s)) ?? null);
        port.postMessage({ id: request.id, rows: JSON.stringify(rows), problems } satisfies Reply);
      } catch (error) {
        port.postMessage({ id: request.id, error: String((error as Error)?.stack ?? error) } satisfies Reply);
      }
    });
  });
  port.postMessage({ id: 0, ready: true });
}
