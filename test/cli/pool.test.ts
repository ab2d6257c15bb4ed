import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyConcurrency, applyWorkers, POOL_SIZE, wantsLargerPool, workersOption } from '../../src/cli/pool.js';
import { cleanEnv, cliPath, makeSandbox, repoRoot, type TestSandbox } from './support.js';

describe('the thread pool of the commands that apply', () => {
  it('re-runs apply, rollback and recover once, unless UV_THREADPOOL_SIZE is set', () => {
    const argv = (...a: string[]) => ['node', 'cli.js', ...a];
    expect(wantsLargerPool(argv('apply', '--yes'), {})).toBe(true);
    expect(wantsLargerPool(argv('--json', 'rollback'), {})).toBe(true);
    expect(wantsLargerPool(argv('recover'), {})).toBe(true);
    expect(wantsLargerPool(argv('status'), {})).toBe(false);
    expect(wantsLargerPool(argv('list', '--all'), {})).toBe(false);
    expect(wantsLargerPool(argv('apply'), { UV_THREADPOOL_SIZE: '4' })).toBe(false);
    expect(applyConcurrency({ UV_THREADPOOL_SIZE: '16' })).toBe(16);
    expect(applyConcurrency({ UV_THREADPOOL_SIZE: '64' })).toBe(32);
    expect(applyConcurrency({ UV_THREADPOOL_SIZE: 'x' })).toBe(8);
    expect(applyConcurrency({})).toBe(8);
  });

  it('takes the step workers from CLAUDE_SHARED_SESSIONS_WORKERS (0 to 8), else the library default', () => {
    expect(applyWorkers({ CLAUDE_SHARED_SESSIONS_WORKERS: '0' })).toBe(0);
    expect(applyWorkers({ CLAUDE_SHARED_SESSIONS_WORKERS: '3' })).toBe(3);
    expect(applyWorkers({ CLAUDE_SHARED_SESSIONS_WORKERS: '9' })).toBeUndefined();
    expect(applyWorkers({ CLAUDE_SHARED_SESSIONS_WORKERS: '1.5' })).toBeUndefined();
    expect(applyWorkers({ CLAUDE_SHARED_SESSIONS_WORKERS: ' ' })).toBeUndefined();
    expect(applyWorkers({})).toBeUndefined();
    expect(workersOption({ CLAUDE_SHARED_SESSIONS_WORKERS: '0' })).toEqual({ workers: 0 });
    expect(workersOption({})).toEqual({});
  });
});

// /proc/self/task counts the threads; Linux only.
if (process.platform === 'linux') {
  describe('the built command (Linux)', () => {
    let sb: TestSandbox;
    let out: string;
    beforeEach(async () => {
      sb = await makeSandbox(2);
      out = await mkdtemp(join(tmpdir(), 'css-pool-'));
      // Each Node process of the command records, at exit, its pool size setting and threads.
      await writeFile(
        join(out, 'preload.mjs'),
        `import { readdirSync, writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(${JSON.stringify(out)} + '/' + process.pid + '.json', JSON.stringify({
  pool: process.env.UV_THREADPOOL_SIZE ?? null, threads: readdirSync('/proc/self/task').length })));\n`,
      );
    });
    afterEach(async () => {
      await sb.cleanup();
      await rm(out, { recursive: true, force: true });
    });

    const run = (args: string[]) => {
      const env = cleanEnv({ NODE_OPTIONS: `--import=${join(out, 'preload.mjs')}` });
      delete env.UV_THREADPOOL_SIZE;
      return spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, env, encoding: 'utf8', input: '' });
    };
    const records = async () =>
      Promise.all(
        (await readdir(out))
          .filter((f) => f.endsWith('.json'))
          .map(
            async (f) => JSON.parse(await readFile(join(out, f), 'utf8')) as { pool: string | null; threads: number },
          ),
      );

    it('applies in a child whose pool has POOL_SIZE threads, with the exit code and output of the child', async () => {
      const r = run(['apply', '--yes', '--json', ...sb.args]);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ applied: true });
      const rs = await records();
      expect(rs).toHaveLength(2);
      const child = rs.find((x) => x.pool === String(POOL_SIZE));
      expect(child).toBeDefined();
      // The main thread, the pool, and V8's own threads.
      expect(child?.threads).toBeGreaterThan(POOL_SIZE);
      const failed = run(['apply', '--yes', '--accounts', join(sb.root, 'nope')]);
      expect(failed.status).not.toBe(0);
    });

    it('runs other commands in one process', async () => {
      expect(run(['status', ...sb.args]).status).toBe(0);
      const rs = await records();
      expect(rs).toHaveLength(1);
      expect(rs[0]?.pool).toBeNull();
    });
  });
}
