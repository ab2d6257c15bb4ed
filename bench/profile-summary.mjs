// @ts-check
/**
 * Summarises `.cpuprofile` files (node --cpu-prof): self time per function, top N, as
 * percentages of all samples (idle and GC included, as Chrome DevTools counts them).
 *
 * With `--callers NAME`, the self time of the functions named NAME by calling function
 * (two levels up), to see which caller a hot builtin such as `indexOfBuffer` works for.
 *
 *   node bench/profile-summary.mjs PROFILE.cpuprofile... [--top 15] [--callers NAME]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '15' }, callers: { type: 'string' } },
});
const self = new Map();
let total = 0;
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  /** @type {Map<number, any>} */
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<number, any>} */
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const label = (n) =>
    n ? `${n.callFrame.functionName || '(anonymous)'}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}` : '-';
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const n = nodes.get(id);
    const f = n.callFrame;
    const where = f.url ? ` ${f.url.split('/').pop()}:${f.lineNumber + 1}` : '';
    let key = `${f.functionName || '(anonymous)'}${where}`;
    if (values.callers !== undefined) {
      if (f.functionName !== values.callers) return;
      // The first two callers outside Node's own modules.
      const chain = [];
      for (let p = parent.get(n.id); p && chain.length < 2; p = parent.get(p.id)) {
        if (p.callFrame.url && !p.callFrame.url.startsWith('node:')) chain.push(label(p));
      }
      key = chain.join(' < ') || '-';
    }
    const dt = deltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
console.log(`| function | self time | share |\n|---|---|---|`);
for (const [k, us] of rows)
  console.log(`| \`${k}\` | ${(us / 1000).toFixed(0)} ms | ${((100 * us) / total).toFixed(1)}% |`);
console.log(`| total | ${(total / 1000).toFixed(0)} ms | |`);
