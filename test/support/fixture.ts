import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { msToUtimeSeconds } from '../../src/fs/promises-adapter.js';
import { type NsFile, writeFilesWithNsTimes } from './ns-times.js';

/** The fixture written by the real Claude Code 2.1.332 (see its README.md). */
export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'claude-code-2.1.332');
export const FIXTURE_ACCOUNTS = ['acct-a', 'acct-b', 'acct-c'] as const;
export type FixtureAccount = (typeof FIXTURE_ACCOUNTS)[number];

export function fixtureMtimes(): Record<string, number> {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, 'mtimes.json'), 'utf8')) as Record<string, number>;
}

export function fixtureExpected(
  account: FixtureAccount,
  variant: 'listSessions' | 'listSessions.interactive',
): unknown[] {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, 'expected', `${account}.${variant}.json`), 'utf8')) as unknown[];
}

/**
 * The nanoseconds past its millisecond a transcript of the fixture gets on the real disk:
 * Claude Code leaves nanosecond mtimes, and the fixture's `mtimes.json` has whole ms.
 * Between 0.499 and 0.4997 ms, just below the half millisecond where rounding through a
 * double tips over (the 0.0003 ms kept clear of it is more than a double's 0.000122 ms
 * error at these times): every reader, flooring or rounding, exactly or through a
 * double, still sees the recorded millisecond, which the SDK's `expected/` output holds.
 */
export function fixtureSubMsNs(index: number): bigint {
  return 499_001n + BigInt((index * 7919) % 700);
}

/**
 * Copies the fixture's accounts into a new temp folder with empty folders and mtimes
 * restored (transcripts with nanoseconds, see {@link fixtureSubMsNs}; other files to the
 * ms); returns the folder (accounts at `<dir>/acct-a`, ...) and a cleanup.
 */
export function copyFixture(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'css-fixture-'));
  for (const account of FIXTURE_ACCOUNTS) cpSync(join(FIXTURE_DIR, account), join(dir, account), { recursive: true });
  const emptyDirs = JSON.parse(readFileSync(join(FIXTURE_DIR, 'empty-dirs.json'), 'utf8')) as string[];
  for (const d of emptyDirs) mkdirSync(join(dir, d), { recursive: true });
  const mtimes = Object.entries(fixtureMtimes());
  const isTranscript = (rel: string) => rel.includes('/projects/') && rel.endsWith('.jsonl');
  // Transcripts first: tar replaces each file, which touches its folder's time.
  writeFilesWithNsTimes(
    dir,
    mtimes
      .filter(([rel]) => isTranscript(rel))
      .map(
        ([rel, ms], i): NsFile => ({
          path: rel,
          content: readFileSync(join(FIXTURE_DIR, rel)),
          mtimeNs: BigInt(ms) * 1_000_000n + fixtureSubMsNs(i),
          mode: statSync(join(dir, rel)).mode & 0o777,
        }),
      ),
  );
  for (const [rel, ms] of mtimes) {
    if (isTranscript(rel)) continue;
    const t = msToUtimeSeconds(ms);
    utimesSync(join(dir, rel), t, t);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A {@link copyFixture} made before the tests of the suite that calls this, and removed
 * after them: `dir` is the copy's folder once the tests run.
 */
export function copiedFixture(): { readonly dir: string } {
  let copy: { dir: string; cleanup: () => void } | undefined;
  beforeAll(() => {
    copy = copyFixture();
  });
  afterAll(() => copy?.cleanup());
  return {
    get dir() {
      if (!copy) throw new Error('copiedFixture: read dir inside a test');
      return copy.dir;
    },
  };
}

/**
 * Loads the fixture into a new memfs volume under `root` (`<root>/acct-a/...`) with
 * empty folders and mtimes restored; returns the volume and the library filesystem on it.
 */
export async function fixtureOnMemfs(root = '/fx') {
  const { Volume } = await import('memfs');
  const json: Record<string, Buffer | null> = {};
  const mtimes = fixtureMtimes();
  for (const rel of Object.keys(mtimes)) json[join(root, rel)] = readFileSync(join(FIXTURE_DIR, rel));
  const emptyDirs = JSON.parse(readFileSync(join(FIXTURE_DIR, 'empty-dirs.json'), 'utf8')) as string[];
  for (const d of emptyDirs) json[join(root, d)] = null;
  const volume = Volume.fromJSON(json);
  const { createMemFileSystem } = await import('../../src/fs/memfs.js');
  const fs = createMemFileSystem(volume);
  for (const [rel, ms] of Object.entries(mtimes)) await fs.utimes(join(root, rel), ms, ms);
  return { volume, fs, root };
}
