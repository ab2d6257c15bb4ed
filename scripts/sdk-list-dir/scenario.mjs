/**
 * The folder layout that `record.mjs` lists with the official SDK and that
 * test/conformance/list-project-sdk.test.ts lists with this library: one account whose
 * `projects/` links to a shared folder, in which
 * - `app`'s project folder is a symlink to a folder elsewhere (listed in app's view only);
 * - `repo` has real sessions and a transcript that is a symlink (listed by no view);
 * - `repo-wt` and `repo-wt2` are git worktrees of `repo`; `repo-wt2`'s project folder is
 *   a symlink (the SDK follows it in repo-wt2's own view, not in the others');
 * - `other` is an unrelated project.
 * Plain JavaScript, no dependency but git (for the worktrees).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Claude Code's project folder name for a (short) working directory. */
export const encode = (dir) => dir.replace(/[^a-zA-Z0-9]/g, '-');

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const id = (n) => `5d${String(n).padStart(6, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;

function transcript(sessionId, cwd, prompt, at) {
  const base = {
    cwd,
    sessionId,
    version: '2.1.332',
    gitBranch: 'main',
    entrypoint: 'cli',
    userType: 'external',
    isSidechain: false,
  };
  const user = {
    parentUuid: null,
    ...base,
    type: 'user',
    message: { role: 'user', content: prompt },
    uuid: `${sessionId.slice(0, 8)}-u`,
    timestamp: new Date(at).toISOString(),
  };
  const answer = {
    parentUuid: user.uuid,
    ...base,
    type: 'assistant',
    message: { role: 'assistant', model: 'claude-opus-5-5', content: [{ type: 'text', text: `Answer to: ${prompt}` }] },
    uuid: `${sessionId.slice(0, 8)}-a`,
    timestamp: new Date(at + 1000).toISOString(),
  };
  return `${JSON.stringify(user)}\n${JSON.stringify(answer)}\n`;
}

/**
 * Builds the layout under `root` (an empty folder, real path). Returns the account and
 * the working directories.
 */
export function buildScenario(root) {
  const dirs = {
    app: join(root, 'app'),
    repo: join(root, 'repo'),
    repoWt: join(root, 'repo-wt'),
    repoWt2: join(root, 'repo-wt2'),
    other: join(root, 'other'),
  };
  const acct = join(root, 'acct');
  const shared = join(root, 'shared', 'projects');
  const elsewhere = join(root, 'elsewhere');
  for (const d of [acct, shared, elsewhere, dirs.app, dirs.repo, dirs.other]) mkdirSync(d, { recursive: true });
  symlinkSync(shared, join(acct, 'projects'));
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
      cwd: dirs.repo,
      stdio: 'ignore',
    });
  git('init', '-q', '-b', 'main');
  git('commit', '-q', '--allow-empty', '-m', 'init');
  git('worktree', 'add', '-q', '-b', 'wt', dirs.repoWt);
  git('worktree', 'add', '-q', '-b', 'wt2', dirs.repoWt2);

  let n = 0;
  const session = (folder, cwd, prompt) => {
    n++;
    const sid = id(n);
    const path = join(folder, `${sid}.jsonl`);
    writeFileSync(path, transcript(sid, cwd, prompt, T0 + n * 60_000), { mode: 0o600 });
    const mtime = new Date(T0 + n * 60_000 + 1500);
    utimesSync(path, mtime, mtime);
    return path;
  };
  const folder = (dir, where = shared) => {
    const f = join(where, encode(dir));
    mkdirSync(f, { recursive: true, mode: 0o700 });
    return f;
  };
  // app: its project folder lives elsewhere, linked by absolute path.
  const appReal = folder(dirs.app, elsewhere);
  session(appReal, dirs.app, 'app: first');
  session(appReal, dirs.app, 'app: second');
  symlinkSync(appReal, join(shared, encode(dirs.app)));
  // repo: two sessions and a transcript that is a link to a file elsewhere.
  const repo = folder(dirs.repo);
  session(repo, dirs.repo, 'repo: first');
  session(repo, dirs.repo, 'repo: second');
  const linked = session(elsewhere, dirs.repo, 'repo: linked transcript');
  symlinkSync(linked, join(repo, linked.split('/').at(-1)));
  // the worktrees: one real folder, one linked.
  session(folder(dirs.repoWt), dirs.repoWt, 'repo-wt: first');
  const wt2Real = folder(dirs.repoWt2, elsewhere);
  session(wt2Real, dirs.repoWt2, 'repo-wt2: first');
  symlinkSync(wt2Real, join(shared, encode(dirs.repoWt2)));
  session(folder(dirs.other), dirs.other, 'other: first');
  return { acct, dirs };
}

/** How many times each transcript of the scenario names its folder (the `cwd` of its 2 lines). */
export const ROOTS_PER_TRANSCRIPT = 2;

/**
 * A row with the scenario's root replaced by `<root>`, so that recordings compare across
 * runs: in paths, and in `fileSize` (each transcript holds the root
 * {@link ROOTS_PER_TRANSCRIPT} times).
 */
export function relative(row, root) {
  const out = JSON.parse(JSON.stringify(row).split(root).join('<root>'));
  if (typeof out === 'object' && out !== null && typeof out.fileSize === 'number') {
    out.fileSize -= ROOTS_PER_TRANSCRIPT * (Buffer.byteLength(root) - '<root>'.length);
  }
  return out;
}
