// @ts-check
/**
 * The planning side of bench/share.mjs, in its own process: times `inspect` of the given
 * accounts with the built library (modules loaded before the clock starts), then grows
 * the snapshot to about --files files (each account's transcripts repeated under new
 * session ids, as if every account held more sessions) and times `planShare` on it
 * (median of --repeat). Prints one JSON line.
 *
 *   node bench/share-plan.mjs [--files 100000] [--repeat 3] [--dist DIR] [--now MS]
 *                             [--plan-out FILE] [--snapshot-out FILE] --shared DIR ACCOUNT...
 *
 * --dist takes the library from another build's dist/ (bench/plan-pair.mjs compares two
 * builds that way); --now fixes the plan's time and --plan-out / --snapshot-out write the
 * last plan and the snapshot as JSON, so that two builds' outputs can be compared (`cmp`).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './measure.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    files: { type: 'string', default: '100000' },
    repeat: { type: 'string', default: '3' },
    shared: { type: 'string' },
    dist: { type: 'string' },
    now: { type: 'string' },
    'plan-out': { type: 'string' },
    'snapshot-out': { type: 'string' },
  },
});
if (!values.shared || positionals.length === 0) {
  console.error('usage: node bench/share-plan.mjs [--files N] --shared DIR ACCOUNT...');
  process.exit(2);
}
/** @type {typeof import('../dist/index.js')} */
const { inspect, planShare } = await import(
  values.dist === undefined ? '../dist/index.js' : pathToFileURL(resolve(values.dist, 'index.js')).href
);
const t0 = performance.now();
const snapshot = await inspect({ accounts: positionals, sharedDir: values.shared });
const inspectMs = performance.now() - t0;
if (values['snapshot-out']) writeFileSync(values['snapshot-out'], JSON.stringify(snapshot));

/** Repeats every file of every account folder under a session id with its first 8 hex digits changed. */
function grow(/** @type {import('../dist/index.js').Snapshot} */ snap, /** @type {number} */ target) {
  const count = () =>
    snap.accounts.reduce(
      (n, a) => n + (a.folders.projects?.kind === 'directory' ? a.folders.projects.entries.length : 0),
      0,
    );
  const have = count();
  const times = Math.max(1, Math.ceil(target / Math.max(1, have)));
  for (const a of snap.accounts) {
    const f = a.folders.projects;
    if (f?.kind !== 'directory') continue;
    const files = f.entries.filter((e) => e.type === 'file');
    const extra = [];
    for (let k = 1; k < times; k++) {
      for (const e of files) {
        extra.push({
          ...e,
          path: e.path.replace(
            /\/([0-9a-f]{8})-/,
            (_m, h) => `/${(Number.parseInt(h, 16) ^ k).toString(16).padStart(8, '0')}-`,
          ),
        });
      }
    }
    f.entries.push(...extra);
    f.entries.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  }
  return count();
}
const entries = grow(snapshot, Number(values.files));
const wall = [];
const cpu = [];
let operations = 0;
const now = values.now === undefined ? Date.now() : Number(values.now);
for (let i = 0; i < Number(values.repeat); i++) {
  const c = process.cpuUsage();
  const t = performance.now();
  const plan = planShare(snapshot, { id: 'bench', now });
  wall.push(performance.now() - t);
  const u = process.cpuUsage(c);
  cpu.push((u.user + u.system) / 1000);
  operations = plan.operations.length;
  if (i === Number(values.repeat) - 1 && values['plan-out']) writeFileSync(values['plan-out'], JSON.stringify(plan));
}
const planMs = median(wall);
// The JSON line first (bench/share.mjs reads it), then the verdict for a reader.
console.log(JSON.stringify({ inspectMs, entries, operations, planMs, planCpuMs: median(cpu) }));
console.error(
  `planned ${entries} files (${operations} operations) in ${(planMs / 1000).toFixed(2)} s wall, ${(median(cpu) / 1000).toFixed(2)} s CPU (median of ${wall.length}; goal < 1 s: ${planMs < 1000 ? 'met' : 'NOT met'}); inspect ${(inspectMs / 1000).toFixed(2)} s, load ${loadavg()[0].toFixed(1)}`,
);
