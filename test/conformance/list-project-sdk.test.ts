/**
 * Issue 10 §4: `listSessions({ project })` (and `list --project DIR`) lists what the
 * official SDK's `listSessions({ dir })` lists: a project folder that is a symlink inside
 * the shared `projects/` is followed in that project's view (only the all-projects view
 * hides it), and the sessions of the project's git worktrees are included (unless
 * `includeWorktrees: false`). The expected rows were computed by the SDK 0.3.332 on the
 * same layout (`node scripts/sdk-list-dir/record.mjs`, test/fixtures/sdk-list-dir.json).
 * The real `claude --resume` picker agrees on links (checked with
 * /work/shared/tools/resume-picker.sh, see docs/listing.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScenario, encode, relative } from '../../scripts/sdk-list-dir/scenario.mjs';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import type { FileSystem } from '../../src/fs/types.js';
import { listSessions } from '../../src/sessions/list.js';
import { gitWorktrees } from '../../src/sessions/worktrees.js';
import { sdkView } from '../sessions/support.js';

const recorded = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'sdk-list-dir.json'), 'utf8')) as {
  views: Record<string, Record<string, unknown>[]>;
};

let root: string;
let scenario: ReturnType<typeof buildScenario>;
beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'css-list-project-sdk-')));
  scenario = buildScenario(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The same tree on memfs (files with their mtimes, folders, links as they are). */
function onMemfs(): FileSystem {
  const vol = new Volume();
  const copy = (path: string) => {
    for (const e of readdirSync(path, { withFileTypes: true })) {
      const p = join(path, e.name);
      if (e.name === '.git' || p.endsWith('/repo-wt/.git') || p.endsWith('/repo-wt2/.git')) continue;
      if (e.isSymbolicLink()) vol.symlinkSync(readlinkSync(p), p);
      else if (e.isDirectory()) {
        vol.mkdirSync(p, { recursive: true });
        copy(p);
      } else {
        vol.writeFileSync(p, readFileSync(p));
        const { mtime } = statSync(p);
        vol.utimesSync(p, mtime, mtime);
      }
    }
  };
  vol.mkdirSync(root, { recursive: true });
  copy(root);
  return createMemFileSystem(vol);
}

describe.each([
  ['the real disk (worktrees from git)', () => ({ fs: createNodeFileSystem(), worktrees: undefined })],
  ['memfs (the worktrees git lists on the disk, given)', () => ({ fs: onMemfs(), worktrees: 'git' as const })],
])('listSessions({ project }) agrees with the SDK listSessions({ dir }) on %s', (_name, make) => {
  const views = ['app', 'repo', 'repoWt', 'repoWt2', 'other'] as const;
  it.each(views)('%s, with and without worktrees', async (view) => {
    const { fs, worktrees } = make();
    const dir = scenario.dirs[view];
    const given = worktrees === 'git' ? { worktrees: await gitWorktrees(dir) } : {};
    const list = async (includeWorktrees: boolean) => {
      const { sessions } = await listSessions({
        fs,
        accounts: [scenario.acct],
        project: dir,
        includeWorktrees,
        ...given,
      });
      return sdkView(sessions).map((r) => relative(r, root));
    };
    expect(await list(true)).toEqual(recorded.views[view]);
    expect(await list(false)).toEqual(recorded.views[`${view} (no worktrees)`]);
  });

  it('all projects: a linked project folder or transcript is hidden, as in the SDK', async () => {
    const { fs } = make();
    const { sessions, problems } = await listSessions({ fs, accounts: [scenario.acct] });
    expect(sdkView(sessions).map((r) => relative(r, root))).toEqual(recorded.views.all);
    // Each link left out is said, not dropped silently.
    const shared = join(root, 'shared', 'projects');
    expect(problems.map((p) => [p.code, p.path]).sort()).toEqual(
      [
        ['ELINKED_ENTRY', join(shared, encode(scenario.dirs.app))],
        ['ELINKED_ENTRY', join(shared, encode(scenario.dirs.repo), '5d000005-0000-4000-8000-000000000005.jsonl')],
        ['ELINKED_ENTRY', join(shared, encode(scenario.dirs.repoWt2))],
      ].sort(),
    );
  });
});

it('git worktrees: none outside a repository or without git', async () => {
  expect(await gitWorktrees(join(root, 'other'))).toEqual([]);
  expect((await gitWorktrees(scenario.dirs.repo)).sort()).toEqual(
    [scenario.dirs.repo, scenario.dirs.repoWt, scenario.dirs.repoWt2].sort(),
  );
  const git = execFileSync('git', ['--version'], { encoding: 'utf8' });
  expect(git).toMatch(/^git version/);
});
