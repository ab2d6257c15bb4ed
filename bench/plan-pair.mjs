// @ts-check
/**
 * Two builds of the library compared on planning and `inspect`, in one run, alternately
 * (the order swapped each round, so that neither always runs on a warmer cache or a
 * quieter minute): each round runs `find -printf` on the accounts, then
 * `bench/share-plan.mjs` with each build's dist/ in a process of its own. Prints every
 * round, the medians, the after/before ratios and the load average; then checks that both
 * builds write the same snapshot and the same 100,000-file plan (byte for byte).
 *
 *   node bench/plan-pair.mjs --before DIST --after DIST --corpus DIR [--rounds 3] [--files 100000] [--repeat 3]
 *
 * DIST is a build's dist/ folder (e.g. copy dist/ aside before a change: `cp -r dist /tmp/before`);
 * DIR holds the accounts (`acct-*`, as `../shared/bench/gen-corpus.py` makes them) and
 * `shared/projects`. Read-only on the corpus.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure, median } from './measure.mjs';

const here = join(fileURLToPath(import.meta.url), '..');
const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string', default: join(here, '..', 'dist') },
    corpus: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    files: { type: 'string', default: '100000' },
    repeat: { type: 'string', default: '3' },
    'no-check': { type: 'boolean', default: false },
  },
});
if (!values.before || !values.corpus) {
  console.error('usage: node bench/plan-pair.mjs --before DIST [--after DIST] --corpus DIR [--rounds N] [--files N]');
  process.exit(2);
}
const corpus = resolve(values.corpus);
const accounts = readdirSync(corpus)
  .filter((n) => n.startsWith('acct-'))
  .sort()
  .map((n) => join(corpus, n));
const shared = join(corpus, 'shared', 'projects');
const builds = { before: resolve(values.before), after: resolve(values.after ?? '') };
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** One share-plan.mjs run of a build: its JSON line. */
function run(/** @type {string} */ dist, /** @type {string[]} */ extra = []) {
  const args = [
    join(here, 'share-plan.mjs'),
    '--dist',
    dist,
    '--files',
    String(values.files),
    '--repeat',
    String(values.repeat),
    ...extra,
    '--shared',
    shared,
    ...accounts,
  ];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`share-plan.mjs with ${dist} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.split('\n')[0] ?? '{}');
}

console.log(`corpus ${corpus} (${accounts.length} accounts), load ${load()}`);
/** @type {Record<'before' | 'after', { inspect: number[]; plan: number[]; cpu: number[] }>} */
const got = { before: { inspect: [], plan: [], cpu: [] }, after: { inspect: [], plan: [], cpu: [] } };
/** @type {number[]} */
const finds = [];
const rounds = Math.max(1, Number(values.rounds));
const s = (/** @type {number} */ ms) => (ms / 1000).toFixed(3);
for (let round = 1; round <= rounds; round++) {
  const find = measure(['find', ...accounts, '-printf', '%p %y %s %m %T@\\n']);
  finds.push(find.wallMs);
  /** @type {('before' | 'after')[]} */
  const order = round % 2 === 1 ? ['before', 'after'] : ['after', 'before'];
  const line = [`round ${round} (load ${load()}): find ${s(find.wallMs)} s`];
  for (const which of order) {
    const out = run(builds[which]);
    got[which].inspect.push(out.inspectMs);
    got[which].plan.push(out.planMs);
    got[which].cpu.push(out.planCpuMs);
    line.push(
      `${which}: inspect ${s(out.inspectMs)} s, plan ${s(out.planMs)} s (cpu ${s(out.planCpuMs)} s, ${out.operations} ops)`,
    );
  }
  console.log(line.join('; '));
}
const m = (/** @type {'before' | 'after'} */ w, /** @type {'inspect' | 'plan' | 'cpu'} */ k) => median(got[w][k]);
const f = median(finds);
console.log('\n| median | before | after | after / before |');
console.log('| --- | --- | --- | --- |');
for (const [label, k] of /** @type {const} */ ([
  ['plan, wall', 'plan'],
  ['plan, CPU', 'cpu'],
  ['inspect, wall', 'inspect'],
])) {
  console.log(
    `| ${label} | ${s(m('before', k))} s | ${s(m('after', k))} s | ${(m('after', k) / m('before', k)).toFixed(2)} |`,
  );
}
console.log(
  `| inspect / find -printf (${s(f)} s) | ${(m('before', 'inspect') / f).toFixed(1)}x | ${(m('after', 'inspect') / f).toFixed(1)}x | |`,
);
console.log(`load at the end ${load()}`);

if (!values['no-check']) {
  const dir = mkdtempSync(join(tmpdir(), 'plan-pair-'));
  try {
    /** @type {Record<string, Buffer>} */
    const out = {};
    for (const which of /** @type {const} */ (['before', 'after'])) {
      const plan = join(dir, `${which}.plan.json`);
      const snap = join(dir, `${which}.snapshot.json`);
      run(builds[which], ['--repeat', '1', '--now', '1795761125000', '--plan-out', plan, '--snapshot-out', snap]);
      out[`${which}.plan`] = readFileSync(plan);
      out[`${which}.snapshot`] = readFileSync(snap);
    }
    for (const kind of ['snapshot', 'plan']) {
      const before = /** @type {Buffer} */ (out[`before.${kind}`]);
      const after = /** @type {Buffer} */ (out[`after.${kind}`]);
      const same = before.equals(after);
      console.log(`${kind}: ${same ? 'byte-identical' : 'DIFFERS'} (${after.length} bytes)`);
      if (!same) console.log(`  where: ${differences(JSON.parse(before.toString()), JSON.parse(after.toString()))}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where two JSON values differ, counted by the name of the member that differs (`a.b[].c`). */
function differences(/** @type {unknown} */ x, /** @type {unknown} */ y) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  const visit = (/** @type {unknown} */ a, /** @type {unknown} */ b, /** @type {string} */ at) => {
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
        for (let i = 0; i < a.length; i++) visit(a[i], b[i], `${at}[]`);
        return;
      }
      if (!Array.isArray(a) && !Array.isArray(b)) {
        const ra = /** @type {Record<string, unknown>} */ (a);
        const rb = /** @type {Record<string, unknown>} */ (b);
        for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) visit(ra[k], rb[k], at ? `${at}.${k}` : k);
        return;
      }
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) counts.set(at, (counts.get(at) ?? 0) + 1);
  };
  visit(x, y, '');
  return [...counts].map(([k, n]) => `${k} (${n})`).join(', ') || 'key order only';
}
