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
