/**
 * The git worktrees of a working directory, as the official SDK's `listSessions({ dir })`
 * finds them (`@anthropic-ai/claude-agent-sdk` 0.3.332): `git worktree list --porcelain`
 * run in the folder, with hooks and fsmonitor off and a 5 s limit; every `worktree <path>`
 * line is one (the folder's own included). Git is optional: when it is missing, or the
 * folder is not in a repository, or anything fails, there are none.
 */
import { execFile } from 'node:child_process';

export async function gitWorktrees(dir: string): Promise<string[]> {
  return new Promise((resolve) => {
    try {
      execFile(
        'git',
        ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=', 'worktree', 'list', '--porcelain'],
        {
          cwd: dir,
          env: { ...process.env, GIT_REFERENCE_BACKEND: 'files' },
          timeout: 5000,
          windowsHide: true,
        },
        (error, stdout) => {
          if (error || typeof stdout !== 'string') return resolve([]);
          resolve(
            stdout
              .split('\n')
              .filter((line) => line.startsWith('worktree '))
              .map((line) => line.slice('worktree '.length).normalize('NFC')),
          );
        },
      );
    } catch {
      resolve([]);
    }
  });
}
