// @ts-check
/**
 * Benchmark dispatcher: `node bench/run.mjs [name] [args...]` runs bench/<name>.mjs
 * (all benchmarks when no name is given). Benchmarks import the built library from
 * dist/, so `npm run bench` builds first.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCHES = {
  list: 'list-sessions.mjs',
  'list-edge': 'sdk-edge-cases.mjs',
  share: 'share.mjs',
  crash: 'crash.mjs',
};
const dir = join(fileURLToPath(import.meta.url), '..');
const [name, ...args] = process.argv.slice(2);
const chosen = name === undefined || name.startsWith('-') ? Object.keys(BENCHES) : [name];
const rest = name === undefined || name.startsWith('-') ? process.argv.slice(2) : args;
for (const b of chosen) {
  const file = BENCHES[/** @type {keyof typeof BENCHES} */ (b)];
  if (file === undefined) {
    console.error(`unknown benchmark ${b}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  const r = spawnSync(process.execPath, [join(dir, file), ...rest], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
