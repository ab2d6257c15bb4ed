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
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const plan = JSON.parse(readFileSync(config.planPath, 'utf8')) as Plan;
const fs = faultyFs(createNodeFileSystem(), {
  ...(config.failAt === undefined ? {} : { failAt: config.failAt }),
  mode: 'once',
  before: (index) => {
    if (index === 1) process.stdout.write('writing\n');
    // A pause at each write spreads the kill points; 0 still yields to the event loop.
    return new Promise((resolve) => (config.delayMs > 0 ? setTimeout(resolve, config.delayMs) : setImmediate(resolve)));
  },
});
try {
  await applyPlan(plan, { fs, concurrency: config.concurrency });
  process.stdout.write('done\n');
} catch {
  process.stdout.write('failed\n');
}
