import { join } from 'node:path';
import type { FileSystem } from '../fs/types.js';
import { encodeProjectDir } from '../layout/names.js';
import {
  createRng,
  generateTranscript,
  randomUuid,
  type TranscriptSpec,
  transcriptEndMs,
  transcriptLeafUuid,
} from './transcript.js';

export interface SandboxOptions {
  fs: FileSystem;
  /** Folder to build in; it becomes the sandbox's home folder's parent. */
  root: string;
  /** Time the newest session ends, ms since the epoch. @default 2026-11-27T06:00:00Z */
  nowMs?: number;
  /** Seed for ids and contents. @default 7 */
  seed?: number;
  /** Sessions each account has of its own. @default 4 */
  sessionsPerAccount?: number;
}

export interface Sandbox {
  /** The sandbox's home folder (`<root>/home`). */
  home: string;
  /** Config dirs, in order: `.claude`, `.claude-2`, `.claude-work`. */
  accounts: string[];
  /** Where the demo shares `projects/` to: `<home>/.claude-shared/projects`. */
  sharedDir: string;
  /** Ids of the sessions the sandbox planted on purpose in several accounts. */
  planted: { identical: string; prefix: string; diverged: string };
}

const PROJECTS = ['/home/dev/code/api-server', '/home/dev/code/web.app', '/home/dev/notes'];
const PROMPTS = [
  'Add a health check endpoint to the server',
  'Why does the login test fail on CI?',
  'Refactor the date helpers into their own module',
  'Write a migration for the orders table',
  'Explain the caching layer in src/cache.ts',
  'Summarise the open TODOs in this repo',
  'Rename the config loader and update its callers',
  'Draft release notes for 2.3.0',
];

/**
 * The part of a millisecond past its last line's time a sandbox transcript's mtime gets,
 * as Claude Code's files have: a third at 0.499 ms (just below the half millisecond where
 * readers that round and readers that floor part), the others spread over [0, 0.499) ms.
 * Below the half, every reader still sees the last line's millisecond. Whole microseconds:
 * what utimes can set (the real disk keeps them; memfs keeps the ms).
 */
function subMs(n: number): number {
  return n % 3 === 0 ? 0.499 : ((n * 137) % 499) / 1000;
}

/**
 * Builds three accounts with realistic sessions through the given filesystem: unique
 * sessions in each, one session copied identically into two accounts, one copied and
 * then continued in one account (a prefix), one copied and continued in both (diverged),
 * auto-memory notes, and settings with different `cleanupPeriodDays`.
 */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { fs, root } = options;
  const nowMs = options.nowMs ?? Date.parse('2026-11-27T06:00:00Z');
  const rng = createRng(options.seed ?? 7);
  const perAccount = options.sessionsPerAccount ?? 4;
  const home = join(root, 'home');
  const names = ['.claude', '.claude-2', '.claude-work'];
  const accounts = names.map((n) => join(home, n));
  let clock = nowMs - 20 * 86_400_000;
  let written = 0;

  const write = async (account: string, cwd: string, id: string, text: string) => {
    const dir = join(account, 'projects', encodeProjectDir(cwd).name);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${id}.jsonl`);
    await fs.writeFile(path, text, { mode: 0o600 });
    const end = transcriptEndMs(text);
    await fs.utimes(path, end, end + subMs(written++));
  };
  // Each run gets its own seed: runs appended to one file (a resume) must not repeat uuids.
  const spec = (id: string, cwd: string, prompts: string[], extra: Partial<TranscriptSpec> = {}) => {
    clock += 3_600_000 + Math.floor(rng() * 3_600_000);
    return generateTranscript({
      sessionId: id,
      cwd,
      gitBranch: cwd.includes('code') ? 'main' : 'HEAD',
      prompts,
      startMs: clock,
      paddingPerTurn: 3000 + Math.floor(rng() * 6000),
      seed: Math.floor(rng() * 2 ** 32),
      ...extra,
    });
  };
  /** A resume of `text`: the next run's first line hangs under its last leaf. */
  const resumeOf = (text: string): Partial<TranscriptSpec> => ({ parentUuid: transcriptLeafUuid(text) ?? null });
  const pick = () => PROMPTS[Math.floor(rng() * PROMPTS.length)] ?? 'Hello';
  const project = () => PROJECTS[Math.floor(rng() * PROJECTS.length)] ?? '/home/dev';

  for (const [i, account] of accounts.entries()) {
    await fs.mkdir(join(account, 'sessions'), { recursive: true, mode: 0o700 });
    await fs.writeFile(
      join(account, 'settings.json'),
      `${JSON.stringify({ cleanupPeriodDays: [30, 14, 90][i] }, null, 2)}\n`,
      {
        mode: 0o600,
      },
    );
    for (let s = 0; s < perAccount; s++) {
      const id = randomUuid(rng);
      const extra: Partial<TranscriptSpec> = s === 0 ? { customTitle: `${names[i]} work item ${s + 1}` } : {};
      if (s === 1) extra.entrypoint = 'sdk-cli';
      // One cwd for both the folder and the transcript (they used to be drawn separately).
      const cwd = project();
      await write(account, cwd, id, spec(id, cwd, [pick(), pick()], extra));
    }
  }

  const [a, b, c] = accounts as [string, string, string];
  const cwd = PROJECTS[0] as string;
  const identical = randomUuid(rng);
  const identicalText = spec(identical, cwd, ['Set up the lint config', 'Now fix what it reports']);
  await write(a, cwd, identical, identicalText);
  await write(b, cwd, identical, identicalText);

  const prefix = randomUuid(rng);
  const prefixShort = spec(prefix, cwd, ['Profile the slow search query']);
  const prefixLong = prefixShort + spec(prefix, cwd, ['Add the index you suggested'], resumeOf(prefixShort));
  await write(a, cwd, prefix, prefixShort);
  await write(c, cwd, prefix, prefixLong);

  const diverged = randomUuid(rng);
  const web = PROJECTS[1] as string;
  const common = spec(diverged, web, ['Plan the settings page']);
  await write(b, web, diverged, common + spec(diverged, web, ['Continue in account two'], resumeOf(common)));
  await write(c, web, diverged, common + spec(diverged, web, ['Continue in the work account'], resumeOf(common)));

  const memoryDir = join(c, 'projects', encodeProjectDir(cwd).name, 'memory');
  await fs.mkdir(memoryDir, { recursive: true, mode: 0o700 });
  await fs.writeFile(join(memoryDir, 'MEMORY.md'), '- [Prefers short answers](prefers-short-answers.md)\n', {
    mode: 0o600,
  });

  return {
    home,
    accounts,
    sharedDir: join(home, '.claude-shared', 'projects'),
    planted: { identical, prefix, diverged },
  };
}
