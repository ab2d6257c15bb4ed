import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANAGED_DIR_ENV } from '../../src/cli/commands/cleanup.js';

export const DAY_MS = 86_400_000;

/** Ages (days) of the transcripts the cleanup tests put in each project: some above every low period, some below. */
export const CLEANUP_AGES: readonly number[] = [1, 4, 9, 45];

/** A transcript line as Claude Code writes it: every message records the session's cwd. */
export function transcriptLine(sessionId: string, cwd: string, text: string): string {
  return `${JSON.stringify({ type: 'user', sessionId, cwd, message: { role: 'user', content: text } })}\n`;
}

export interface SharedLayout {
  root: string;
  home: string;
  sharedDir: string;
  accounts: string[];
  /** Two project folders (recorded cwds), each with sessions in the shared folder. */
  repos: string[];
  /** Every transcript written, with the age it was given, in days. */
  transcripts: { path: string; ageDays: number; repo: string }[];
  managedDir: string;
  /** Command-line options that keep the command inside the layout. */
  args: string[];
  /** Environment for the command: `managedDir` stands for /etc/claude-code. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * Two accounts whose `projects/` link to one shared folder (as after `share`, with
 * cleanupPeriodDays 3650 in each), holding sessions of two projects of the given ages.
 */
export async function makeSharedLayout(now: number, ages: readonly number[]): Promise<SharedLayout> {
  const root = await mkdtemp(join(tmpdir(), 'css-cleanup-'));
  const home = join(root, 'home');
  const sharedDir = join(home, '.claude-shared', 'projects');
  const accounts = [join(home, '.claude'), join(home, '.claude-2')];
  const repos = [join(root, 'code', 'api'), join(root, 'code', 'web')];
  const managedDir = join(root, 'etc-claude-code');
  await mkdir(sharedDir, { recursive: true, mode: 0o700 });
  await mkdir(managedDir, { recursive: true });
  for (const a of accounts) {
    await mkdir(a, { recursive: true });
    await writeFile(join(a, 'settings.json'), '{\n  "cleanupPeriodDays": 3650\n}\n');
    await symlink(sharedDir, join(a, 'projects'));
  }
  const transcripts: SharedLayout['transcripts'] = [];
  for (const repo of repos) {
    await mkdir(join(repo, '.claude'), { recursive: true });
    const dir = join(sharedDir, repo.replace(/[^A-Za-z0-9]/g, '-'));
    await mkdir(dir, { recursive: true });
    for (const ageDays of ages) {
      const id = randomUUID();
      const path = join(dir, `${id}.jsonl`);
      await writeFile(path, transcriptLine(id, repo, `a prompt ${ageDays} days old`), { mode: 0o600 });
      const t = (now - ageDays * DAY_MS) / 1000;
      await utimes(path, t, t);
      transcripts.push({ path, ageDays, repo });
    }
  }
  return {
    root,
    home,
    sharedDir,
    accounts,
    repos,
    transcripts,
    managedDir,
    args: ['--home', home, '--shared', sharedDir, '--accounts', ...accounts],
    env: { [MANAGED_DIR_ENV]: managedDir },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
