// @ts-check
/**
 * What `inspect` cannot avoid on a corpus, against what it takes: `find -printf` on the
 * accounts, `inspect` (several calls in one process), and the floor of its copy
 * comparison: every copy of a file that several accounts hold read once (1 MiB reads),
 * and SHA-256 of the longest copy of each such file (the distinct bytes a plan needs the
 * hashes of). Read-only.
 *
 *   node bench/inspect-floor.mjs --corpus DIR [--calls 5] [--dist DIR]
 *
 * DIR holds the accounts (`acct-*`, as `../shared/bench/gen-corpus.py` makes them) and
 * `shared/projects`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { corpus: { type: 'string' }, calls: { type: 'string', default: '5' }, dist: { type: 'string' } },
});
if (!values.corpus) {
  console.error('usage: node bench/inspect-floor.mjs --corpus DIR [--calls 5] [--dist DIR]');
  process.exit(2);
}
/** @type {typeof import('../dist/index.js')} */
const { inspect } = await import(
  values.dist === undefined ? '../dist/index.js' : pathToFileURL(resolve(values.dist, 'index.js')).href
);
const corpus = resolve(values.corpus);
const accounts = readdirSync(corpus)
  .filter((n) => n.startsWith('acct-'))
  .sort()
  .map((n) => join(corpus, n));
const sharedDir = join(corpus, 'shared', 'projects');
const ms = (/** @type {number} */ t) => `${t.toFixed(0)} ms`;

const finds = [];
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  execFileSync('find', [...accounts, '-printf', '%p %y %s %m %T@\\n'], { maxBuffer: 1 << 28 });
  finds.push(performance.now() - t);
}
const calls = [];
/** @type {import('../dist/index.js').Snapshot | undefined} */
let snapshot;
for (let i = 0; i < Number(values.calls); i++) {
  const t = performance.now();
  snapshot = await inspect({ accounts, sharedDir });
  calls.push(performance.now() - t);
}

/** @type {Map<string, { abs: string; size: number }[]>} */
const byPath = new Map();
for (const a of snapshot?.accounts ?? []) {
  const f = a.folders.projects;
  if (f?.kind !== 'directory') continue;
  for (const e of f.entries) {
    if (e.type !== 'file') continue;
    const list = byPath.get(e.path) ?? [];
    list.push({ abs: join(f.path, e.path), size: e.size });
    byPath.set(e.path, list);
  }
}
const groups = [...byPath.values()].filter((g) => g.length > 1);
const buffer = Buffer.allocUnsafe(1 << 20);
/** Reads a file's first `size` bytes, handing each chunk to `use`; returns the bytes read. */
function readAll(/** @type {string} */ path, /** @type {number} */ size, use = (/** @type {Buffer} */ _b) => {}) {
  const fd = openSync(path, 'r');
  let at = 0;
  try {
    while (at < size) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - at), at);
      if (n === 0) break;
      use(buffer.subarray(0, n));
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  return at;
}
let t = performance.now();
let copiesBytes = 0;
for (const g of groups) for (const c of g) copiesBytes += readAll(c.abs, c.size);
const readMs = performance.now() - t;
t = performance.now();
let distinctBytes = 0;
for (const g of groups) {
  const longest = g.reduce((x, y) => (y.size > x.size ? y : x));
  const hash = createHash('sha256');
  distinctBytes += readAll(longest.abs, longest.size, (b) => hash.update(b));
  hash.digest();
}
const hashMs = performance.now() - t;

console.log(`corpus ${corpus}, load ${loadavg()[0].toFixed(1)}`);
console.log(`find -printf:              ${finds.map(ms).join(', ')}`);
console.log(`inspect (calls 1-${calls.length}):      ${calls.map(ms).join(', ')}`);
console.log(
  `read every copy once:      ${ms(readMs)} (${groups.reduce((n, g) => n + g.length, 0)} copies of ${groups.length} files, ${(copiesBytes / 1e6).toFixed(0)} MB)`,
);
console.log(`read + SHA-256 of longest: ${ms(hashMs)} (${(distinctBytes / 1e6).toFixed(0)} MB)`);
