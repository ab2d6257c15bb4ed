// @ts-check
/**
 * The retained links through the built command, as users run it, on a copy of a corpus
 * made by ../shared/bench/gen-corpus.py (accounts acct-0 ... acct-N, each a `projects/`):
 *
 *   1. `apply --yes` shares the accounts (and retains every shared file): timed once.
 *   2. Each round, for each build: the retained folder is moved aside, then
 *      `doctor --fix --yes` (what an upgrade from a version without retained links, or a
 *      user after `rm -rf .retained`, runs: doctor's checks + the retain plan), then
 *      `doctor` with nothing to fix (its checks include the retained-links walk).
 *   3. With the current build: `retain --yes` with nothing to do, and `retain --yes` after
 *      moving the retained folder aside (the retain step alone).
 *
 *   node bench/retain-command.mjs --corpus /tmp/g-share-corpus [--work /tmp/css-bench-retain-cmd]
 *     [--builds before=/path/to/old/dist,after=dist] [--rounds 1] [--reuse]
 *
 * Prints each run's wall time and the load average; medians per build at the end.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    work: { type: 'string', default: '/tmp/css-bench-retain-cmd' },
    builds: { type: 'string', default: 'current=dist' },
    rounds: { type: 'string', default: '1' },
    reuse: { type: 'boolean', default: false },
  },
});
if (!values.corpus) throw new Error('--corpus DIR (made by gen-corpus.py) is required');
const root = new URL('..', import.meta.url).pathname;
const builds = values.builds.split(',').map((spec) => {
  const [name, path] = spec.includes('=') ? spec.split('=') : [spec, spec];
  return { name, cli: join(isAbsolute(path) ? path : resolve(root, path), 'cli.js') };
});
const current = builds.at(-1);
const work = values.work;
const home = join(work, 'home');
const shared = join(home, '.claude-shared', 'projects');
const load = () => loadavg()[0].toFixed(1);

if (!values.reuse || !existsSync(home)) {
  rmSync(work, { recursive: true, force: true });
  execFileSync('mkdir', ['-p', work]);
  execFileSync('cp', ['-a', values.corpus, home]);
}
const accounts = readdirSync(home)
  .filter((n) => n.startsWith('acct-'))
  .map((n) => join(home, n));
const args = ['--home', home, '--shared', shared, '--accounts', ...accounts];

const run = (cli, command) => {
  const t = performance.now();
  const r = spawnSync(process.execPath, [cli, ...command, ...args], { encoding: 'utf8', env: { ...process.env } });
  const s = (performance.now() - t) / 1000;
  if (r.status !== 0 && r.status !== 2) {
    throw new Error(`${command.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return { s, out: r.stdout };
};
let aside = 0;
const moveAside = () => {
  const dir = join(home, '.claude-shared', '.retained');
  if (existsSync(dir)) renameSync(dir, join(work, `retained-aside-${aside++}`));
};

if (!existsSync(shared)) {
  const l = load();
  const r = run(current.cli, ['apply', '--yes']);
  const retained = r.out.match(/Retained [^\n]*/)?.[0] ?? '(no retain line)';
  console.log(`apply --yes (share + retain), ${current.name}: ${r.s.toFixed(2)} s, load ${l}; ${retained}`);
}
const files = Number(execFileSync('sh', ['-c', `find '${shared}' -type f | wc -l`], { encoding: 'utf8' }).trim());
console.log(`shared folder: ${files} files`);

const rows = new Map(builds.map((b) => [b.name, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const b of builds) {
    moveAside();
    const l1 = load();
    const fix = run(b.cli, ['doctor', '--fix', '--yes']);
    const l2 = load();
    const check = run(b.cli, ['doctor']);
    rows.get(b.name)?.push({ fix: fix.s, check: check.s });
    console.log(
      `${b.name.padEnd(8)} doctor --fix --yes (retain ${files} files): ${fix.s.toFixed(2)} s (load ${l1}); doctor: ${check.s.toFixed(2)} s (load ${l2})`,
    );
  }
}
{
  const l1 = load();
  const noop = run(current.cli, ['retain', '--yes']);
  moveAside();
  const l2 = load();
  const first = run(current.cli, ['retain', '--yes']);
  console.log(
    `${current.name}: retain --yes with nothing to do ${noop.s.toFixed(2)} s (load ${l1}); retain --yes from nothing ${first.s.toFixed(2)} s (load ${l2})`,
  );
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
for (const [name, r] of rows) {
  console.log(
    `median ${name}: doctor --fix ${median(r.map((x) => x.fix)).toFixed(2)} s, doctor ${median(r.map((x) => x.check)).toFixed(2)} s`,
  );
}
for (const n of readdirSync(work))
  if (n.startsWith('retained-aside-')) rmSync(join(work, n), { recursive: true, force: true });
