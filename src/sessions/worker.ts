/**
 * The worker side of a parallel listing: stats, reads and describes transcripts of the
 * real disk with synchronous reads, answering one request at a time. Loaded only by the
 * built worker entry (`dist/list-worker.js`, from ./worker-entry.ts), never by the library.
 */
import type { MessagePort } from 'node:worker_threads';
import { errnoCode } from '../errors.js';
import { defaultFileSystem } from '../fs/node.js';
import type { DirEntry, FileStat, SyncReads } from '../fs/types.js';
import { describeSession, type Settings } from './describe.js';
import { childPath, ioProblem, lstatFailed, transcriptsIn } from './scan.js';
import type { ListProblem, SessionInfo } from './types.js';
import { BufferPool, syncReader } from './window.js';
import type { Reply, Request, ScanReply } from './worker-protocol.js';

type ScanRequest = Extract<Request, { type: 'scan' }>;

/**
 * Lists the project folders of a scan request and lstats their transcripts, as
 * `readProjectDirs` and `statCandidates` do in the calling thread (same problems, same
 * order), answering in columns.
 */
function scanSync(
  sync: SyncReads & { readdir: NonNullable<SyncReads['readdir']> },
  request: ScanRequest,
  report: (p: ListProblem) => void,
): Omit<ScanReply, 'id' | 'problems'> {
  const ids: string[] = [];
  const dirOf: number[] = [];
  const sidecar: number[] = [];
  const facts: number[] = [];
  for (const dir of request.dirs) {
    let entries: DirEntry[];
    try {
      entries = sync.readdir(dir.path);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') report(ioProblem(error, dir.path, 'listing', dir.accounts));
      continue;
    }
    for (const c of transcriptsIn({ path: dir.path, name: '', accounts: dir.accounts }, entries, report)) {
      const path = childPath(dir.path, c.name);
      let st: FileStat;
      try {
        st = sync.lstat(path);
      } catch (error) {
        lstatFailed(error, path, dir.accounts, report);
        continue;
      }
      if (st.type !== 'file') continue; // replaced since the folder was listed
      ids.push(c.name.slice(0, -JSONL.length));
      dirOf.push(dir.index);
      sidecar.push(c.hasSidecarDir ? 1 : 0);
      facts.push(st.size, st.mtimeMs, st.dev, st.ino);
    }
  }
  return {
    ids: ids.join('\n'),
    dirOf: Uint32Array.from(dirOf),
    sidecar: Uint8Array.from(sidecar),
    facts: Float64Array.from(facts),
  };
}

const JSONL = '.jsonl';

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
          const readdir = sync.readdir;
          if (readdir === undefined) throw new Error('the listing worker needs synchronous folder listings');
          const scan = scanSync({ ...sync, readdir }, request, report);
          const transfer = [scan.dirOf.buffer, scan.sidecar.buffer, scan.facts.buffer] as ArrayBuffer[];
          port.postMessage({ id: request.id, ...scan, problems } satisfies Reply, transfer);
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
