import { errnoCode } from '../errors.js';
import type { FileHandle, FileSystem } from '../fs/types.js';
import type { CopyDone } from '../operations/base.js';
import type { Plan } from '../plan/types.js';
import type { DirTimes } from './preflight.js';
import type { KeptItem } from './types.js';

export const JOURNAL_VERSION = 1;

export type { CopyDone } from '../operations/base.js';

/**
 * One line of the journal. The journal is JSON Lines, appended and fsynced:
 * `begin` (the whole plan and what undo needs), then for each group of operations an
 * `intent` fsynced before the first of them starts, a `done` after each, `resync` when a
 * moved source had grown, `commit` once everything is verified; an undo writes `undone`
 * per operation and `rolledback` at the end.
 */
export type JournalRecord =
  | {
      t: 'begin';
      v: typeof JOURNAL_VERSION;
      /** Unique to this run; temporary names contain it. */
      run: string;
      pid: number;
      host: string;
      startedAt: string;
      stateDir: string;
      /** Folders created to hold the journal, removed again when empty. */
      createdDirs: string[];
      /** Folders whose entries change, with their times before: an undo restores them. */
      dirTimes: Record<string, DirTimes>;
      /** Times of the folder the journal's folders were made in (it changes when they go). */
      stateParentTimes?: Record<string, DirTimes>;
      plan: Plan;
    }
  | { t: 'intent'; ops: string[] }
  | { t: 'done'; op: string; copy?: CopyDone; adopted?: true }
  | { t: 'resync'; op: string; source: string; size: number; mtimeMs: number }
  | { t: 'commit' }
  | { t: 'undone'; op: string; kept?: KeptItem[] }
  | { t: 'rolledback'; complete: boolean };

export type BeginRecord = Extract<JournalRecord, { t: 'begin' }>;

/**
 * Appends records to the journal. `append` buffers; `appendDurable` returns once the
 * record (and everything buffered before it) is written and fsynced. Concurrent durable
 * appends share one fsync (group commit).
 */
export class JournalWriter {
  readonly path: string;
  readonly #handle: FileHandle;
  #pending: string[] = [];
  #flushing: Promise<void> | undefined;
  #torn = false;
  #closed = false;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  /** Creates the journal (it must not exist) and makes its first record durable. */
  static async create(fs: FileSystem, path: string, begin: BeginRecord): Promise<JournalWriter> {
    const handle = await fs.open(path, 'wx', 0o600);
    const writer = new JournalWriter(path, handle);
    try {
      await writer.appendDurable(begin);
    } catch (error) {
      // Nothing was done under this journal yet: it must not look like an interrupted apply.
      await writer.close().catch(() => {});
      await fs.unlink(path).catch(() => {});
      throw error;
    }
    return writer;
  }

  /** Opens an existing journal to add records (recover); `torn` ends its last line first. */
  static async reopen(fs: FileSystem, path: string, torn: boolean): Promise<JournalWriter> {
    const writer = new JournalWriter(path, await fs.open(path, 'a', 0o600));
    writer.#torn = torn;
    return writer;
  }

  append(record: JournalRecord): void {
    this.#pending.push(`${JSON.stringify(record)}\n`);
  }

  async appendDurable(record: JournalRecord): Promise<void> {
    this.append(record);
    await this.flush();
  }

  /**
   * Writes and fsyncs everything appended so far. When a write fails, the records stay
   * queued for the next flush, which first ends the line the failed write may have torn
   * (a reader skips it; a record written twice means nothing more than once).
   */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing.catch(() => {});
    if (this.#pending.length === 0) return;
    const data = (this.#torn ? '\n' : '') + this.#pending.join('');
    const queued = this.#pending;
    this.#pending = [];
    this.#flushing = (async () => {
      await this.#handle.write(data);
      await this.#handle.sync();
    })();
    try {
      await this.#flushing;
      this.#torn = false;
    } catch (error) {
      this.#torn = true;
      this.#pending = [...queued, ...this.#pending];
      throw error;
    } finally {
      this.#flushing = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#flushing) await this.#flushing.catch(() => {});
    await this.#handle.close();
  }
}

export interface ReadJournal {
  begin: BeginRecord | undefined;
  records: JournalRecord[];
  /** True when the last line has no end (a write cut short by a crash). */
  torn: boolean;
  /**
   * Lines other than the last that are not records and that the writer did not repeat
   * whole on a later line: a line a crash cut short before a recover appended to the
   * journal, or damage. Records may be missing, so recover treats every operation of the
   * plan as started (undoing one that never ran changes nothing).
   */
  damaged: number;
}

/**
 * Reads a journal. A line that is not a record is skipped. The last line may be torn by a
 * crash, and a failed write is repeated whole by the writer (the torn line is the start
 * of a later record): neither loses a record. Any other such line is counted in
 * `damaged`, so that recover does not trust the records to be complete.
 */
export async function readJournal(fs: FileSystem, path: string): Promise<ReadJournal | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  const text = new TextDecoder().decode(bytes);
  const records: JournalRecord[] = [];
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  let damaged = 0;
  lines.forEach((line, i) => {
    const record = parseRecord(line);
    if (record !== undefined) records.push(record);
    // A torn line's fsync never returned, so nothing it announced ran; a repeated one
    // is read in full from the later line.
    else if (i < lines.length - 1 && !lines.slice(i + 1).some((later) => later.startsWith(line) && parseRecord(later)))
      damaged++;
  });
  const torn = text.length > 0 && !text.endsWith('\n');
  const first = records[0];
  const begin = first?.t === 'begin' && first.v === JOURNAL_VERSION ? first : undefined;
  return { begin, records, torn, damaged };
}

function parseRecord(line: string): JournalRecord | undefined {
  try {
    const record = JSON.parse(line) as JournalRecord;
    return typeof record === 'object' && record !== null && typeof record.t === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}
