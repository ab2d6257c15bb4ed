import { Volume } from 'memfs';
import { generateTranscript, type TranscriptSpec } from '../../src/demo/transcript.js';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import type { FileSystem } from '../../src/fs/types.js';
import type { SessionInfo } from '../../src/sessions/types.js';

export const HOME = '/home/u';
export const PROJECT = '-work-app';
export const CWD = '/work/app';

/** A session id made from a number, sortable: 00000000-0000-4000-8000-00000000000n. */
export function sid(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function transcript(n: number, extra: Partial<TranscriptSpec> = {}): string {
  return generateTranscript({
    sessionId: sid(n),
    cwd: CWD,
    prompts: [`First prompt ${n}`, `Last prompt ${n}`],
    startMs: Date.UTC(2026, 0, 1) + n * 60_000,
    gitBranch: 'main',
    ...extra,
  });
}

/** A memfs volume from `{ path: content }`, with mtimes (ms) set per path. */
export async function memVolume(
  files: Record<string, string | Buffer | null>,
  mtimes: Record<string, number> = {},
): Promise<{ fs: FileSystem; volume: InstanceType<typeof Volume> }> {
  const volume = Volume.fromJSON(files as Record<string, string | null>);
  const fs = createMemFileSystem(volume);
  for (const [path, ms] of Object.entries(mtimes)) await fs.utimes(path, ms, ms);
  return { fs, volume };
}

/** Path of a transcript of account `.claude` (or another config dir name). */
export function sessionPath(n: number, account = '.claude', project = PROJECT): string {
  return `${HOME}/${account}/projects/${project}/${sid(n)}.jsonl`;
}

const METHODS = [
  'lstat',
  'stat',
  'readdir',
  'readlink',
  'realpath',
  'mkdir',
  'readFile',
  'writeFile',
  'open',
  'copyFile',
  'rename',
  'symlink',
  'unlink',
  'rmdir',
  'utimes',
  'chmod',
] as const;

/** A filesystem that forwards to `inner` except for the methods given. */
export function wrapFs(inner: FileSystem, overrides: Partial<FileSystem>): FileSystem {
  const fs: Record<string, unknown> = { kind: inner.kind, sep: inner.sep };
  for (const name of METHODS) fs[name] = (inner[name] as (...a: unknown[]) => unknown).bind(inner);
  return Object.assign(fs, overrides) as unknown as FileSystem;
}

export interface Spy {
  fs: FileSystem;
  bytesRead: Map<string, number>;
  opened: string[];
}

/**
 * Wraps a filesystem: counts bytes read per path and opens, and lets a test make one
 * path fail (`failOpen`) or run code on a read (`onRead`).
 */
export function spyFs(
  inner: FileSystem,
  hooks: {
    failOpen?: (path: string) => NodeJS.ErrnoException | undefined;
    onRead?: (path: string, position: number) => Promise<void> | void;
  } = {},
): Spy {
  const bytesRead = new Map<string, number>();
  const opened: string[] = [];
  const fs = wrapFs(inner, {
    open: async (path, flags, mode) => {
      const error = hooks.failOpen?.(path);
      if (error) throw error;
      opened.push(path);
      const handle = await inner.open(path, flags, mode);
      return {
        stat: () => handle.stat(),
        write: (d) => handle.write(d),
        sync: () => handle.sync(),
        close: () => handle.close(),
        read: async (buffer, offset, length, position) => {
          await hooks.onRead?.(path, position);
          const n = await handle.read(buffer, offset, length, position);
          bytesRead.set(path, (bytesRead.get(path) ?? 0) + n);
          return n;
        },
      };
    },
    readFile: async (path) => {
      const data = await inner.readFile(path);
      bytesRead.set(path, (bytesRead.get(path) ?? 0) + data.length);
      return data;
    },
  });
  return { fs, bytesRead, opened };
}

export function errno(code: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, open '${path}'`), { code, path });
}

/**
 * The official SDK's `SDKSessionInfo` fields in the order its JSON has them, written out
 * here independently of the library's own list so that a test can catch a change there.
 */
export const SDK_FIELDS = [
  'sessionId',
  'summary',
  'lastModified',
  'fileSize',
  'customTitle',
  'firstPrompt',
  'gitBranch',
  'cwd',
  'tag',
  'createdAt',
  'archived',
] as const;

/** The SDK's fields of each row, in the SDK's order, absent ones left out (as its JSON has them). */
export function sdkView(rows: readonly SessionInfo[]): Record<string, unknown>[] {
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const f of SDK_FIELDS) if (row[f] !== undefined) out[f] = row[f];
    return out;
  });
}
