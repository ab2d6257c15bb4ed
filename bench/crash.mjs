// @ts-check
/**
 * Long crash runs: the test/crash/crash.test.ts check (a child applying the fixture's
 * share plan on a real disk, killed with SIGKILL at a random point; recover() must leave
 * no byte lost and the disk as before, or as applied when the apply had committed), for
 * as many runs as asked. The test suite runs 52.
 *
 *   node bench/crash.mjs [--runs 500]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '500' } } });
const started = performance.now();
const r = spawnSync('npx', ['--no-install', 'vitest', 'run', 'test/crash/crash.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CRASH_RUNS: String(Number(values.runs)) },
});
console.log(
  `${values.runs} crash runs: ${r.status === 0 ? 'all consistent' : 'FAILED'} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
process.exit(r.status ?? 1);
