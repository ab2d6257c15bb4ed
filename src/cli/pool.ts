import { spawn } from 'node:child_process';

/**
 * libuv's thread pool runs every filesystem call of the command; its default of four
 * threads, shared by copies, fsyncs and stats, is what an apply waits on most. Its size
 * is read once, when the pool starts, from `UV_THREADPOOL_SIZE`, and in an ES module
 * entry the pool has already started (Node reads the module through it) before any of
 * the command's code runs. So the commands that apply plans re-run themselves once in a
 * child with the variable set (about 40 ms), unless the user has set it.
 */
export const POOL_SIZE = 16;

/** Commands whose work is mostly filesystem calls through the pool. */
const POOL_COMMANDS = new Set(['apply', 'rollback', 'recover']);

/** True when this run should re-run itself with a larger pool. */
export function wantsLargerPool(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.UV_THREADPOOL_SIZE !== undefined && env.UV_THREADPOOL_SIZE !== '') return false;
  return argv.slice(2).some((a) => POOL_COMMANDS.has(a));
}

/** How many filesystem steps an apply runs at once: as many as the pool has threads, 4 to 32. */
export function applyConcurrency(env: Readonly<Record<string, string | undefined>>): number {
  const n = Number(env.UV_THREADPOOL_SIZE);
  return Number.isSafeInteger(n) && n > 0 ? Math.min(32, Math.max(4, n)) : 8;
}

/**
 * Runs this command again in a child with `UV_THREADPOOL_SIZE` set, passing stdio
 * through, and ends with the child's exit code (or signal). Ctrl+C on a terminal reaches
 * the child by itself (same process group), so the parent ignores SIGINT there rather
 * than deliver it twice (a second one kills an undo); other signals are passed on.
 */
export function rerunWithLargerPool(): void {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, UV_THREADPOOL_SIZE: String(POOL_SIZE) },
  });
  const forward = (signal: NodeJS.Signals) => () => {
    if (signal === 'SIGINT' && process.stdin.isTTY) return;
    child.kill(signal);
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  child.on('error', (error) => {
    process.stderr.write(`claude-shared-sessions: could not start: ${error.message}\n`);
    process.exitCode = 1;
  });
  child.on('exit', (code, signal) => {
    for (const [s, h] of handlers) process.removeListener(s, h);
    if (signal !== null) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
}

/**
 * The step workers an apply starts, from `CLAUDE_SHARED_SESSIONS_WORKERS` (0: none, every
 * step in the command's own thread); undefined, the library's default, when unset or not
 * a whole number from 0 to 8.
 */
export function applyWorkers(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const text = env.CLAUDE_SHARED_SESSIONS_WORKERS;
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 0 && n <= 8 ? n : undefined;
}

/** `{ workers }` for `applyPlan` when {@link applyWorkers} sets it, else nothing. */
export function workersOption(env: Readonly<Record<string, string | undefined>>): { workers?: number } {
  const workers = applyWorkers(env);
  return workers === undefined ? {} : { workers };
}
