/**
 * Applies a plan on the real disk, slowly, to be killed with SIGKILL at a random moment
 * by test/crash/crash.test.ts. Argument: JSON { planPath, delayMs, failAt?, concurrency }.
 * Prints `writing` at its first write (the checks before it write nothing), then `done`
 * or `failed`.
 */
import { readFileSync } from 'node:fs';
import { applyPlan } from '../../../src/apply/index.js';
import { createNodeFileSystem } from '../../../src/fs/node.js';
import type { Plan } from '../../../src/plan/types.js';
import { faultyFs } from '../../support/faulty-fs.js';

interface ChildConfig {
  planPath: string;
  delayMs: number;
  failAt?: number;
  concurrency: number;
  /**
   * Run the copies on this many step workers (the executor's worker threads), through
   * the unwrapped real disk: the workers make their own calls, which no hook sees, so
   * `writing` is printed when the first operation is done and no fault is injected.
   */
  workers?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const plan = JSON.parse(readFileSync(config.planPath, 'utf8')) as Plan;
const workers = config.workers ?? 0;
const slowed = faultyFs(createNodeFileSystem(), {
  ...(config.failAt === undefined ? {} : { failAt: config.failAt }),
  mode: 'once',
  before: (index) => {
    if (index === 1) process.stdout.write('writing\n');
    // A pause at each write spreads the kill points; 0 still yields to the event loop.
    return new Promise((resolve) => (config.delayMs > 0 ? setTimeout(resolve, config.delayMs) : setImmediate(resolve)));
  },
});
const fs = workers > 0 ? createNodeFileSystem() : slowed;
let said = false;
// With workers no hook sees the first write: the first operation done says it instead.
const onProgress = () => {
  if (workers === 0 || said) return;
  said = true;
  process.stdout.write('writing\n');
};
try {
  const report = await applyPlan(plan, { fs, concurrency: config.concurrency, workers, onProgress });
  if (report.workers !== workers) throw new Error(`asked for ${workers} step workers, ran ${report.workers}`);
  process.stdout.write('done\n');
} catch {
  process.stdout.write('failed\n');
}
