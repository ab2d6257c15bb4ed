// @ts-check
/**
 * Retained-links benchmark: what the safety net against Claude Code's cleanup costs on a
 * shared folder of N sessions (default 20,000, in 40 projects, a small transcript and one
 * sidecar file each): reading the state, planning, and applying the plan that makes one
 * hard link per file (journaled, through the executor); then a refresh with nothing to do
 * (what every later command pays); then recovering 10% of the files after they are
 * deleted. Prints wall times and the disk space the links take (folders only: a hard link
 * holds no bytes of its own).
 *
 *   npm run bench:retain -- [--sessions 20000] [--dir /tmp/css-bench-retain]
 */

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { applyPlan, createNodeFileSystem, planRetain, readRetainState } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '20000' },
    dir: { type: 'string', default: '/tmp/css-bench-retain' },
  },
});
const N = Number(values.sessions);
const dir = values.dir;
rmSync(dir, { recursive: true, force: true });
const shared = join(dir, '.claude-shared', 'projects');
const fs = createNodeFileSystem();
const paths = [];
for (let i = 0; i < N; i++) {
  const project = join(shared, `-home-dev-project-${i % 40}`);
  if (i < 40) mkdirSync(project, { recursive: true, mode: 0o700 });
  const id = randomUUID();
  const line = `${JSON.stringify({ type: 'user', sessionId: id, cwd: '/home/dev', message: { content: 'x'.repeat(200) } })}\n`;
  writeFileSync(join(project, `${id}.jsonl`), line, { mode: 0o600 });
  mkdirSync(join(project, id, 'subagents'), { recursive: true, mode: 0o700 });
  writeFileSync(join(project, id, 'subagents', 'agent-a1.jsonl'), line, { mode: 0o600 });
  paths.push(join(project, `${id}.jsonl`));
}
const du = (p) => execFileSync('du', ['-sk', p], { encoding: 'utf8' }).split('\t')[0];
const time = async (label, f) => {
  const t = performance.now();
  const r = await f();
  console.log(`${label.padEnd(44)} ${((performance.now() - t) / 1000).toFixed(2)} s`);
  return r;
};
console.log(`${N} sessions, ${2 * N} files, shared folder ${du(shared)} KB`);
const state = await time('read state (walk shared + retained)', () => readRetainState(fs, shared));
const plan = await time('plan', () => planRetain(state, { id: 'bench', now: Date.now() }));
console.log(`  ${plan.operations.length} operations`);
await time('apply (hard links, journaled)', () => applyPlan(plan, { fs }));
console.log(`retained folder on disk: ${du(join(dir, '.claude-shared', '.retained'))} KB`);
const again = await time('refresh with nothing to do (read + plan)', async () =>
  planRetain(await readRetainState(fs, shared), { id: 'bench2', now: Date.now() }),
);
console.log(`  ${again.operations.length} operations`);
for (const p of paths.slice(0, Math.floor(N / 10))) unlinkSync(p);
const recover = await time(`recover ${Math.floor(N / 10)} deleted (read + plan + apply)`, async () => {
  const p = planRetain(await readRetainState(fs, shared), { id: 'bench3', now: Date.now(), recover: true });
  await applyPlan(p, { fs });
  return p;
});
console.log(`  ${recover.operations.length} operations`);
rmSync(dir, { recursive: true, force: true });
