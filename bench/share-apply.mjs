// @ts-check
/**
 * The library side of bench/share.mjs, run in its own process so that its time, memory
 * and writes are measured alone: plans the share of the given accounts with the built
 * library (dist/) and applies it, then prints one JSON line.
 *
 *   node bench/share-apply.mjs <home> <sharedDir> <account>...
 *
 * With SHARE_DURABLE=0 in the environment, copies are not fsynced (`durable: false`).
 */
import { applyPlan, share } from '../dist/index.js';

const [home, sharedDir, ...accounts] = process.argv.slice(2);
if (!home || !sharedDir || accounts.length === 0) {
  console.error('usage: node bench/share-apply.mjs <home> <sharedDir> <account>...');
  process.exit(2);
}
const t0 = performance.now();
const plan = await share({ home, sharedDir, accounts });
const t1 = performance.now();
const report = await applyPlan(plan, { durable: process.env.SHARE_DURABLE !== '0' });
const t2 = performance.now();
const counts = /** @type {Record<string, number>} */ ({});
for (const op of plan.operations) counts[op.type] = (counts[op.type] ?? 0) + 1;
console.log(
  JSON.stringify({
    planMs: Math.round(t1 - t0),
    applyMs: Math.round(t2 - t1),
    operations: plan.operations.length,
    counts,
    conflicts: plan.conflicts.length,
    report,
    maxRssKb: process.resourceUsage().maxRSS,
  }),
);
