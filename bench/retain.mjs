// @ts-check
/**
 * Retained-links benchmark: what the safety net against Claude Code's cleanup costs on a
 * shared folder of N sessions (default 20,000, in 40 projects, a small transcript and one
 * sidecar file each, so 2N files and 2N session folders), phase by phase:
 *
 *   read      the walk of the shared and retained folders (readRetainState)
 *   plan      planRetain on that state
 *   apply     applyPlan: one hard link per file, journaled, through the executor
 *   refresh   read + plan again with nothing to do (what every later command pays)
 *   recover   10% of the transcripts deleted, then read + plan + apply with `recover`
 *
 * With `--builds`, each round runs every build one after the other on the same folder
 * (the retained folder is moved aside between runs, not deleted: a rename costs nothing),
 * so that a before/after pair sees the same machine load. Prints each run, then the
 * median of each phase per build, and the load average before and after.
 *
 *   npm run bench:retain -- [--sessions 20000] [--rounds 1] [--dir /tmp/css-bench-retain]
 *     [--builds before=/tmp/old/dist,after=dist]
 */

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '1' },
    dir: { type: 'string', default: '/tmp/css-bench-retain' },
    builds: { type: 'string', default: 'current=dist' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(values.sessions);
const rounds = Number(values.rounds);
const dir = values.dir;
const root = new URL('..', import.meta.url).pathname;
const builds = [];
for (const spec of values.builds.split(',')) {
  const [name, path] = spec.includes('=') ? spec.split('=') : [spec, spec];
  const distDir = isAbsolute(path) ? path : resolve(root, path);
  builds.push({ name, lib: await import(pathToFileURL(join(distDir, 'index.js')).href) });
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`load average at start: ${load()}`);
rmSync(dir, { recursive: true, force: true });
const sharedParent = join(dir, '.claude-shared');
const shared = join(sharedParent, 'projects');
const transcripts = [];
for (let i = 0; i < N; i++) {
  const project = join(shared, `-home-dev-project-${i % 40}`);
  if (i < 40) mkdirSync(project, { recursive: true, mode: 0o700 });
  const id = randomUUID();
  const line = `${JSON.stringify({ type: 'user', sessionId: id, cwd: '/home/dev', message: { content: 'x'.repeat(200) } })}\n`;
  writeFileSync(join(project, `${id}.jsonl`), line, { mode: 0o600 });
  mkdirSync(join(project, id, 'subagents'), { recursive: true, mode: 0o700 });
  writeFileSync(join(project, id, 'subagents', 'agent-a1.jsonl'), line, { mode: 0o600 });
  transcripts.push({ path: join(project, `${id}.jsonl`), line });
}
const du = (p) => execFileSync('du', ['-sk', p], { encoding: 'utf8' }).split('\t')[0];
console.log(`${N} sessions, ${2 * N} files, shared folder ${du(shared)} KB`);

const seconds = async (f) => {
  const t = performance.now();
  const r = await f();
  return { s: (performance.now() - t) / 1000, r };
};
const results = new Map(builds.map((b) => [b.name, []]));
let aside = 0;
for (let round = 0; round < rounds; round++) {
  for (const { name, lib } of builds) {
    const fs = lib.createNodeFileSystem();
    const row = { load: loadavg()[0] };
    const read = await seconds(() => lib.readRetainState(fs, shared));
    row.read = read.s;
    const plan = await seconds(() => lib.planRetain(read.r, { id: 'bench', now: Date.now() }));
    row.plan = plan.s;
    row.ops = plan.r.operations.length;
    row.apply = (await seconds(() => lib.applyPlan(plan.r, { fs }))).s;
    const again = await seconds(async () =>
      lib.planRetain(await lib.readRetainState(fs, shared), { id: 'bench2', now: Date.now() }),
    );
    row.refresh = again.s;
    if (again.r.operations.length !== 0) throw new Error(`${name}: the refresh planned ${again.r.operations.length}`);
    const gone = transcripts.filter((_, i) => i % 10 === round % 10);
    for (const t of gone) unlinkSync(t.path);
    const rec = await seconds(async () => {
      const p = lib.planRetain(await lib.readRetainState(fs, shared), { id: 'bench3', now: Date.now(), recover: true });
      await lib.applyPlan(p, { fs });
      return p;
    });
    row.recover = rec.s;
    row.recovered = rec.r.operations.filter((op) => op.type === 'hardLink').length;
    if (row.recovered !== gone.length) throw new Error(`${name}: recovered ${row.recovered} of ${gone.length}`);
    row.retainedKB = Number(du(join(sharedParent, '.retained')));
    // Aside, not deleted: the next build starts from no retained folder at no cost.
    renameSync(join(sharedParent, '.retained'), join(dir, `retained-aside-${aside++}`));
    results.get(name)?.push(row);
    console.log(
      `${name.padEnd(8)} round ${round + 1}: read ${row.read.toFixed(2)} s, plan ${row.plan.toFixed(2)} s (${row.ops} ops), apply ${row.apply.toFixed(2)} s, refresh ${row.refresh.toFixed(2)} s, recover ${row.recovered}: ${row.recover.toFixed(2)} s; retained folder ${row.retainedKB} KB; load ${row.load.toFixed(2)}`,
    );
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log('\nmedians (s)');
console.log(['build', 'read', 'plan', 'apply', 'refresh', 'recover', 'read+plan+apply'].join('\t'));
for (const [name, rows] of results) {
  const m = (k) => median(rows.map((r) => r[k]));
  console.log(
    [name, m('read'), m('plan'), m('apply'), m('refresh'), m('recover'), m('read') + m('plan') + m('apply')]
      .map((v) => (typeof v === 'number' ? v.toFixed(2) : v))
      .join('\t'),
  );
}
console.log(`load average at end: ${load()}`);
if (!values.keep) rmSync(dir, { recursive: true, force: true });
