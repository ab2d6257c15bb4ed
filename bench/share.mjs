// @ts-check
/**
 * Share benchmark, the way users run it: the built command
 *
 *   node dist/cli.js apply --yes --accounts A1 A2 ... --shared S        (plan + apply, every safety on)
 *
 * against the seed recipe (docs: ../shared/design.md), in the same run, alternately:
 *
 *   mkdir -p S
 *   for A in accounts: rsync -a --ignore-existing "$A/projects/" "S/"
 *   for A in accounts: mv "$A/projects" "$A/projects.bak.$(date +%s)"
 *   for A in accounts: ln -s "S" "$A/projects"
 *
 * on the shared corpus (`../shared/bench/gen-corpus.py OUT 4 2000`, generated once into
 * --corpus and reused; each variant of each run works on a fresh `cp -a` of it, synced to
 * the device before the clock starts). Run 1 is
 * the cold-ish one (the corpus was just copied, nothing of the command is cached yet);
 * runs 2.. are warm. Prints each run, the medians, the ratio of each pair and peak RSS.
 *
 * Then, unless --no-plan: planning --plan-files (100,000) files from a snapshot (the
 * corpus's snapshot scaled up), and `inspect` against `find -printf` on the same tree.
 *
 *   npm run bench:share -- [--corpus .bench/share-corpus] [--runs 3] [--accounts 4] [--sessions 2000]
 *                          [--seed 7] [--work DIR] [--plan-files 100000] [--no-plan]
 *
 * Needs python3 (the corpus generator, rusage) and rsync (the recipe).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure, median } from './measure.mjs';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: '.bench/share-corpus' },
    work: { type: 'string' },
    runs: { type: 'string', default: '3' },
    accounts: { type: 'string', default: '4' },
    sessions: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '7' },
    gen: { type: 'string' },
    'plan-files': { type: 'string', default: '100000' },
    'no-plan': { type: 'boolean', default: false },
    'no-share': { type: 'boolean', default: false },
  },
});
const CORPUS = resolve(root, values.corpus ?? '.bench/share-corpus');
const WORK = resolve(root, values.work ?? `${CORPUS}.work`);
const RUNS = Math.max(1, Number(values.runs));
const ACCOUNTS = Number(values.accounts);
const SESSIONS = Number(values.sessions);

const need = (/** @type {string} */ cmd, /** @type {string} */ why) => {
  if (spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0) return;
  console.error(
    `${cmd} is not installed; ${why}. Install it (Debian/Ubuntu: sudo apt-get install -y ${cmd}; macOS: brew install ${cmd}) and run again.`,
  );
  process.exit(2);
};
need('python3', 'the corpus generator and the rusage harness need it');
if (!values['no-share']) need('rsync', "the seed recipe's copy step is rsync -a --ignore-existing");
if (!existsSync(join(root, 'dist', 'cli.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run bench:share does).');
  process.exit(2);
}

/** ../shared/bench/gen-corpus.py from the repository, or from a worktree beside it. */
function generator() {
  const candidates = [
    values.gen,
    join(root, '..', 'shared', 'bench', 'gen-corpus.py'),
    join(root, '..', '..', 'shared', 'bench', 'gen-corpus.py'),
  ];
  const found = candidates.find((c) => c !== undefined && existsSync(c));
  if (!found) {
    console.error(`gen-corpus.py not found (looked in ${candidates.filter(Boolean).join(', ')}); pass --gen PATH.`);
    process.exit(2);
  }
  return found;
}

/** Generates the corpus once (about 3 minutes for 4 x 2,000); reused while the options match. */
function corpus() {
  const stamp = join(CORPUS, '.bench-corpus.json');
  const wanted = JSON.stringify({ accounts: ACCOUNTS, sessions: SESSIONS, seed: values.seed });
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  rmSync(CORPUS, { recursive: true, force: true });
  const t = performance.now();
  execFileSync('python3', [generator(), CORPUS, String(ACCOUNTS), String(SESSIONS), String(values.seed)], {
    stdio: 'inherit',
  });
  writeFileSync(stamp, wanted);
  console.log(`corpus generated in ${((performance.now() - t) / 1000).toFixed(0)} s`);
}

const accountNames = () =>
  readdirSync(CORPUS)
    .filter((n) => n.startsWith('acct-'))
    .sort();

/** A fresh copy of the corpus at WORK (the previous one removed first). */
function freshCopy() {
  rmSync(WORK, { recursive: true, force: true });
  execFileSync('cp', ['-a', CORPUS, WORK]);
  // The copy's dirty pages go to the device now, not during the measured run (the
  // command's flush would otherwise pay for the corpus copy too, the recipe never).
  execFileSync('sync');
  return { accounts: accountNames().map((n) => join(WORK, n)), shared: join(WORK, 'shared', 'projects') };
}

/** Every account is a link to the shared folder; returns the transcripts in it. */
function check(/** @type {string[]} */ accounts, /** @type {string} */ shared) {
  for (const a of accounts) {
    const link = join(a, 'projects');
    if (!lstatSync(link).isSymbolicLink() || readlinkSync(link) !== shared) throw new Error(`${link} is not linked`);
  }
  let n = 0;
  for (const p of readdirSync(shared)) {
    if (!lstatSync(join(shared, p)).isDirectory()) continue;
    for (const f of readdirSync(join(shared, p))) if (f.endsWith('.jsonl')) n++;
  }
  return n;
}

const RECIPE = `set -e
mkdir -p "$SHARED"
for A in $ACCOUNTS; do rsync -a --ignore-existing "$A/projects/" "$SHARED/"; done
STAMP=$(date +%s)
for A in $ACCOUNTS; do mv "$A/projects" "$A/projects.bak.$STAMP"; done
for A in $ACCOUNTS; do ln -s "$SHARED" "$A/projects"; done
`;

const variants = {
  ours: () => {
    const { accounts, shared } = freshCopy();
    const m = measure(
      [
        process.execPath,
        join(root, 'dist', 'cli.js'),
        'apply',
        '--yes',
        '--json',
        '--accounts',
        ...accounts,
        '--shared',
        shared,
      ],
      { keepStdout: true },
    );
    if (m.status !== 0) throw new Error(`the command failed (${m.status}): ${m.stdout}`);
    const report = JSON.parse(m.stdout ?? '{}').report ?? {};
    return { ...m, transcripts: check(accounts, shared), note: `${report.operationsDone} ops` };
  },
  recipe: () => {
    const { accounts, shared } = freshCopy();
    const m = measure(['bash', '-c', RECIPE], { env: { SHARED: shared, ACCOUNTS: accounts.join(' ') } });
    if (m.status !== 0) throw new Error('the recipe failed');
    return { ...m, transcripts: check(accounts, shared), note: 'first copy wins; no checks' };
  },
};

const s = (/** @type {number} */ ms) => (ms / 1000).toFixed(2);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** @param {string[][]} rows */
function table(rows) {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows)
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '));
}

function shareBench() {
  console.log(
    `\nshare: ${ACCOUNTS} accounts x ${SESSIONS} sessions from ${CORPUS}, ${RUNS} paired runs, node ${process.version}, load ${load()}`,
  );
  /** @type {{ run: number, ours: any, recipe: any }[]} */
  const runs = [];
  for (let run = 1; run <= RUNS; run++) {
    // Alternate which goes first, so that neither always meets the other's leftovers.
    const order = run % 2 === 1 ? ['ours', 'recipe'] : ['recipe', 'ours'];
    /** @type {any} */
    const r = { run };
    for (const v of order) r[v] = variants[/** @type {'ours' | 'recipe'} */ (v)]();
    runs.push(r);
    console.log(
      `run ${run} (${run === 1 ? 'cold-ish' : 'warm'}, load ${load()}): ours ${s(r.ours.wallMs)} s (${(r.ours.maxRssKb / 1024).toFixed(0)} MB), recipe ${s(r.recipe.wallMs)} s, ratio ${(r.ours.wallMs / r.recipe.wallMs).toFixed(2)}x; shared transcripts ${r.ours.transcripts} / ${r.recipe.transcripts}`,
    );
  }
  rmSync(WORK, { recursive: true, force: true });
  const warm = runs.length > 1 ? runs.slice(1) : runs;
  const ratio = (/** @type {typeof runs} */ rs) => median(rs.map((r) => r.ours.wallMs / r.recipe.wallMs));
  const rows = [['', 'ours (command)', 'recipe', 'ratio (paired)', 'ours peak RSS', 'ours CPU', 'recipe CPU']];
  const line = (/** @type {string} */ name, /** @type {typeof runs} */ rs) =>
    rows.push([
      name,
      `${s(median(rs.map((r) => r.ours.wallMs)))} s`,
      `${s(median(rs.map((r) => r.recipe.wallMs)))} s`,
      `${ratio(rs).toFixed(2)}x`,
      `${(Math.max(...rs.map((r) => r.ours.maxRssKb ?? 0)) / 1024).toFixed(0)} MB`,
      `${s(median(rs.map((r) => r.ours.cpuMs ?? 0)))} s`,
      `${s(median(rs.map((r) => r.recipe.cpuMs ?? 0)))} s`,
    ]);
  line('cold-ish (run 1)', runs.slice(0, 1));
  line(`warm (median of ${warm.length})`, warm);
  line(`all (median of ${runs.length})`, runs);
  console.log();
  table(rows);
  const missing = runs.find((r) => r.ours.transcripts < r.recipe.transcripts);
  if (missing) console.log(`! the command shared fewer transcripts than the recipe in run ${missing.run}`);
}

function planBench() {
  const accounts = accountNames().map((n) => join(CORPUS, n));
  const shared = join(CORPUS, 'shared', 'projects');
  console.log(`\nplanning and inspect on ${CORPUS} (read-only), load ${load()}`);
  const rows = [['run', 'inspect (library)', 'find -printf', 'ratio', `plan ${values['plan-files']} files`]];
  /** @type {number[]} */
  const inspectRatios = [];
  /** @type {number[]} */
  const planWalls = [];
  /** @type {number[]} */
  const planCpus = [];
  for (let run = 1; run <= RUNS; run++) {
    const find = measure(['find', ...accounts, '-printf', '%p %y %s %m %T@\\n']);
    const m = measure(
      [
        process.execPath,
        join(root, 'bench', 'share-plan.mjs'),
        '--files',
        String(values['plan-files']),
        '--shared',
        shared,
        ...accounts,
      ],
      { keepStdout: true },
    );
    if (m.status !== 0) throw new Error(`share-plan failed: ${m.stdout}`);
    const out = JSON.parse(m.stdout ?? '{}');
    inspectRatios.push(out.inspectMs / find.wallMs);
    planWalls.push(out.planMs);
    planCpus.push(out.planCpuMs);
    rows.push([
      String(run),
      `${s(out.inspectMs)} s`,
      `${s(find.wallMs)} s`,
      `${(out.inspectMs / find.wallMs).toFixed(2)}x`,
      `${s(out.planMs)} s (${out.entries} entries, ${out.operations} ops, cpu ${s(out.planCpuMs)} s)`,
    ]);
  }
  table(rows);
  const inspectRatio = median(inspectRatios);
  const planWall = median(planWalls);
  const planCpu = median(planCpus);
  console.log(
    `\ninspect / find -printf: median ${inspectRatio.toFixed(2)}x (goal <= 2x: ${inspectRatio <= 2 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `planning ${values['plan-files']} files: median ${s(planWall)} s wall, ${s(planCpu)} s CPU (goal < 1 s: ${planWall < 1000 ? 'met' : 'NOT met'}), load ${load()}`,
  );
}

corpus();
if (!values['no-share']) shareBench();
if (!values['no-plan']) planBench();
