// @ts-check
/**
 * Where a share's time goes, phase by phase: the library calls the command makes
 * (`inspect`, `planShare`, `applyPlan`, then the retained links: `readRetainState`,
 * `planRetain`, `applyPlan`), on a fresh copy of the corpus, with every filesystem call
 * counted and timed through a wrapper of the node filesystem. The apply is split at its
 * first progress event (before it: the preflight, the lock and the journal) and its
 * calls are attributed by method (copyFile: copy; lstat/realpath during copies: verify;
 * syncFileSystem/sync: flush; rename; symlink: link). "busy" sums the latency of
 * concurrent calls, so it can exceed the wall time.
 *
 * Run it with the pool the command uses:
 *
 *   UV_THREADPOOL_SIZE=16 node bench/share-phases.mjs --corpus /tmp/g-share-corpus [--work DIR] [--concurrency 16]
 *
 * Prints a table per phase and one JSON line.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { applyPlan, createNodeFileSystem, inspect, planRetain, planShare, readRetainState } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: '/tmp/g-share-corpus' },
    work: { type: 'string' },
    concurrency: { type: 'string', default: process.env.UV_THREADPOOL_SIZE ?? '16' },
    'no-retain': { type: 'boolean', default: false },
  },
});
const CORPUS = resolve(values.corpus ?? '');
const WORK = resolve(values.work ?? `${CORPUS}.phases`);
const concurrency = Number(values.concurrency);

rmSync(WORK, { recursive: true, force: true });
execFileSync('cp', ['-a', CORPUS, WORK]);
execFileSync('sync');
const accounts = readdirSync(WORK)
  .filter((n) => n.startsWith('acct-'))
  .sort()
  .map((n) => join(WORK, n));
const shared = join(WORK, 'shared', 'projects');

const base = createNodeFileSystem();
/** @type {Map<string, { calls: number, busyMs: number }>} */
let calls = new Map();
const count = (/** @type {string} */ name, /** @type {number} */ ms) => {
  const c = calls.get(name) ?? { calls: 0, busyMs: 0 };
  c.calls++;
  c.busyMs += ms;
  calls.set(name, c);
};
/** A FileSystem that times every call of `base` (and of the handles it opens). */
const fs = new Proxy(base, {
  get(target, prop, receiver) {
    const v = Reflect.get(target, prop, receiver);
    if (typeof v !== 'function' || typeof prop !== 'string') return v;
    return (/** @type {any[]} */ ...args) => {
      const t = performance.now();
      const r = v.apply(target, args);
      if (!(r instanceof Promise)) return r;
      return r.then(
        (x) => {
          count(prop, performance.now() - t);
          if (prop === 'open' && x && typeof x === 'object') {
            for (const m of ['read', 'write', 'sync', 'stat', 'close']) {
              const f = x[m].bind(x);
              x[m] = (/** @type {any[]} */ ...a) => {
                const t2 = performance.now();
                return f(...a).finally(() => count(`handle.${m}`, performance.now() - t2));
              };
            }
          }
          return x;
        },
        (e) => {
          count(`${prop} (failed)`, performance.now() - t);
          throw e;
        },
      );
    };
  },
});

/** @type {{ phase: string, wallMs: number, cpuMs: number, calls: Map<string, { calls: number, busyMs: number }> }[]} */
const phases = [];
let mark = performance.now();
let cpuMark = process.cpuUsage();
const end = (/** @type {string} */ phase) => {
  const now = performance.now();
  const cpu = process.cpuUsage(cpuMark);
  phases.push({ phase, wallMs: now - mark, cpuMs: (cpu.user + cpu.system) / 1000, calls });
  calls = new Map();
  mark = now;
  cpuMark = process.cpuUsage();
};

const load0 = loadavg()[0];
const snapshot = await inspect({ accounts, sharedDir: shared, fs });
end('inspect');
const plan = planShare(snapshot, { id: 'phases', now: Date.now(), linkType: 'dir' });
end('plan');
const types = new Map();
for (const op of plan.operations) types.set(op.type, (types.get(op.type) ?? 0) + 1);
let first = true;
const report = await applyPlan(plan, {
  fs,
  concurrency,
  onProgress: () => {
    if (first) {
      first = false;
      end('apply: preflight, lock, journal');
    }
  },
});
end('apply: operations (copy, verify, flush, rename, link), commit');
if (!values['no-retain']) {
  const state = await readRetainState(fs, shared);
  const retain = planRetain(state, { id: 'retain', now: Date.now() });
  end('retain: read + plan');
  await applyPlan(retain, { fs });
  end(`retain: apply (${retain.operations.length} ops)`);
}
const load1 = loadavg()[0];

const f = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `share phases on ${WORK}: ${plan.operations.length} operations (${[...types].map(([t, n]) => `${n} ${t}`).join(', ')}), ${report.bytesCopied} bytes copied, concurrency ${concurrency}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '(4)'}, load ${load0.toFixed(1)} -> ${load1.toFixed(1)}`,
);
for (const p of phases) {
  const top = [...p.calls]
    .sort((a, b) => b[1].busyMs - a[1].busyMs)
    .map(([n, c]) => `${c.calls} ${n} (${f(c.busyMs)} busy)`)
    .join(', ');
  console.log(`| ${p.phase} | ${f(p.wallMs)} | ${f(p.cpuMs)} | ${top || 'none'} |`);
}
console.log(
  JSON.stringify({
    load: [load0, load1],
    phases: phases.map((p) => ({ phase: p.phase, wallMs: Math.round(p.wallMs), cpuMs: Math.round(p.cpuMs) })),
  }),
);
rmSync(WORK, { recursive: true, force: true });
