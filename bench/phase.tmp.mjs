import { applyPlan, createNodeFileSystem, share } from '/work/main/dist/index.js';

const [home, sharedDir, ...accounts] = process.argv.slice(2);
let t = performance.now();
const plan = await share({ home, sharedDir, accounts });
console.log('plan', (performance.now() - t).toFixed(0));
const fs = createNodeFileSystem();
const counts = {};
const time = {};
const wrap = {};
for (const k of [
  'lstat',
  'stat',
  'readdir',
  'readlink',
  'realpath',
  'mkdir',
  'readFile',
  'writeFile',
  'open',
  'copyFile',
  'rename',
  'symlink',
  'unlink',
  'rmdir',
  'utimes',
  'chmod',
]) {
  wrap[k] = async (...a) => {
    const t = performance.now();
    try {
      return await fs[k](...a);
    } finally {
      counts[k] = (counts[k] ?? 0) + 1;
      time[k] = (time[k] ?? 0) + performance.now() - t;
    }
  };
}
t = performance.now();
let first = 0;
let renameAt = 0;
await applyPlan(plan, {
  fs: { kind: 'x', sep: '/', ...wrap },
  concurrency: Number(process.env.C ?? 8),
  onProgress: (p) => {
    if (p.opsDone === 1) first = performance.now() - t;
    if (p.opsDone === plan.operations.length - 8) renameAt = performance.now() - t;
  },
});
console.log(
  'total',
  (performance.now() - t).toFixed(0),
  'until first op done',
  first.toFixed(0),
  'before last 8 ops',
  renameAt.toFixed(0),
);
console.log(counts);
console.log(Object.fromEntries(Object.entries(time).map(([k, v]) => [k, v.toFixed(0)])));
